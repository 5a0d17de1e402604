/** The cuDNN GPU backend ("cudnn") through the FFM API; see {@code backend-cudnn/README.md}. */
module dev.fovea.backend.cudnn {
    requires dev.fovea.api;

    provides dev.fovea.spi.BackendProvider with dev.fovea.backend.cudnn.CudnnBackendProvider;
}
