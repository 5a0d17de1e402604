package dev.fovea.backend.cudnn;

/**
 * A CUDA runtime or cuDNN call failed. The message carries the function, the status code and name, and the
 * library's own explanation ({@code cudnnGetLastErrorString} / {@code cudaGetErrorString}).
 */
public final class CudnnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int status;
    private final String statusName;

    CudnnException(String function, int status, String statusName, String detail) {
        super(function + " failed: " + statusName + " (" + status + ")" + (detail.isBlank() ? "" : ": " + detail));
        this.function = function;
        this.status = status;
        this.statusName = statusName;
    }

    /** The native function that failed, e.g. {@code "cudnnConvolutionForward"}. */
    public String function() {
        return function;
    }

    /** The {@code cudnnStatus_t} or {@code cudaError_t} code. */
    public int status() {
        return status;
    }

    /** e.g. {@code "CUDNN_STATUS_BAD_PARAM"} or {@code "cudaErrorMemoryAllocation"}. */
    public String statusName() {
        return statusName;
    }
}
