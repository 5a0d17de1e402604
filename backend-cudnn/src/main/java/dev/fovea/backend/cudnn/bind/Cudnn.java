package dev.fovea.backend.cudnn.bind;

import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_DOUBLE;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_FLOAT;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_INT;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_POINTER;
import static dev.fovea.backend.cudnn.bind.NativeLibrary.C_SIZE_T;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The functions of cuDNN 9 ({@code libcudnn.so.9}, headers {@code cudnn_graph.h}, {@code cudnn_ops.h},
 * {@code cudnn_cnn.h}) that Fovea uses, in the shape jextract generates (see {@code backend-cudnn/jextract/}):
 * per function a holder class whose static initializer finds and links the symbol on first call, and a static
 * wrapper. Opaque handles and descriptors ({@code cudnnHandle_t}, {@code cudnnTensorDescriptor_t}, ...) are
 * {@link MemorySegment}s; enums are {@code int} constants; {@code cudnnStatus_t} results are returned as is.
 * Signatures follow NVIDIA's public cuDNN 9 API reference.
 */
public final class Cudnn {
    private Cudnn() {
    }

    static final NativeLibrary LIBRARY = new NativeLibrary("libcudnn");

    /** Installs the lookup of the opened {@code libcudnn.so.9}; called once by the loader. */
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

    /** Reads a C string such as {@link #cudnnGetErrorString}'s result. */
    public static String string(MemorySegment cString) {
        return NativeLibrary.string(cString);
    }

    /** Every function this class binds, for the "every symbol resolves" test. */
    public static final List<String> SYMBOLS = List.of(
            "cudnnGetVersion",
            "cudnnGetCudartVersion",
            "cudnnGetErrorString",
            "cudnnGetLastErrorString",
            "cudnnCreate",
            "cudnnDestroy",
            "cudnnCreateTensorDescriptor",
            "cudnnDestroyTensorDescriptor",
            "cudnnSetTensor4dDescriptor",
            "cudnnSetTensor4dDescriptorEx",
            "cudnnGetTensor4dDescriptor",
            "cudnnCreateFilterDescriptor",
            "cudnnDestroyFilterDescriptor",
            "cudnnSetFilter4dDescriptor",
            "cudnnGetFilter4dDescriptor",
            "cudnnCreateConvolutionDescriptor",
            "cudnnDestroyConvolutionDescriptor",
            "cudnnSetConvolution2dDescriptor",
            "cudnnGetConvolution2dDescriptor",
            "cudnnSetConvolutionGroupCount",
            "cudnnGetConvolutionGroupCount",
            "cudnnSetConvolutionMathType",
            "cudnnGetConvolutionMathType",
            "cudnnGetConvolution2dForwardOutputDim",
            "cudnnGetConvolutionForwardAlgorithmMaxCount",
            "cudnnGetConvolutionForwardAlgorithm_v7",
            "cudnnGetConvolutionForwardWorkspaceSize",
            "cudnnConvolutionForward",
            "cudnnConvolutionBiasActivationForward",
            "cudnnCreateActivationDescriptor",
            "cudnnDestroyActivationDescriptor",
            "cudnnSetActivationDescriptor",
            "cudnnGetActivationDescriptor",
            "cudnnActivationForward",
            "cudnnCreatePoolingDescriptor",
            "cudnnDestroyPoolingDescriptor",
            "cudnnSetPooling2dDescriptor",
            "cudnnGetPooling2dDescriptor",
            "cudnnGetPooling2dForwardOutputDim",
            "cudnnPoolingForward",
            "cudnnSoftmaxForward",
            "cudnnAddTensor",
            "cudnnSetTensor",
            "cudnnTransformTensor",
            "cudnnCreateOpTensorDescriptor",
            "cudnnDestroyOpTensorDescriptor",
            "cudnnSetOpTensorDescriptor",
            "cudnnGetOpTensorDescriptor",
            "cudnnOpTensor",
            "cudnnConvolutionBackwardData",
            "cudnnConvolutionBackwardFilter",
            "cudnnConvolutionBackwardBias",
            "cudnnPoolingBackward",
            "cudnnActivationBackward",
            "cudnnSoftmaxBackward",
            "cudnnGetConvolutionBackwardDataWorkspaceSize",
            "cudnnGetConvolutionBackwardFilterWorkspaceSize",
            "cudnnSetActivationDescriptorSwishBeta",
            "cudnnCreateLRNDescriptor",
            "cudnnDestroyLRNDescriptor",
            "cudnnSetLRNDescriptor",
            "cudnnGetLRNDescriptor",
            "cudnnLRNCrossChannelForward");

