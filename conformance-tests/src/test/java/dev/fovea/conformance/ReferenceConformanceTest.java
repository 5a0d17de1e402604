package dev.fovea.conformance;

/** The whole suite on the reference backend: the one class a backend author writes. */
class ReferenceConformanceTest extends BackendConformance {
    ReferenceConformanceTest() {
        super("reference");
    }
}
