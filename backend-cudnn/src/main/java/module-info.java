module dev.fovea.backend.cudnn { requires dev.fovea.api; }
