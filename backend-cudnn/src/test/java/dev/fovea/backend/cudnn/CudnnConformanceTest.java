package dev.fovea.backend.cudnn;

import dev.fovea.conformance.BackendConformance;

/** The whole conformance suite against "cudnn"; every case is skipped with the probe's reason without a GPU. */
class CudnnConformanceTest extends BackendConformance {
    CudnnConformanceTest() {
        super(CudnnBackendProvider.NAME);
    }
}
