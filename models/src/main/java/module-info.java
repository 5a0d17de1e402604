/** Fovea's model zoo and weights files. */
module dev.fovea.models {
    requires transitive dev.fovea.api;

    exports dev.fovea.models;
}