    // ---- cudnnStatus_t (cuDNN 9 codes; names come from cudnnGetErrorString) ----
    public static final int CUDNN_STATUS_SUCCESS = 0;
    public static final int CUDNN_STATUS_NOT_INITIALIZED = 1001;
    public static final int CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH = 1002;
    public static final int CUDNN_STATUS_BAD_PARAM = 2000;
    public static final int CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002;
    public static final int CUDNN_STATUS_NOT_SUPPORTED = 3000;
    public static final int CUDNN_STATUS_INTERNAL_ERROR = 4000;
    public static final int CUDNN_STATUS_EXECUTION_FAILED = 5000;

    // ---- cudnnDataType_t ----
    public static final int CUDNN_DATA_FLOAT = 0;
    public static final int CUDNN_DATA_DOUBLE = 1;
    public static final int CUDNN_DATA_HALF = 2;

    // ---- cudnnTensorFormat_t ----
    public static final int CUDNN_TENSOR_NCHW = 0;
    public static final int CUDNN_TENSOR_NHWC = 1;

    // ---- cudnnConvolutionMode_t ----
    public static final int CUDNN_CONVOLUTION = 0;
    public static final int CUDNN_CROSS_CORRELATION = 1;

    // ---- cudnnConvolutionFwdAlgo_t ----
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM = 0;

    // ---- cudnnConvolutionBwdDataAlgo_t / cudnnConvolutionBwdFilterAlgo_t (the first two of each) ----
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 = 0;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 = 1;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 = 0;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 = 1;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT = 2;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING = 3;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD = 4;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED = 5;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT = 2;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3 = 3;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED = 4;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING = 5;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_GEMM = 2;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_DIRECT = 3;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_FFT = 4;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING = 5;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD = 6;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED = 7;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;

    // ---- cudnnMathType_t ----
    public static final int CUDNN_DEFAULT_MATH = 0;
    public static final int CUDNN_TENSOR_OP_MATH = 1;
    public static final int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
    public static final int CUDNN_FMA_MATH = 3;

    // ---- cudnnActivationMode_t ----
    public static final int CUDNN_ACTIVATION_SIGMOID = 0;
    public static final int CUDNN_ACTIVATION_RELU = 1;
    public static final int CUDNN_ACTIVATION_TANH = 2;
    public static final int CUDNN_ACTIVATION_CLIPPED_RELU = 3;
    public static final int CUDNN_ACTIVATION_ELU = 4;
    public static final int CUDNN_ACTIVATION_IDENTITY = 5;
    public static final int CUDNN_ACTIVATION_SWISH = 6;

    // ---- cudnnLRNMode_t ----
    public static final int CUDNN_LRN_CROSS_CHANNEL_DIM1 = 0;

    // ---- cudnnNanPropagation_t ----
    public static final int CUDNN_NOT_PROPAGATE_NAN = 0;
    public static final int CUDNN_PROPAGATE_NAN = 1;

    // ---- cudnnPoolingMode_t ----
    public static final int CUDNN_POOLING_MAX = 0;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING = 2;
    public static final int CUDNN_POOLING_MAX_DETERMINISTIC = 3;

    // ---- cudnnSoftmaxAlgorithm_t / cudnnSoftmaxMode_t ----
    public static final int CUDNN_SOFTMAX_FAST = 0;
    public static final int CUDNN_SOFTMAX_ACCURATE = 1;
    public static final int CUDNN_SOFTMAX_LOG = 2;
    public static final int CUDNN_SOFTMAX_MODE_INSTANCE = 0;
    public static final int CUDNN_SOFTMAX_MODE_CHANNEL = 1;

