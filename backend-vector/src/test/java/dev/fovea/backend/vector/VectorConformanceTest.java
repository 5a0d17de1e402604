package dev.fovea.backend.vector;

import dev.fovea.conformance.BackendConformance;

/** The whole conformance suite against the vector backend (run once per surefire execution: preferred and 128-bit). */
class VectorConformanceTest extends BackendConformance {
    VectorConformanceTest() {
        super("vector");
    }
}
