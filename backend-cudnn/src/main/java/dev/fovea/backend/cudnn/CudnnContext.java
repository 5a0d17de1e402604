package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.checkCuda;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One unit of cuDNN state: a {@code cudnnHandle_t} (cuDNN handles must not be used by two threads at once) and
 * grow-only device buffers: the convolution workspace and scratch tensors (padded inputs, staged outputs). The
 * backend keeps a bounded {@link Pool} of them; a thread holds one for the duration of one op. All work goes to
 * the handle's default stream, the legacy NULL stream, so {@code cudaMemcpy} orders after it.
 */
final class CudnnContext {
    /** Scratch slots; one op never needs two buffers of the same slot at once. */
    static final int WORKSPACE = 0;
    static final int INPUT = 1;
    static final int OUTPUT = 2;
    /** A second staged tensor (gradients transformed to NCHW, a clamp's intermediate). */
    static final int GRAD = 3;
    /** Host weights uploaded for a backward call, and small per-call constants. */
    static final int WEIGHTS = 4;
    /** Intermediates of element-wise chains (clamp, hard sigmoid, hard swish); see {@link DeviceOps}. */
    static final int T1 = 5;
    static final int T2 = 6;
    static final int T3 = 7;
    private static final int SLOTS = 8;

    private final int device;

    private final MemorySegment handle;
    private final long[] address = new long[SLOTS];
    private final long[] capacity = new long[SLOTS];

    CudnnContext(int device) {
        this.device = device;
        checkCuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(Cudnn.cudnnCreate(out), "cudnnCreate");
            handle = out.get(ValueLayout.ADDRESS, 0);
        }
    }

    /** Makes the calling thread's current device this context's (the CUDA runtime's device is per thread). */
    void bind() {
        checkCuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice");
    }

    /** The bytes of device memory this context's buffers hold. */
    long bytes() {
        long sum = 0;
        for (long c : capacity) {
            sum += c;
        }
        return sum;
    }

    MemorySegment handle() {
        return handle;
    }

    /**
     * A device buffer of at least {@code bytes} for {@code slot}, grown (never shrunk) on demand; its previous
     * contents are lost when it grows. {@code cudaFree} synchronizes the device, so kernels still reading the old
     * buffer finish first.
     */
    long buffer(int slot, long bytes) {
        if (bytes > capacity[slot]) {
            Native.free(address[slot]);
            address[slot] = 0;
            capacity[slot] = 0;
            long size = (bytes + 255) & ~255L;
            address[slot] = Native.malloc(size);
            capacity[slot] = size;
        }
        return address[slot];
    }

    long capacity(int slot) {
        return capacity[slot];
    }

    void close() {
        CudaRuntime.cudaSetDevice(device); // the pool may destroy this context from another thread
        for (int i = 0; i < SLOTS; i++) {
            if (address[i] != 0) {
                CudaRuntime.cudaFree(MemorySegment.ofAddress(address[i]));
                address[i] = 0;
                capacity[i] = 0;
            }
        }
        Cudnn.cudnnDestroy(handle);
    }
}