    // ---- cudnnOpTensorOp_t ----
    public static final int CUDNN_OP_TENSOR_ADD = 0;
    public static final int CUDNN_OP_TENSOR_MUL = 1;
    public static final int CUDNN_OP_TENSOR_MIN = 2;
    public static final int CUDNN_OP_TENSOR_MAX = 3;

    /**
     * {@code cudnnConvolutionFwdAlgoPerf_t}: {@code { cudnnConvolutionFwdAlgo_t algo; cudnnStatus_t status;
     * float time; size_t memory; cudnnDeterminism_t determinism; cudnnMathType_t mathType; int reserved[3]; }}
     */
    public static final StructLayout cudnnConvolutionFwdAlgoPerf_t = MemoryLayout.structLayout(
            C_INT.withName("algo"),
            C_INT.withName("status"),
            C_FLOAT.withName("time"),
            MemoryLayout.paddingLayout(4),
            C_SIZE_T.withName("memory"),
            C_INT.withName("determinism"),
            C_INT.withName("mathType"),
            MemoryLayout.sequenceLayout(3, C_INT).withName("reserved"),
            MemoryLayout.paddingLayout(4)).withName("cudnnConvolutionFwdAlgoPerfStruct");

    public static final long PERF_ALGO = cudnnConvolutionFwdAlgoPerf_t.byteOffset(
            MemoryLayout.PathElement.groupElement("algo"));
    public static final long PERF_STATUS = cudnnConvolutionFwdAlgoPerf_t.byteOffset(
            MemoryLayout.PathElement.groupElement("status"));
    public static final long PERF_TIME = cudnnConvolutionFwdAlgoPerf_t.byteOffset(
            MemoryLayout.PathElement.groupElement("time"));
    public static final long PERF_MEMORY = cudnnConvolutionFwdAlgoPerf_t.byteOffset(
            MemoryLayout.PathElement.groupElement("memory"));
    public static final long PERF_MATH_TYPE = cudnnConvolutionFwdAlgoPerf_t.byteOffset(
            MemoryLayout.PathElement.groupElement("mathType"));

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

