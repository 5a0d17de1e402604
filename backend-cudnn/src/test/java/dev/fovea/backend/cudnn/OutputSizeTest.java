package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.tensor.Layout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * cuDNN's own output-size queries against the API's shape inference on every case of {@link Cases}:
 * <ul>
 *   <li>on the geometry the backend actually hands cuDNN (symmetric pad, explicitly padded buffer), cuDNN's size
 *       equals the descriptor's output;</li>
 *   <li>an axis is padded explicitly exactly when cuDNN, given the op's leading pad symmetrically on the raw input,
 *       computes another size (the cases cuDNN cannot express are the ones the backend pads itself).</li>
 * </ul>
 */
class OutputSizeTest {
    private static final System.Logger LOG = System.getLogger("dev.fovea.backend.cudnn.test");

    /** Per test (loading is idempotent), so each test reports the skip reason without the libraries. */
    @BeforeEach
    void load() {
        NativeLibs.load();
    }

    @Test
    void convolution() {
        int explicitAxes = 0;
        int cases = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT, 4);
            for (ConvolutionDescriptor op : Cases.convolutions()) {
                cases++;
                CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
                int[] used = convOutput(out, op, g.paddedH(op.input().h()), g.paddedW(op.input().w()), g.padH(),
                        g.padW(), false);
                assertEquals(op.output().toString(), java.util.Arrays.toString(used), "cuDNN on the backend's geometry: " + op + " " + g);
                // One axis at a time on the raw input with the op's leading pad, the other as the backend does it.
                boolean expressibleH = convOutput(out, op, op.input().h(), g.paddedW(op.input().w()), op.pads().top(),
                        g.padW(), true)[2] == op.output().h();
                boolean expressibleW = convOutput(out, op, g.paddedH(op.input().h()), op.input().w(), g.padH(),
                        op.pads().left(), true)[3] == op.output().w();
                assertEquals(!expressibleH, g.extraTop() + g.extraBottom() > 0, "height of " + op + " " + g);
                assertEquals(!expressibleW, g.extraLeft() + g.extraRight() > 0, "width of " + op + " " + g);
                explicitAxes += (expressibleH ? 0 : 1) + (expressibleW ? 0 : 1);
            }
        }
        LOG.log(System.Logger.Level.INFO, "convolution: {0} cases, {1} axes padded explicitly", cases, explicitAxes);
        assertTrue(cases > 1500 && explicitAxes > 100, cases + " cases, " + explicitAxes + " explicit axes");
    }

    private static int[] convOutput(MemorySegment out, ConvolutionDescriptor op, int h, int w, int padH, int padW,
                                    boolean refusable) {
        try (Descriptors d = new Descriptors()) {
            MemorySegment x = d.tensor(Dims4.dense(op.input().n(), op.input().c(), h, w, Layout.NCHW));
            MemorySegment f = d.filter(Cudnn.CUDNN_TENSOR_NCHW, op.filters(), op.input().c() / op.groups(),
                    op.kernelH(), op.kernelW());
            MemorySegment c = d.convolution(padH, padW, op.strideH(), op.strideW(), op.dilationH(), op.dilationW(),
                    op.groups(), Cudnn.CUDNN_FMA_MATH);
            int st = Cudnn.cudnnGetConvolution2dForwardOutputDim(c, x, f, out, out.asSlice(4), out.asSlice(8),
                    out.asSlice(12));
            if (st == Cudnn.CUDNN_STATUS_BAD_PARAM && refusable) {
                return new int[] {-1, -1, -1, -1}; // cuDNN refuses this geometry (output ≤ 0): not expressible
            }
            Native.check(st, "cudnnGetConvolution2dForwardOutputDim for " + op + " input " + h + "×" + w + " pad "
                    + padH + "×" + padW);
            return out.toArray(ValueLayout.JAVA_INT);
        }
    }

    @Test
    void pooling() {
        int explicitAxes = 0;
        int cases = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT, 4);
            for (PoolingDescriptor op : Cases.poolings()) {
                cases++;
                CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
                CudnnGeometry.Padded g = plan.padded();
                int[] used = poolOutput(out, op, plan.cudnnMode(), g.paddedH(op.input().h()),
                        g.paddedW(op.input().w()), g.padH(), g.padW(), false);
                assertEquals(op.output().toString(), java.util.Arrays.toString(used), "cuDNN on the backend's geometry: " + op + " " + g);
                boolean expressibleH = poolOutput(out, op, plan.cudnnMode(), op.input().h(),
                        g.paddedW(op.input().w()), op.pads().top(), g.padW(), true)[2] == op.output().h();
                boolean expressibleW = poolOutput(out, op, plan.cudnnMode(), g.paddedH(op.input().h()),
                        op.input().w(), g.padH(), op.pads().left(), true)[3] == op.output().w();
                assertEquals(!expressibleH, g.extraTop() + g.extraBottom() > 0, "height of " + op + " " + g);
                assertEquals(!expressibleW, g.extraLeft() + g.extraRight() > 0, "width of " + op + " " + g);
                explicitAxes += (expressibleH ? 0 : 1) + (expressibleW ? 0 : 1);
            }
        }
        LOG.log(System.Logger.Level.INFO, "pooling: {0} cases, {1} axes padded explicitly", cases, explicitAxes);
        assertTrue(cases > 1500 && explicitAxes > 100, cases + " cases, " + explicitAxes + " explicit axes");
    }

    private static int[] poolOutput(MemorySegment out, PoolingDescriptor op, int mode, int h, int w, int padH,
                                    int padW, boolean refusable) {
        try (Descriptors d = new Descriptors()) {
            MemorySegment x = d.tensor(Dims4.dense(op.input().n(), op.input().c(), h, w, Layout.NCHW));
            MemorySegment p = d.pooling(mode, Cudnn.CUDNN_PROPAGATE_NAN, op.kernelH(), op.kernelW(), padH, padW,
                    op.strideH(), op.strideW());
            int st = Cudnn.cudnnGetPooling2dForwardOutputDim(p, x, out, out.asSlice(4), out.asSlice(8),
                    out.asSlice(12));
            if (st == Cudnn.CUDNN_STATUS_BAD_PARAM && refusable) {
                return new int[] {-1, -1, -1, -1}; // cuDNN refuses this geometry (output ≤ 0): not expressible
            }
            Native.check(st, "cudnnGetPooling2dForwardOutputDim for " + op + " input " + h + "×" + w + " pad "
                    + padH + "×" + padW);
            return out.toArray(ValueLayout.JAVA_INT);
        }
    }
}
