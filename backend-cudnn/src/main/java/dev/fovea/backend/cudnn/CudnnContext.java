package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.checkCuda;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One thread's cuDNN state: a {@code cudnnHandle_t} (cuDNN handles must not be used by two threads at once) and
 * grow-only device buffers: the convolution workspace and scratch tensors (padded inputs, staged outputs).
 * All work goes to the handle's default stream, the legacy NULL stream, so {@code cudaMemcpy} orders after it.
 * Only the owning thread uses a context; {@link #close()} runs when the backend closes.
 */
final class CudnnContext {
    /** Scratch slots; one op never needs two buffers of the same slot at once. */
    static final int WORKSPACE = 0;
    static final int INPUT = 1;
    static final int OUTPUT = 2;
    private static final int SLOTS = 3;

    private final MemorySegment handle;
    private final long[] address = new long[SLOTS];
    private final long[] capacity = new long[SLOTS];

    CudnnContext(int device) {
        checkCuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(Cudnn.cudnnCreate(out), "cudnnCreate");
            handle = out.get(ValueLayout.ADDRESS, 0);
        }
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
