module dev.fovea.models { requires transitive dev.fovea.api; }