    private static final class cudnnGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_SIZE_T);
        static final MethodHandle HANDLE = link("cudnnGetVersion", DESC);
    }

    /** {@code size_t cudnnGetVersion(void)} */
    public static long cudnnGetVersion() {
        try {
            return (long) cudnnGetVersion.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetCudartVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_SIZE_T);
        static final MethodHandle HANDLE = link("cudnnGetCudartVersion", DESC);
    }

    /** {@code size_t cudnnGetCudartVersion(void)} */
    public static long cudnnGetCudartVersion() {
        try {
            return (long) cudnnGetCudartVersion.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetErrorString {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = link("cudnnGetErrorString", DESC);
    }

    /** {@code const char *cudnnGetErrorString(cudnnStatus_t status)} */
    public static MemorySegment cudnnGetErrorString(int status) {
        try {
            return (MemorySegment) cudnnGetErrorString.HANDLE.invokeExact(status);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetLastErrorString {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_POINTER, C_SIZE_T);
        static final MethodHandle HANDLE = link("cudnnGetLastErrorString", DESC);
    }

    /** {@code void cudnnGetLastErrorString(char *message, size_t max_size)} */
    public static void cudnnGetLastErrorString(MemorySegment message, long max_size) {
        try {
            cudnnGetLastErrorString.HANDLE.invokeExact(message, max_size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreate", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreate(cudnnHandle_t *handle)} */
    public static int cudnnCreate(MemorySegment handle) {
        try {
            return (int) cudnnCreate.HANDLE.invokeExact(handle);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroy", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)} */
    public static int cudnnDestroy(MemorySegment handle) {
        try {
            return (int) cudnnDestroy.HANDLE.invokeExact(handle);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc)} */
    public static int cudnnCreateTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnCreateTensorDescriptor.HANDLE.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)} */
    public static int cudnnDestroyTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnDestroyTensorDescriptor.HANDLE.invokeExact(tensorDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetTensor4dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetTensor4dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c, int h, int w)} */
    public static int cudnnSetTensor4dDescriptor(MemorySegment tensorDesc, int format, int dataType, int n, int c, int h, int w) {
        try {
            return (int) cudnnSetTensor4dDescriptor.HANDLE.invokeExact(tensorDesc, format, dataType, n, c, h, w);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetTensor4dDescriptorEx {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetTensor4dDescriptorEx", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride)} */
    public static int cudnnSetTensor4dDescriptorEx(MemorySegment tensorDesc, int dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride) {
        try {
            return (int) cudnnSetTensor4dDescriptorEx.HANDLE.invokeExact(tensorDesc, dataType, n, c, h, w, nStride, cStride, hStride, wStride);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetTensor4dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetTensor4dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t *dataType, int *n, int *c, int *h, int *w, int *nStride, int *cStride, int *hStride, int *wStride)} */
    public static int cudnnGetTensor4dDescriptor(MemorySegment tensorDesc, MemorySegment dataType, MemorySegment n, MemorySegment c, MemorySegment h, MemorySegment w, MemorySegment nStride, MemorySegment cStride, MemorySegment hStride, MemorySegment wStride) {
        try {
            return (int) cudnnGetTensor4dDescriptor.HANDLE.invokeExact(tensorDesc, dataType, n, c, h, w, nStride, cStride, hStride, wStride);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateFilterDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateFilterDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc)} */
    public static int cudnnCreateFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnCreateFilterDescriptor.HANDLE.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyFilterDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyFilterDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)} */
    public static int cudnnDestroyFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnDestroyFilterDescriptor.HANDLE.invokeExact(filterDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetFilter4dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetFilter4dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w)} */
    public static int cudnnSetFilter4dDescriptor(MemorySegment filterDesc, int dataType, int format, int k, int c, int h, int w) {
        try {
            return (int) cudnnSetFilter4dDescriptor.HANDLE.invokeExact(filterDesc, dataType, format, k, c, h, w);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetFilter4dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetFilter4dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t *dataType, cudnnTensorFormat_t *format, int *k, int *c, int *h, int *w)} */
    public static int cudnnGetFilter4dDescriptor(MemorySegment filterDesc, MemorySegment dataType, MemorySegment format, MemorySegment k, MemorySegment c, MemorySegment h, MemorySegment w) {
        try {
            return (int) cudnnGetFilter4dDescriptor.HANDLE.invokeExact(filterDesc, dataType, format, k, c, h, w);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateConvolutionDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateConvolutionDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc)} */
    public static int cudnnCreateConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnCreateConvolutionDescriptor.HANDLE.invokeExact(convDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyConvolutionDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyConvolutionDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)} */
    public static int cudnnDestroyConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnDestroyConvolutionDescriptor.HANDLE.invokeExact(convDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetConvolution2dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetConvolution2dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode, cudnnDataType_t computeType)} */
    public static int cudnnSetConvolution2dDescriptor(MemorySegment convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, int mode, int computeType) {
        try {
            return (int) cudnnSetConvolution2dDescriptor.HANDLE.invokeExact(convDesc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolution2dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolution2dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int *pad_h, int *pad_w, int *u, int *v, int *dilation_h, int *dilation_w, cudnnConvolutionMode_t *mode, cudnnDataType_t *computeType)} */
    public static int cudnnGetConvolution2dDescriptor(MemorySegment convDesc, MemorySegment pad_h, MemorySegment pad_w, MemorySegment u, MemorySegment v, MemorySegment dilation_h, MemorySegment dilation_w, MemorySegment mode, MemorySegment computeType) {
        try {
            return (int) cudnnGetConvolution2dDescriptor.HANDLE.invokeExact(convDesc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetConvolutionGroupCount {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetConvolutionGroupCount", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount)} */
    public static int cudnnSetConvolutionGroupCount(MemorySegment convDesc, int groupCount) {
        try {
            return (int) cudnnSetConvolutionGroupCount.HANDLE.invokeExact(convDesc, groupCount);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionGroupCount {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionGroupCount", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int *groupCount)} */
    public static int cudnnGetConvolutionGroupCount(MemorySegment convDesc, MemorySegment groupCount) {
        try {
            return (int) cudnnGetConvolutionGroupCount.HANDLE.invokeExact(convDesc, groupCount);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetConvolutionMathType {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetConvolutionMathType", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)} */
    public static int cudnnSetConvolutionMathType(MemorySegment convDesc, int mathType) {
        try {
            return (int) cudnnSetConvolutionMathType.HANDLE.invokeExact(convDesc, mathType);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionMathType {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionMathType", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t *mathType)} */
    public static int cudnnGetConvolutionMathType(MemorySegment convDesc, MemorySegment mathType) {
        try {
            return (int) cudnnGetConvolutionMathType.HANDLE.invokeExact(convDesc, mathType);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolution2dForwardOutputDim {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolution2dForwardOutputDim", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t inputTensorDesc, cudnnFilterDescriptor_t filterDesc, int *n, int *c, int *h, int *w)} */
    public static int cudnnGetConvolution2dForwardOutputDim(MemorySegment convDesc, MemorySegment inputTensorDesc, MemorySegment filterDesc, MemorySegment n, MemorySegment c, MemorySegment h, MemorySegment w) {
        try {
            return (int) cudnnGetConvolution2dForwardOutputDim.HANDLE.invokeExact(convDesc, inputTensorDesc, filterDesc, n, c, h, w);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionForwardAlgorithmMaxCount {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionForwardAlgorithmMaxCount", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t handle, int *count)} */
    public static int cudnnGetConvolutionForwardAlgorithmMaxCount(MemorySegment handle, MemorySegment count) {
        try {
            return (int) cudnnGetConvolutionForwardAlgorithmMaxCount.HANDLE.invokeExact(handle, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionForwardAlgorithm_v7 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionForwardAlgorithm_v7", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t srcDesc, cudnnFilterDescriptor_t filterDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t destDesc, int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults)} */
    public static int cudnnGetConvolutionForwardAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment filterDesc, MemorySegment convDesc, MemorySegment destDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionForwardAlgorithm_v7.HANDLE.invokeExact(handle, srcDesc, filterDesc, convDesc, destDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionForwardWorkspaceSize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionForwardWorkspaceSize", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc, cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionForwardWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionForwardWorkspaceSize.HANDLE.invokeExact(handle, xDesc, wDesc, convDesc, yDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnConvolutionForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnConvolutionForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, cudnnFilterDescriptor_t wDesc, const void *w, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnConvolutionForward(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnConvolutionForward.HANDLE.invokeExact(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnConvolutionBiasActivationForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnConvolutionBiasActivationForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBiasActivationForward(cudnnHandle_t handle, const void *alpha1, cudnnTensorDescriptor_t xDesc, const void *x, cudnnFilterDescriptor_t wDesc, const void *w, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *alpha2, cudnnTensorDescriptor_t zDesc, const void *z, cudnnTensorDescriptor_t biasDesc, const void *bias, cudnnActivationDescriptor_t activationDesc, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnConvolutionBiasActivationForward(MemorySegment handle, MemorySegment alpha1, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment alpha2, MemorySegment zDesc, MemorySegment z, MemorySegment biasDesc, MemorySegment bias, MemorySegment activationDesc, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnConvolutionBiasActivationForward.HANDLE.invokeExact(handle, alpha1, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, alpha2, zDesc, z, biasDesc, bias, activationDesc, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateActivationDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateActivationDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t *activationDesc)} */
    public static int cudnnCreateActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) cudnnCreateActivationDescriptor.HANDLE.invokeExact(activationDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyActivationDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyActivationDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t activationDesc)} */
    public static int cudnnDestroyActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) cudnnDestroyActivationDescriptor.HANDLE.invokeExact(activationDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetActivationDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_DOUBLE);
        static final MethodHandle HANDLE = link("cudnnSetActivationDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t activationDesc, cudnnActivationMode_t mode, cudnnNanPropagation_t reluNanOpt, double coef)} */
    public static int cudnnSetActivationDescriptor(MemorySegment activationDesc, int mode, int reluNanOpt, double coef) {
        try {
            return (int) cudnnSetActivationDescriptor.HANDLE.invokeExact(activationDesc, mode, reluNanOpt, coef);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetActivationDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetActivationDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetActivationDescriptor(cudnnActivationDescriptor_t activationDesc, cudnnActivationMode_t *mode, cudnnNanPropagation_t *reluNanOpt, double *coef)} */
    public static int cudnnGetActivationDescriptor(MemorySegment activationDesc, MemorySegment mode, MemorySegment reluNanOpt, MemorySegment coef) {
        try {
            return (int) cudnnGetActivationDescriptor.HANDLE.invokeExact(activationDesc, mode, reluNanOpt, coef);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnActivationForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnActivationForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnActivationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnActivationForward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnActivationForward.HANDLE.invokeExact(handle, activationDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreatePoolingDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreatePoolingDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t *poolingDesc)} */
    public static int cudnnCreatePoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) cudnnCreatePoolingDescriptor.HANDLE.invokeExact(poolingDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyPoolingDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyPoolingDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc)} */
    public static int cudnnDestroyPoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) cudnnDestroyPoolingDescriptor.HANDLE.invokeExact(poolingDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetPooling2dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetPooling2dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t mode, cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride)} */
    public static int cudnnSetPooling2dDescriptor(MemorySegment poolingDesc, int mode, int maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride) {
        try {
            return (int) cudnnSetPooling2dDescriptor.HANDLE.invokeExact(poolingDesc, mode, maxpoolingNanOpt, windowHeight, windowWidth, verticalPadding, horizontalPadding, verticalStride, horizontalStride);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetPooling2dDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetPooling2dDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t *mode, cudnnNanPropagation_t *maxpoolingNanOpt, int *windowHeight, int *windowWidth, int *verticalPadding, int *horizontalPadding, int *verticalStride, int *horizontalStride)} */
    public static int cudnnGetPooling2dDescriptor(MemorySegment poolingDesc, MemorySegment mode, MemorySegment maxpoolingNanOpt, MemorySegment windowHeight, MemorySegment windowWidth, MemorySegment verticalPadding, MemorySegment horizontalPadding, MemorySegment verticalStride, MemorySegment horizontalStride) {
        try {
            return (int) cudnnGetPooling2dDescriptor.HANDLE.invokeExact(poolingDesc, mode, maxpoolingNanOpt, windowHeight, windowWidth, verticalPadding, horizontalPadding, verticalStride, horizontalStride);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetPooling2dForwardOutputDim {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetPooling2dForwardOutputDim", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetPooling2dForwardOutputDim(cudnnPoolingDescriptor_t poolingDesc, cudnnTensorDescriptor_t inputTensorDesc, int *n, int *c, int *h, int *w)} */
    public static int cudnnGetPooling2dForwardOutputDim(MemorySegment poolingDesc, MemorySegment inputTensorDesc, MemorySegment n, MemorySegment c, MemorySegment h, MemorySegment w) {
        try {
            return (int) cudnnGetPooling2dForwardOutputDim.HANDLE.invokeExact(poolingDesc, inputTensorDesc, n, c, h, w);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnPoolingForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnPoolingForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, cudnnPoolingDescriptor_t poolingDesc, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnPoolingForward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnPoolingForward.HANDLE.invokeExact(handle, poolingDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSoftmaxForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnSoftmaxForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnSoftmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnSoftmaxForward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnSoftmaxForward.HANDLE.invokeExact(handle, algo, mode, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnAddTensor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnAddTensor", DESC);
    }

    /** {@code cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t aDesc, const void *A, const void *beta, cudnnTensorDescriptor_t cDesc, void *C)} */
    public static int cudnnAddTensor(MemorySegment handle, MemorySegment alpha, MemorySegment aDesc, MemorySegment A, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) cudnnAddTensor.HANDLE.invokeExact(handle, alpha, aDesc, A, beta, cDesc, C);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetTensor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnSetTensor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetTensor(cudnnHandle_t handle, cudnnTensorDescriptor_t yDesc, void *y, const void *valuePtr)} */
    public static int cudnnSetTensor(MemorySegment handle, MemorySegment yDesc, MemorySegment y, MemorySegment valuePtr) {
        try {
            return (int) cudnnSetTensor.HANDLE.invokeExact(handle, yDesc, y, valuePtr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnTransformTensor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnTransformTensor", DESC);
    }

    /** {@code cudnnStatus_t cudnnTransformTensor(cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnTransformTensor(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnTransformTensor.HANDLE.invokeExact(handle, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateOpTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateOpTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateOpTensorDescriptor(cudnnOpTensorDescriptor_t *opTensorDesc)} */
    public static int cudnnCreateOpTensorDescriptor(MemorySegment opTensorDesc) {
        try {
            return (int) cudnnCreateOpTensorDescriptor.HANDLE.invokeExact(opTensorDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyOpTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyOpTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc)} */
    public static int cudnnDestroyOpTensorDescriptor(MemorySegment opTensorDesc) {
        try {
            return (int) cudnnDestroyOpTensorDescriptor.HANDLE.invokeExact(opTensorDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetOpTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = link("cudnnSetOpTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc, cudnnOpTensorOp_t opTensorOp, cudnnDataType_t opTensorCompType, cudnnNanPropagation_t opTensorNanOpt)} */
    public static int cudnnSetOpTensorDescriptor(MemorySegment opTensorDesc, int opTensorOp, int opTensorCompType, int opTensorNanOpt) {
        try {
            return (int) cudnnSetOpTensorDescriptor.HANDLE.invokeExact(opTensorDesc, opTensorOp, opTensorCompType, opTensorNanOpt);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetOpTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetOpTensorDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc, cudnnOpTensorOp_t *opTensorOp, cudnnDataType_t *opTensorCompType, cudnnNanPropagation_t *opTensorNanOpt)} */
    public static int cudnnGetOpTensorDescriptor(MemorySegment opTensorDesc, MemorySegment opTensorOp, MemorySegment opTensorCompType, MemorySegment opTensorNanOpt) {
        try {
            return (int) cudnnGetOpTensorDescriptor.HANDLE.invokeExact(opTensorDesc, opTensorOp, opTensorCompType, opTensorNanOpt);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnOpTensor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnOpTensor", DESC);
    }

    /** {@code cudnnStatus_t cudnnOpTensor(cudnnHandle_t handle, cudnnOpTensorDescriptor_t opTensorDesc, const void *alpha1, cudnnTensorDescriptor_t aDesc, const void *A, const void *alpha2, cudnnTensorDescriptor_t bDesc, const void *B, const void *beta, cudnnTensorDescriptor_t cDesc, void *C)} */
    public static int cudnnOpTensor(MemorySegment handle, MemorySegment opTensorDesc, MemorySegment alpha1, MemorySegment aDesc, MemorySegment A, MemorySegment alpha2, MemorySegment bDesc, MemorySegment B, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) cudnnOpTensor.HANDLE.invokeExact(handle, opTensorDesc, alpha1, aDesc, A, alpha2, bDesc, B, beta, cDesc, C);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- Backward ops (training) ----

    private static final class cudnnConvolutionBackwardData {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnConvolutionBackwardData", DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha, cudnnFilterDescriptor_t wDesc, const void *w, cudnnTensorDescriptor_t dyDesc, const void *dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnConvolutionBackwardData(MemorySegment handle, MemorySegment alpha, MemorySegment wDesc, MemorySegment w, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnConvolutionBackwardData.HANDLE.invokeExact(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnConvolutionBackwardFilter {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnConvolutionBackwardFilter", DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x, cudnnTensorDescriptor_t dyDesc, const void *dy, cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, cudnnFilterDescriptor_t dwDesc, void *dw)} */
    public static int cudnnConvolutionBackwardFilter(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dwDesc, MemorySegment dw) {
        try {
            return (int) cudnnConvolutionBackwardFilter.HANDLE.invokeExact(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dwDesc, dw);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnConvolutionBackwardBias {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnConvolutionBackwardBias", DESC);
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, cudnnTensorDescriptor_t dbDesc, void *db)} */
    public static int cudnnConvolutionBackwardBias(MemorySegment handle, MemorySegment alpha, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dbDesc, MemorySegment db) {
        try {
            return (int) cudnnConvolutionBackwardBias.HANDLE.invokeExact(handle, alpha, dyDesc, dy, beta, dbDesc, db);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnPoolingBackward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnPoolingBackward", DESC);
    }

    /** {@code cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnPoolingBackward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnPoolingBackward.HANDLE.invokeExact(handle, poolingDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnActivationBackward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnActivationBackward", DESC);
    }

    /** {@code cudnnStatus_t cudnnActivationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnActivationBackward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnActivationBackward.HANDLE.invokeExact(handle, activationDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSoftmaxBackward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnSoftmaxBackward", DESC);
    }

    /** {@code cudnnStatus_t cudnnSoftmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnSoftmaxBackward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnSoftmaxBackward.HANDLE.invokeExact(handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionBackwardDataWorkspaceSize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionBackwardDataWorkspaceSize", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardDataWorkspaceSize(MemorySegment handle, MemorySegment wDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment dxDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardDataWorkspaceSize.HANDLE.invokeExact(handle, wDesc, dyDesc, convDesc, dxDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetConvolutionBackwardFilterWorkspaceSize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetConvolutionBackwardFilterWorkspaceSize", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardFilterWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment dwDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardFilterWorkspaceSize.HANDLE.invokeExact(handle, xDesc, dyDesc, convDesc, dwDesc, algo, sizeInBytes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetActivationDescriptorSwishBeta {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_DOUBLE);
        static final MethodHandle HANDLE = link("cudnnSetActivationDescriptorSwishBeta", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetActivationDescriptorSwishBeta(cudnnActivationDescriptor_t activationDesc, double swish_beta)} */
    public static int cudnnSetActivationDescriptorSwishBeta(MemorySegment activationDesc, double swishBeta) {
        try {
            return (int) cudnnSetActivationDescriptorSwishBeta.HANDLE.invokeExact(activationDesc, swishBeta);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnCreateLRNDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnCreateLRNDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnCreateLRNDescriptor(cudnnLRNDescriptor_t *normDesc)} */
    public static int cudnnCreateLRNDescriptor(MemorySegment normDesc) {
        try {
            return (int) cudnnCreateLRNDescriptor.HANDLE.invokeExact(normDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnDestroyLRNDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnDestroyLRNDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnDestroyLRNDescriptor(cudnnLRNDescriptor_t lrnDesc)} */
    public static int cudnnDestroyLRNDescriptor(MemorySegment lrnDesc) {
        try {
            return (int) cudnnDestroyLRNDescriptor.HANDLE.invokeExact(lrnDesc);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnSetLRNDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_DOUBLE, C_DOUBLE, C_DOUBLE);
        static final MethodHandle HANDLE = link("cudnnSetLRNDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnSetLRNDescriptor(cudnnLRNDescriptor_t normDesc, unsigned lrnN, double lrnAlpha, double lrnBeta, double lrnK)} */
    public static int cudnnSetLRNDescriptor(MemorySegment normDesc, int lrnN, double lrnAlpha, double lrnBeta, double lrnK) {
        try {
            return (int) cudnnSetLRNDescriptor.HANDLE.invokeExact(normDesc, lrnN, lrnAlpha, lrnBeta, lrnK);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnGetLRNDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnGetLRNDescriptor", DESC);
    }

    /** {@code cudnnStatus_t cudnnGetLRNDescriptor(cudnnLRNDescriptor_t normDesc, unsigned *lrnN, double *lrnAlpha, double *lrnBeta, double *lrnK)} */
    public static int cudnnGetLRNDescriptor(MemorySegment normDesc, MemorySegment lrnN, MemorySegment lrnAlpha, MemorySegment lrnBeta, MemorySegment lrnK) {
        try {
            return (int) cudnnGetLRNDescriptor.HANDLE.invokeExact(normDesc, lrnN, lrnAlpha, lrnBeta, lrnK);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cudnnLRNCrossChannelForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = link("cudnnLRNCrossChannelForward", DESC);
    }

    /** {@code cudnnStatus_t cudnnLRNCrossChannelForward(cudnnHandle_t handle, cudnnLRNDescriptor_t normDesc, cudnnLRNMode_t lrnMode, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnLRNCrossChannelForward(MemorySegment handle, MemorySegment normDesc, int lrnMode, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnLRNCrossChannelForward.HANDLE.invokeExact(handle, normDesc, lrnMode, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
