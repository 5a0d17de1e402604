package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.tensor.Layout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bindings against the real libcudnn.so.9 / libcudart.so.12, host-only calls (no GPU, no driver needed). */
class NativeBindingsTest {
    private static final System.Logger LOG = System.getLogger("dev.fovea.backend.cudnn.test");

    /** Per test (loading is idempotent), so each test reports the skip reason without the libraries. */
    @BeforeEach
    void load() {
        NativeLibs.load();
    }

    @Test
    void everyBoundSymbolResolvesAndLinks() throws ClassNotFoundException {
        for (var lib : List.of(new Object[] {Cudnn.class, Cudnn.SYMBOLS}, new Object[] {CudaRuntime.class,
            CudaRuntime.SYMBOLS})) {
            Class<?> owner = (Class<?>) lib[0];
            @SuppressWarnings("unchecked")
            List<String> symbols = (List<String>) lib[1];
            Set<String> holders = new TreeSet<>();
            for (Class<?> c : owner.getDeclaredClasses()) {
                holders.add(c.getSimpleName());
            }
            assertEquals(holders, new TreeSet<>(symbols), owner + ": holder classes and SYMBOLS differ");
            for (String s : symbols) {
                boolean found = owner == Cudnn.class ? Cudnn.find(s).isPresent() : CudaRuntime.find(s).isPresent();
                assertTrue(found, s + " is not exported by " + owner.getSimpleName());
                // Runs the holder's static initializer: finds the symbol and creates the downcall handle.
                Class.forName(owner.getName() + "$" + s, true, owner.getClassLoader());
            }
        }
    }

