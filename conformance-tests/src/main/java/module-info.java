/**
 * Fovea's conformance suite (TCK): every case a backend must pass, usable from JUnit
 * ({@link dev.fovea.conformance.BackendConformance}) and from the command line
 * ({@link dev.fovea.conformance.ConformanceRunner}).
 */
module dev.fovea.conformance {
    requires transitive dev.fovea.api;
    requires transitive org.junit.jupiter.api;

    exports dev.fovea.conformance;
}
