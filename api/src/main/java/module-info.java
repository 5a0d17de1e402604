/**
 * Fovea's API: tensors ({@code dev.fovea.tensor}), validated op descriptors ({@code dev.fovea.op}), the backend
 * SPI ({@code dev.fovea.spi}), backend discovery and the checked entry point ({@code dev.fovea.engine}), layers
 * and models ({@code dev.fovea.nn}). The reference backend is provided here and always available.
 */
module dev.fovea.api {
    requires java.management; // the JVM's direct memory limit (activation memory checks)
    exports dev.fovea.tensor;
    exports dev.fovea.op;
    exports dev.fovea.spi;
    exports dev.fovea.engine;
    exports dev.fovea.nn;
    exports dev.fovea.train;
    exports dev.fovea.data;

    uses dev.fovea.spi.BackendProvider;

    provides dev.fovea.spi.BackendProvider with dev.fovea.reference.ReferenceBackendProvider;
}
