package dev.fovea.backend.cudnn.bind;

import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_INT;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_POINTER;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_SIZE_T;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The functions of the CUDA runtime ({@code libcudart.so.12}, header {@code cuda_runtime_api.h}) that Fovea uses,
 * in the shape jextract generates (see {@code backend-cudnn/jextract/}): per function a holder class whose
 * static initializer finds the symbol and links it on first call, and a static wrapper. Return values are
 * {@code cudaError_t} codes; pointers and out-parameters are {@link MemorySegment}s.
 */
public final class CudaRuntime {
    private CudaRuntime() {
    }

    static final NativeLibrary LIBRARY = new NativeLibrary("libcudart");

    /** Installs the lookup of the opened {@code libcudart.so.12}; called once by the loader. */
    public static void install(SymbolLookup lookup) {
        LIBRARY.install(lookup);
    }

    public static boolean installed() {
        return LIBRARY.installed();
    }

    /** The address of {@code symbol} in the loaded library, if present (for diagnostics and tests). */
    public static java.util.Optional<MemorySegment> find(String symbol) {
        return LIBRARY.find(symbol);
    }

    /** Every function this class binds, for the "every symbol resolves" test. */
    public static final List<String> SYMBOLS = List.of("cudaGetDeviceCount", "cudaGetErrorName",
            "cudaGetErrorString", "cudaGetLastError", "cudaRuntimeGetVersion", "cudaDriverGetVersion",
            "cudaSetDevice", "cudaGetDevice", "cudaDeviceGetAttribute", "cudaMalloc", "cudaFree", "cudaMemcpy",
            "cudaMemset", "cudaDeviceSynchronize", "cudaMemGetInfo");

    // ---- enum cudaError (the values Fovea names) ----
    public static final int cudaSuccess = 0;
    public static final int cudaErrorMemoryAllocation = 2;
    public static final int cudaErrorInitializationError = 3;
    public static final int cudaErrorInsufficientDriver = 35;
    public static final int cudaErrorNoDevice = 100;

    // ---- enum cudaMemcpyKind ----
    public static final int cudaMemcpyHostToHost = 0;
    public static final int cudaMemcpyHostToDevice = 1;
    public static final int cudaMemcpyDeviceToHost = 2;
    public static final int cudaMemcpyDeviceToDevice = 3;
    public static final int cudaMemcpyDefault = 4;

    // ---- enum cudaDeviceAttr (the values Fovea reads) ----
    public static final int cudaDevAttrComputeCapabilityMajor = 75;
    public static final int cudaDevAttrComputeCapabilityMinor = 76;

    @SuppressWarnings("restricted") // FFM native access; the JVM runs with --enable-native-access
    private static MethodHandle link(String name, FunctionDescriptor desc) {
        return Linker.nativeLinker().downcallHandle(LIBRARY.findOrThrow(name), desc);
    }

    private static AssertionError unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new AssertionError("should not reach here", t);
    }

    /** Reads a C string returned by {@link #cudaGetErrorName} or {@link #cudaGetErrorString}. */
    public static String string(MemorySegment cString) {
        return NativeLibrary.string(cString);
    }

    private static final class cudaGetDeviceCount {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudaGetDeviceCount", DESC);
    }

    /** {@code cudaError_t cudaGetDeviceCount(int *count)} */
    public static int cudaGetDeviceCount(MemorySegment count) {
        try {
            return (int) cudaGetDeviceCount.HANDLE.invokeExact(count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaGetErrorName {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = link("cudaGetErrorName", DESC);
    }

    /** {@code const char *cudaGetErrorName(cudaError_t error)} */
    public static MemorySegment cudaGetErrorName(int error) {
        try {
            return (MemorySegment) cudaGetErrorName.HANDLE.invokeExact(error);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaGetErrorString {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = link("cudaGetErrorString", DESC);
    }

    /** {@code const char *cudaGetErrorString(cudaError_t error)} */
    public static MemorySegment cudaGetErrorString(int error) {
        try {
            return (MemorySegment) cudaGetErrorString.HANDLE.invokeExact(error);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaGetLastError {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = link("cudaGetLastError", DESC);
    }

    /** {@code cudaError_t cudaGetLastError(void)}: returns and clears the last non-sticky error. */
    public static int cudaGetLastError() {
        try {
            return (int) cudaGetLastError.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaRuntimeGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudaRuntimeGetVersion", DESC);
    }

    /** {@code cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)}: 1000·major + 10·minor. */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        try {
            return (int) cudaRuntimeGetVersion.HANDLE.invokeExact(runtimeVersion);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaDriverGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudaDriverGetVersion", DESC);
    }

    /** {@code cudaError_t cudaDriverGetVersion(int *driverVersion)}: 0 when no driver is installed. */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) cudaDriverGetVersion.HANDLE.invokeExact(driverVersion);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaSetDevice {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudaSetDevice", DESC);
    }

    /** {@code cudaError_t cudaSetDevice(int device)}: the calling thread's current device. */
    public static int cudaSetDevice(int device) {
        try {
            return (int) cudaSetDevice.HANDLE.invokeExact(device);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaGetDevice {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudaGetDevice", DESC);
    }

    /** {@code cudaError_t cudaGetDevice(int *device)} */
    public static int cudaGetDevice(MemorySegment device) {
        try {
            return (int) cudaGetDevice.HANDLE.invokeExact(device);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaDeviceGetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudaDeviceGetAttribute", DESC);
    }

    /** {@code cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)} */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        try {
            return (int) cudaDeviceGetAttribute.HANDLE.invokeExact(value, attr, device);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaMalloc {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T);
        static final MethodHandle HANDLE = link("cudaMalloc", DESC);
    }

    /** {@code cudaError_t cudaMalloc(void **devPtr, size_t size)} */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        try {
            return (int) cudaMalloc.HANDLE.invokeExact(devPtr, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaFree {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudaFree", DESC);
    }

    /** {@code cudaError_t cudaFree(void *devPtr)} */
    public static int cudaFree(MemorySegment devPtr) {
        try {
            return (int) cudaFree.HANDLE.invokeExact(devPtr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaMemcpy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_SIZE_T, C_INT);
        static final MethodHandle HANDLE = link("cudaMemcpy", DESC);
    }

    /** {@code cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)} */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        try {
            return (int) cudaMemcpy.HANDLE.invokeExact(dst, src, count, kind);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaMemset {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_SIZE_T);
        static final MethodHandle HANDLE = link("cudaMemset", DESC);
    }

    /** {@code cudaError_t cudaMemset(void *devPtr, int value, size_t count)} */
    public static int cudaMemset(MemorySegment devPtr, int value, long count) {
        try {
            return (int) cudaMemset.HANDLE.invokeExact(devPtr, value, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaDeviceSynchronize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = link("cudaDeviceSynchronize", DESC);
    }

    /** {@code cudaError_t cudaDeviceSynchronize(void)} */
    public static int cudaDeviceSynchronize() {
        try {
            return (int) cudaDeviceSynchronize.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudaMemGetInfo {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudaMemGetInfo", DESC);
    }

    /** {@code cudaError_t cudaMemGetInfo(size_t *free, size_t *total)} */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) cudaMemGetInfo.HANDLE.invokeExact(free, total);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
