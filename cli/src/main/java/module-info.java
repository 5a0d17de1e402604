module dev.fovea.cli { requires dev.fovea.api; }
