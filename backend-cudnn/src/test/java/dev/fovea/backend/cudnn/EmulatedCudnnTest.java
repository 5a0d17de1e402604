package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows;
import dev.fovea.engine.Engine;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The backend's padding method, checked without a GPU: cuDNN's documented semantics (symmetric implicit padding,
 * output sizes rounded down, max ignoring its padding, INCLUDE_PADDING dividing by the window, EXCLUDE_PADDING by
 * the window's cells inside its input) are emulated in plain Java on the buffer the backend would build
 * (pre-filled, input in the interior), then rescaled as the backend does, and compared with the reference
 * backend on every case of {@link Cases}.
 */
class EmulatedCudnnTest {
    private static final Backend REFERENCE = Engine.open("reference").backend();

    @Test
    void convolutionPaddingPlanReproducesTheReference() {
        List<ConvolutionDescriptor> cases = Cases.convolutions();
        assertTrue(cases.size() > 1500, "cases: " + cases.size());
        Random rnd = new Random(6);
        int explicit = 0;
        for (ConvolutionDescriptor op : cases) {
            try (TensorScope scope = new TensorScope()) {
                Tensor x = random(scope, rnd, op.input().dims());
                Tensor w = random(scope, rnd, op.weightShape().dims());
                Tensor b = random(scope, rnd, op.filters());
                Tensor ref = scope.allocate(op.output(), Layout.NCHW);
                try (Plan p = REFERENCE.planConvolution(op, w, b)) {
                    p.execute(x, ref);
                }
                CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
                explicit += g.explicit() ? 1 : 0;
                float[] got = emulateConvolution(op, g, x.toArray(), w.toArray(), b.toArray());
                compare(op.toString(), ref.toArray(), got);
            }
        }
        assertTrue(explicit > 100, "explicitly padded cases: " + explicit);
    }

    @Test
    void poolingPaddingPlanReproducesTheReference() {
        List<PoolingDescriptor> cases = Cases.poolings();
        assertTrue(cases.size() > 1500, "cases: " + cases.size());
        Random rnd = new Random(7);
        int rescaled = 0;
        for (PoolingDescriptor op : cases) {
            try (TensorScope scope = new TensorScope()) {
                Tensor x = random(scope, rnd, op.input().dims());
                // All-negative inputs: padding read as 0 instead of −∞ would show in max pooling.
                float[] neg = x.toArray();
                for (int i = 0; i < neg.length; i++) {
                    neg[i] = -1 - Math.abs(neg[i]);
                }
                x.copyFrom(neg);
                Tensor ref = scope.allocate(op.output(), Layout.NCHW);
                REFERENCE.poolingForward(op, x, ref);
                CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
                rescaled += plan.rescale() ? 1 : 0;
                compare(op.toString(), ref.toArray(), emulatePooling(op, plan, neg));
            }
        }
        assertTrue(rescaled > 100, "rescaled cases: " + rescaled);
    }

    private static Tensor random(TensorScope scope, Random rnd, int... dims) {
        Tensor t = scope.allocate(dev.fovea.tensor.Shape.of(dims), Layout.NCHW);
        float[] v = new float[Math.toIntExact(t.shape().elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        t.copyFrom(v);
        return t;
    }

    private static void compare(String what, float[] ref, float[] got) {
        assertEquals(ref.length, got.length, what);
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(ref[i] - got[i]) <= 1e-5 + 1e-5 * Math.abs(ref[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + ref[i]);
            }
        }
    }

    /** The pre-filled buffer [N, C, Hp, Wp] with x in its interior. */
    private static float[] buffer(int n, int c, int h, int w, CudnnGeometry.Padded g, float fill, float[] x) {
        int hp = g.paddedH(h);
        int wp = g.paddedW(w);
        float[] buf = new float[n * c * hp * wp];
        java.util.Arrays.fill(buf, fill);
        for (int i = 0; i < n * c; i++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(x, (i * h + r) * w, buf, (i * hp + r + g.extraTop()) * wp + g.extraLeft(), w);
            }
        }
        return buf;
    }

    /** cuDNN's cross-correlation with symmetric zero padding, on the buffer. */
    private static float[] emulateConvolution(ConvolutionDescriptor op, CudnnGeometry.Padded g, float[] x, float[] w,
                                              float[] b) {
        int n = op.input().n();
        int c = op.input().c();
        int hp = g.paddedH(op.input().h());
        int wp = g.paddedW(op.input().w());
        float[] buf = buffer(n, c, op.input().h(), op.input().w(), g, 0f, x);
        int p = (hp + 2 * g.padH() - Windows.effectiveKernel(op.kernelH(), op.dilationH())) / op.strideH() + 1;
        int q = (wp + 2 * g.padW() - Windows.effectiveKernel(op.kernelW(), op.dilationW())) / op.strideW() + 1;
        assertEquals(op.output().h(), p, "cuDNN's output height for " + op);
        assertEquals(op.output().w(), q, "cuDNN's output width for " + op);
        int k = op.filters();
        int cg = c / op.groups();
        int kg = k / op.groups();
        float[] y = new float[n * k * p * q];
        for (int in = 0; in < n; in++) {
            for (int ok = 0; ok < k; ok++) {
                for (int op2 = 0; op2 < p; op2++) {
                    for (int oq = 0; oq < q; oq++) {
                        double acc = b[ok];
                        for (int ic = 0; ic < cg; ic++) {
                            int ch = ok / kg * cg + ic;
                            for (int r = 0; r < op.kernelH(); r++) {
                                int ih = op2 * op.strideH() - g.padH() + r * op.dilationH();
                                for (int s = 0; s < op.kernelW(); s++) {
                                    int iw = oq * op.strideW() - g.padW() + s * op.dilationW();
                                    if (ih >= 0 && ih < hp && iw >= 0 && iw < wp) {
                                        acc += (double) buf[((in * c + ch) * hp + ih) * wp + iw]
                                                * w[((ok * cg + ic) * op.kernelH() + r) * op.kernelW() + s];
                                    }
                                }
                            }
                        }
                        y[((in * k + ok) * p + op2) * q + oq] = (float) op.activation().apply(acc);
                    }
                }
            }
        }
        return y;
    }

    /** cuDNN's pooling modes with symmetric implicit padding, on the buffer, then the backend's rescale. */
    private static float[] emulatePooling(PoolingDescriptor op, CudnnGeometry.PoolingPlan plan, float[] x) {
        CudnnGeometry.Padded g = plan.padded();
        int n = op.input().n();
        int c = op.input().c();
        int hp = g.paddedH(op.input().h());
        int wp = g.paddedW(op.input().w());
        boolean max = op.mode() == PoolingMode.MAX;
        float[] buf = buffer(n, c, op.input().h(), op.input().w(), g, max ? Float.NEGATIVE_INFINITY : 0f, x);
        int p = (hp + 2 * g.padH() - op.kernelH()) / op.strideH() + 1;
        int q = (wp + 2 * g.padW() - op.kernelW()) / op.strideW() + 1;
        assertEquals(op.output().h(), p, "cuDNN's output height for " + op);
        assertEquals(op.output().w(), q, "cuDNN's output width for " + op);
        boolean include = plan.cudnnMode() == dev.fovea.backend.cudnn.bind.Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
        float[] y = new float[n * c * p * q];
        for (int i = 0; i < n * c; i++) {
            for (int op2 = 0; op2 < p; op2++) {
                for (int oq = 0; oq < q; oq++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int inside = 0;
                    for (int r = 0; r < op.kernelH(); r++) {
                        int ih = op2 * op.strideH() - g.padH() + r;
                        for (int s = 0; s < op.kernelW(); s++) {
                            int iw = oq * op.strideW() - g.padW() + s;
                            if (ih >= 0 && ih < hp && iw >= 0 && iw < wp) {
                                double v = buf[(i * hp + ih) * wp + iw];
                                acc = max ? Math.max(acc, v) : acc + v;
                                inside++;
                            }
                        }
                    }
                    if (!max) {
                        acc /= include ? op.kernelH() * op.kernelW() : inside;
                    }
                    float v = (float) acc;
                    if (plan.rescale()) {
                        v *= plan.scale()[op2 * q + oq];
                    }
                    y[(i * p + op2) * q + oq] = v;
                }
            }
        }
        return y;
    }
}
