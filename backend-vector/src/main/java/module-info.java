module dev.fovea.backend.vector { requires dev.fovea.api; requires jdk.incubator.vector; }