    @Test
    void versions() {
        long v = Cudnn.cudnnGetVersion();
        assertTrue(v >= CudnnBackendProvider.MIN_CUDNN_VERSION, "cudnnGetVersion " + v);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            assertEquals(0, CudaRuntime.cudaRuntimeGetVersion(out));
            int runtime = out.get(ValueLayout.JAVA_INT, 0);
            assertTrue(runtime >= 12000, "cudaRuntimeGetVersion " + runtime);
            assertEquals(12, Cudnn.cudnnGetCudartVersion() / 1000);
            LOG.log(System.Logger.Level.INFO, "cudnnGetVersion {0}, cudnnGetCudartVersion {1}, cudaRuntimeGetVersion {2}",
                    v, Cudnn.cudnnGetCudartVersion(), runtime);
        }
    }

    @Test
    void statusAndErrorNames() {
        assertEquals("CUDNN_STATUS_SUCCESS", Native.cudnnStatusName(0));
        assertEquals("CUDNN_STATUS_NOT_INITIALIZED", Native.cudnnStatusName(1001));
        assertEquals("CUDNN_STATUS_BAD_PARAM", Native.cudnnStatusName(2000));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", Native.cudnnStatusName(3000));
        assertEquals("cudaErrorInsufficientDriver", Native.cudaErrorName(35));
        assertEquals("cudaErrorNoDevice", Native.cudaErrorName(100));
        assertFalse(Native.cudaErrorString(35).isBlank());
    }

    @Test
    void tensorDescriptorRoundTrips() {
        try (Descriptors d = new Descriptors(); Arena a = Arena.ofConfined()) {
            for (Dims4 dims : List.of(Dims4.dense(2, 3, 5, 7, Layout.NCHW), Dims4.dense(2, 3, 5, 7, Layout.NHWC),
                    // a channel slice [.., 3 of 8 channels, ..] of an NHWC tensor: the concat destination case
                    Dims4.dense(2, 8, 5, 7, Layout.NHWC).withSizes(2, 3, 5, 7),
                    Dims4.dense(4, 10, 1, 1, Layout.NCHW))) {
                MemorySegment desc = d.tensor(dims);
                MemorySegment v = a.allocate(ValueLayout.JAVA_INT, 9);
                Native.check(Cudnn.cudnnGetTensor4dDescriptor(desc, v, v.asSlice(4), v.asSlice(8), v.asSlice(12),
                        v.asSlice(16), v.asSlice(20), v.asSlice(24), v.asSlice(28), v.asSlice(32)),
                        "cudnnGetTensor4dDescriptor");
                int[] got = v.toArray(ValueLayout.JAVA_INT);
                assertArrayEqualsInt(new long[] {Cudnn.CUDNN_DATA_FLOAT, dims.n(), dims.c(), dims.h(), dims.w(),
                    dims.ns(), dims.cs(), dims.hs(), dims.ws()}, got, dims.toString());
            }
            // cudnnSetTensor4dDescriptor with the NHWC format yields the same strides as Layout.NHWC.
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Native.check(Cudnn.cudnnCreateTensorDescriptor(out), "cudnnCreateTensorDescriptor");
            MemorySegment nhwc = out.get(ValueLayout.ADDRESS, 0);
            try {
                Native.check(Cudnn.cudnnSetTensor4dDescriptor(nhwc, Cudnn.CUDNN_TENSOR_NHWC, Cudnn.CUDNN_DATA_FLOAT,
                        2, 3, 5, 7), "cudnnSetTensor4dDescriptor");
                MemorySegment v = a.allocate(ValueLayout.JAVA_INT, 9);
                Native.check(Cudnn.cudnnGetTensor4dDescriptor(nhwc, v, v.asSlice(4), v.asSlice(8), v.asSlice(12),
                        v.asSlice(16), v.asSlice(20), v.asSlice(24), v.asSlice(28), v.asSlice(32)),
                        "cudnnGetTensor4dDescriptor");
                long[] strides = dev.fovea.tensor.Layout.NHWC.denseStrides(dev.fovea.tensor.Shape.of(2, 3, 5, 7));
                assertArrayEqualsInt(strides, Arrays.copyOfRange(v.toArray(ValueLayout.JAVA_INT), 5, 9), "NHWC");
            } finally {
                Cudnn.cudnnDestroyTensorDescriptor(nhwc);
            }
        }
    }

    @Test
    void filterConvolutionPoolingActivationOpTensorRoundTrips() {
        try (Descriptors d = new Descriptors(); Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT, 9);
            MemorySegment f = d.filter(Cudnn.CUDNN_TENSOR_NHWC, 64, 3, 7, 5);
            Native.check(Cudnn.cudnnGetFilter4dDescriptor(f, v, v.asSlice(4), v.asSlice(8), v.asSlice(12),
                    v.asSlice(16), v.asSlice(20)), "cudnnGetFilter4dDescriptor");
            assertArrayEqualsInt(new long[] {Cudnn.CUDNN_DATA_FLOAT, Cudnn.CUDNN_TENSOR_NHWC, 64, 3, 7, 5},
                    Arrays.copyOf(v.toArray(ValueLayout.JAVA_INT), 6), "filter");

            MemorySegment c = d.convolution(3, 1, 2, 1, 1, 2, 4, Cudnn.CUDNN_FMA_MATH);
            Native.check(Cudnn.cudnnGetConvolution2dDescriptor(c, v, v.asSlice(4), v.asSlice(8), v.asSlice(12),
                    v.asSlice(16), v.asSlice(20), v.asSlice(24), v.asSlice(28)), "cudnnGetConvolution2dDescriptor");
            assertArrayEqualsInt(new long[] {3, 1, 2, 1, 1, 2, Cudnn.CUDNN_CROSS_CORRELATION, Cudnn.CUDNN_DATA_FLOAT},
                    Arrays.copyOf(v.toArray(ValueLayout.JAVA_INT), 8), "convolution");
            Native.check(Cudnn.cudnnGetConvolutionGroupCount(c, v), "cudnnGetConvolutionGroupCount");
            assertEquals(4, v.get(ValueLayout.JAVA_INT, 0));
            Native.check(Cudnn.cudnnGetConvolutionMathType(c, v), "cudnnGetConvolutionMathType");
            assertEquals(Cudnn.CUDNN_FMA_MATH, v.get(ValueLayout.JAVA_INT, 0));

            MemorySegment p = d.pooling(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, Cudnn.CUDNN_PROPAGATE_NAN,
                    3, 2, 1, 0, 2, 1);
            Native.check(Cudnn.cudnnGetPooling2dDescriptor(p, v, v.asSlice(4), v.asSlice(8), v.asSlice(12),
                    v.asSlice(16), v.asSlice(20), v.asSlice(24), v.asSlice(28)), "cudnnGetPooling2dDescriptor");
            assertArrayEqualsInt(new long[] {Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                Cudnn.CUDNN_PROPAGATE_NAN, 3, 2, 1, 0, 2, 1}, Arrays.copyOf(v.toArray(ValueLayout.JAVA_INT), 8),
                    "pooling");

            MemorySegment act = d.activation(Cudnn.CUDNN_ACTIVATION_TANH, Cudnn.CUDNN_NOT_PROPAGATE_NAN, 0.5);
            MemorySegment coef = a.allocate(ValueLayout.JAVA_DOUBLE);
            Native.check(Cudnn.cudnnGetActivationDescriptor(act, v, v.asSlice(4), coef), "cudnnGetActivationDescriptor");
            assertEquals(Cudnn.CUDNN_ACTIVATION_TANH, v.get(ValueLayout.JAVA_INT, 0));
            assertEquals(Cudnn.CUDNN_NOT_PROPAGATE_NAN, v.get(ValueLayout.JAVA_INT, 4));
            assertEquals(0.5, coef.get(ValueLayout.JAVA_DOUBLE, 0));

            MemorySegment op = d.opTensor(Cudnn.CUDNN_OP_TENSOR_MUL);
            Native.check(Cudnn.cudnnGetOpTensorDescriptor(op, v, v.asSlice(4), v.asSlice(8)),
                    "cudnnGetOpTensorDescriptor");
            assertArrayEqualsInt(new long[] {Cudnn.CUDNN_OP_TENSOR_MUL, Cudnn.CUDNN_DATA_FLOAT,
                Cudnn.CUDNN_PROPAGATE_NAN}, Arrays.copyOf(v.toArray(ValueLayout.JAVA_INT), 3), "opTensor");
        }
    }

    @Test
    void invalidDescriptorIsReportedWithFunctionStatusAndCudnnsExplanation() {
        try (Descriptors d = new Descriptors()) {
            CudnnException e = assertThrows(CudnnException.class, () -> d.tensor(new Dims4(0, 3, 5, 7, 105, 35, 7, 1)));
            assertEquals("cudnnSetTensor4dDescriptorEx", e.function());
            assertTrue(e.status() >= 2000 && e.status() < 3000, e.getMessage());
            assertTrue(e.getMessage().startsWith("cudnnSetTensor4dDescriptorEx failed: " + e.statusName() + " ("
                    + e.status() + ")"), e.getMessage());
            LOG.log(System.Logger.Level.INFO, "invalid descriptor: {0}", e.getMessage());
        }
    }

    /** Compute entry points with a NULL handle must refuse (BAD_PARAM), not crash: the binding's argument order. */
    @Test
    void computeCallsWithNullHandleReturnBadParam() {
        MemorySegment nul = MemorySegment.NULL;
        try (Descriptors d = new Descriptors(); Arena a = Arena.ofConfined()) {
            MemorySegment x = d.tensor(Dims4.dense(1, 4, 8, 8, Layout.NCHW));
            MemorySegment y = d.tensor(Dims4.dense(1, 4, 8, 8, Layout.NCHW));
            MemorySegment bias = d.tensor(Dims4.dense(1, 4, 1, 1, Layout.NCHW));
            MemorySegment w = d.filter(Cudnn.CUDNN_TENSOR_NCHW, 4, 4, 3, 3);
            MemorySegment conv = d.convolution(1, 1, 1, 1, 1, 1, 1, Cudnn.CUDNN_FMA_MATH);
            MemorySegment pool = d.pooling(Cudnn.CUDNN_POOLING_MAX, Cudnn.CUDNN_PROPAGATE_NAN, 3, 3, 1, 1, 1, 1);
            MemorySegment act = d.activation(Cudnn.CUDNN_ACTIVATION_RELU, Cudnn.CUDNN_NOT_PROPAGATE_NAN, 0);
            MemorySegment op = d.opTensor(Cudnn.CUDNN_OP_TENSOR_MUL);
            MemorySegment one = Native.ONE;
            MemorySegment zero = Native.ZERO;
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment perf = a.allocate(Cudnn.cudnnConvolutionFwdAlgoPerf_t, 8);
            MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
            Map<String, Integer> compute = new LinkedHashMap<>();
            compute.put("cudnnConvolutionForward", Cudnn.cudnnConvolutionForward(nul, one, x, nul, w, nul, conv,
                    Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nul, 0, zero, y, nul));
            compute.put("cudnnConvolutionBiasActivationForward", Cudnn.cudnnConvolutionBiasActivationForward(nul,
                    one, x, nul, w, nul, conv, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, nul, 0, zero, y,
                    nul, bias, nul, act, y, nul));
            compute.put("cudnnGetConvolutionForwardWorkspaceSize", Cudnn.cudnnGetConvolutionForwardWorkspaceSize(
                    nul, x, w, conv, y, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, size));
            compute.put("cudnnPoolingForward", Cudnn.cudnnPoolingForward(nul, pool, one, x, nul, zero, y, nul));
            compute.put("cudnnActivationForward", Cudnn.cudnnActivationForward(nul, act, one, x, nul, zero, y, nul));
            compute.put("cudnnSoftmaxForward", Cudnn.cudnnSoftmaxForward(nul, Cudnn.CUDNN_SOFTMAX_ACCURATE,
                    Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE, one, x, nul, zero, y, nul));
            compute.put("cudnnAddTensor", Cudnn.cudnnAddTensor(nul, one, bias, nul, one, y, nul));
            compute.put("cudnnGetConvolutionForwardAlgorithmMaxCount",
                    Cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(nul, count));
            compute.put("cudnnOpTensor", Cudnn.cudnnOpTensor(nul, op, one, x, nul, one, bias, nul, zero, y, nul));
            // The backward ops training needs (bound now; used by the backend once it declares TRAINING).
            compute.put("cudnnConvolutionBackwardData", Cudnn.cudnnConvolutionBackwardData(nul, one, w, nul, y, nul,
                    conv, Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, nul, 0, zero, x, nul));
            compute.put("cudnnConvolutionBackwardFilter", Cudnn.cudnnConvolutionBackwardFilter(nul, one, x, nul, y,
                    nul, conv, Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, nul, 0, zero, w, nul));
            compute.put("cudnnConvolutionBackwardBias", Cudnn.cudnnConvolutionBackwardBias(nul, one, y, nul, zero,
                    bias, nul));
            compute.put("cudnnPoolingBackward", Cudnn.cudnnPoolingBackward(nul, pool, one, y, nul, y, nul, x, nul,
                    zero, x, nul));
            compute.put("cudnnActivationBackward", Cudnn.cudnnActivationBackward(nul, act, one, y, nul, y, nul, x,
                    nul, zero, x, nul));
            MemorySegment lrn = d.lrn(5, 1e-4, 0.75, 2.0);
            compute.put("cudnnSoftmaxBackward", Cudnn.cudnnSoftmaxBackward(nul, Cudnn.CUDNN_SOFTMAX_ACCURATE,
                    Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE, one, y, nul, y, nul, zero, x, nul));
            compute.put("cudnnLRNCrossChannelForward", Cudnn.cudnnLRNCrossChannelForward(nul, lrn,
                    Cudnn.CUDNN_LRN_CROSS_CHANNEL_DIM1, one, x, nul, zero, y, nul));
            compute.put("cudnnGetConvolutionBackwardDataWorkspaceSize",
                    Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(nul, w, y, conv, x,
                            Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, size));
            compute.put("cudnnGetConvolutionBackwardFilterWorkspaceSize",
                    Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(nul, x, y, conv, w,
                            Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, size));
            // These open the device tier (libcudnn_engines_*, _heuristic) before looking at the handle: without it
            // they return SUBLIBRARY_LOADING_FAILED (1008) rather than aborting; with it, BAD_PARAM.
            Map<String, Integer> heuristics = new LinkedHashMap<>();
            heuristics.put("cudnnSetTensor", Cudnn.cudnnSetTensor(nul, y, nul, zero));
            heuristics.put("cudnnTransformTensor", Cudnn.cudnnTransformTensor(nul, one, x, nul, zero, y, nul));
            heuristics.put("cudnnGetConvolutionForwardAlgorithm_v7", Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(nul,
                    x, w, conv, y, 8, count, perf));
            LOG.log(System.Logger.Level.INFO, "NULL handle: compute {0}, heuristics {1}", compute, heuristics);
            compute.forEach((fn, st) -> check(fn, st, Cudnn.CUDNN_STATUS_BAD_PARAM));
            boolean deviceTier = CudnnLibraries.missingFiles(NativeLibs.location().cudnnDir(),
                    CudnnLibraries.DEVICE_TIER).isEmpty();
            // Measured here only without the device tier (1008); with it, any BAD_PARAM code is accepted.
            heuristics.forEach((fn, st) -> {
                if (deviceTier) {
                    assertTrue(st >= 2000 && st < 3000, fn + " returned " + st + " " + Native.cudnnStatusName(st));
                } else {
                    check(fn, st, 1008);
                }
            });
        }
    }

    private static void check(String fn, int status, int expected) {
        assertEquals(expected, status, fn + " with a NULL handle returned " + status + " "
                + Native.cudnnStatusName(status));
        CudnnException e = assertThrows(CudnnException.class, () -> Native.check(status, fn));
        assertTrue(e.getMessage().startsWith(fn + " failed: " + Native.cudnnStatusName(expected) + " (" + expected
                + ")"), e.getMessage());
    }

    @Test
    void noDriverMeansNoDeviceAndAnExplainedFailure() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            int err = CudaRuntime.cudaGetDeviceCount(count);
            org.junit.jupiter.api.Assumptions.assumeTrue(err != 0 || count.get(ValueLayout.JAVA_INT, 0) == 0,
                    "this machine has a CUDA device");
            LOG.log(System.Logger.Level.INFO, "cudaGetDeviceCount: {0} {1}", err, Native.cudaErrorName(err));
            CudnnException e = assertThrows(CudnnException.class, () -> new CudnnContext(0));
            assertTrue(e.function().equals("cudaSetDevice") || e.function().equals("cudnnCreate"), e.getMessage());
            assertEquals(err, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains(Native.cudaErrorString(err)), e.getMessage());
        }
    }

    private static void assertArrayEqualsInt(long[] expected, int[] got, String what) {
        long[] g = Arrays.stream(got).asLongStream().toArray();
        assertEquals(Arrays.toString(expected), Arrays.toString(g), what);
    }
}
