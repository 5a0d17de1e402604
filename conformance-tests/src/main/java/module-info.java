module dev.fovea.conformance { requires transitive dev.fovea.api; }
