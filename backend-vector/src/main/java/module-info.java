/**
 * Fovea's SIMD CPU backend on {@code jdk.incubator.vector}: provider {@code "vector"}, priority 100.
 * Nothing is exported; users reach it through {@code dev.fovea.engine.Engine}.
 */
module dev.fovea.backend.vector {
    requires dev.fovea.api;
    requires jdk.incubator.vector;
    requires java.management;
    requires jdk.management;

    provides dev.fovea.spi.BackendProvider with dev.fovea.backend.vector.VectorBackendProvider;
}
