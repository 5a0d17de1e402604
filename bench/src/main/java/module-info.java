module dev.fovea.bench { requires dev.fovea.api; }
