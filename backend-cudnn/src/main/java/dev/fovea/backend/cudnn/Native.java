package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The only user of the bindings' status codes: {@link #check} and {@link #checkCuda} turn a failure into a
 * {@link CudnnException}; also device memory helpers and the constant scaling factors cuDNN takes by pointer.
 */
final class Native {
    private Native() {
    }

    /** Host-memory {@code float} 1 and 0, the alpha/beta factors of cuDNN's F32 calls; never freed. */
    static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    static final MemorySegment ZERO = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    static final MemorySegment NEGATIVE_INFINITY = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT,
            Float.NEGATIVE_INFINITY);

    /** Throws unless {@code status} is {@code CUDNN_STATUS_SUCCESS}. */
    static void check(int status, String function) {
        if (status != Cudnn.CUDNN_STATUS_SUCCESS) {
            throw new CudnnException(function, status, cudnnStatusName(status), cudnnLastError());
        }
    }

    /** Throws unless {@code error} is {@code cudaSuccess}. */
    static void checkCuda(int error, String function) {
        if (error != CudaRuntime.cudaSuccess) {
            throw new CudnnException(function, error, cudaErrorName(error), cudaErrorString(error));
        }
    }

    /** e.g. {@code "CUDNN_STATUS_BAD_PARAM"}, from cuDNN itself. */
    static String cudnnStatusName(int status) {
        return Cudnn.string(Cudnn.cudnnGetErrorString(status));
    }

    /** cuDNN's explanation of the most recent failure on this thread ({@code cudnnGetLastErrorString}). */
    static String cudnnLastError() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(1024);
            Cudnn.cudnnGetLastErrorString(buf, buf.byteSize());
            return buf.getString(0).strip();
        }
    }

    static String cudaErrorName(int error) {
        return CudaRuntime.string(CudaRuntime.cudaGetErrorName(error));
    }

    static String cudaErrorString(int error) {
        return CudaRuntime.string(CudaRuntime.cudaGetErrorString(error));
    }

    /** {@code cudaMalloc} of {@code bytes} (at least 1); the address of the device memory. */
    static long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int err = CudaRuntime.cudaMalloc(out, Math.max(bytes, 1));
            if (err != CudaRuntime.cudaSuccess) {
                throw new CudnnException("cudaMalloc", err, cudaErrorName(err),
                        cudaErrorString(err) + " (requested " + bytes + " bytes)");
            }
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    /** {@link #malloc}, but an out-of-memory error is {@link DeviceArena.OutOfMemory} (the arena then trims). */
    static long mallocOrOutOfMemory(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int err = CudaRuntime.cudaMalloc(out, Math.max(bytes, 1));
            if (err == CudaRuntime.cudaErrorMemoryAllocation) {
                CudaRuntime.cudaGetLastError(); // clear the sticky-free error state before retrying
                throw new DeviceArena.OutOfMemory("cudaMalloc of " + bytes + " bytes: out of device memory");
            }
            if (err != CudaRuntime.cudaSuccess) {
                throw new CudnnException("cudaMalloc", err, cudaErrorName(err),
                        cudaErrorString(err) + " (requested " + bytes + " bytes)");
            }
            return out.get(ValueLayout.ADDRESS, 0).address();
        }
    }

    /** Free memory of the current device ({@code cudaMemGetInfo}). */
    static long freeDeviceMemory() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = a.allocate(ValueLayout.JAVA_LONG);
            checkCuda(CudaRuntime.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static void free(long address) {
        if (address != 0) {
            checkCuda(CudaRuntime.cudaFree(MemorySegment.ofAddress(address)), "cudaFree");
        }
    }

    /** Synchronous copy of {@code bytes}; {@code kind} is a {@code cudaMemcpyKind}. */
    static void memcpy(long dst, long src, long bytes, int kind) {
        checkCuda(CudaRuntime.cudaMemcpy(MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), bytes, kind),
                "cudaMemcpy");
    }

    static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    /** Reads an {@code int} out-parameter. */
    static int intAt(MemorySegment s) {
        return s.get(ValueLayout.JAVA_INT, 0);
    }
}
