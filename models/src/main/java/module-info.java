/** Fovea's model zoo and weights files (safetensors). */
module dev.fovea.models {
    requires transitive dev.fovea.api;
    requires com.fasterxml.jackson.databind;

    exports dev.fovea.models;
}
