/** Fovea's model zoo and weights files (safetensors). */
module dev.fovea.models {
    requires transitive dev.fovea.api;
    requires com.fasterxml.jackson.databind;
    requires transitive java.desktop;  // Images takes BufferedImage

    exports dev.fovea.models;
}
