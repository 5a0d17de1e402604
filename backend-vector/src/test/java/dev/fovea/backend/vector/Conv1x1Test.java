package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The 1×1 GEMM plan against a double-precision oracle and the general convolution ({@link ConvPlan}) on random
 * geometries: channels and filters that are not multiples of the vector width (panel tails), reductions longer than
 * a cache block, pixel counts that are not multiples of the micro-tile, strides 1, 2 and 3, batches above 1, bias,
 * fused activations, both layouts and an output that is a channel slice of a larger tensor; with 1 and 2 threads.
 */
class Conv1x1Test {
    private static final WorkerPool ONE = new WorkerPool(1);
    private static final WorkerPool TWO = new WorkerPool(2);
    /** The conformance bound for convolution: {@code 1e-5 · S + 1e-5 · |y|}, S the largest sum of |terms|. */
    private static final double BOUND = 1e-5;

    record Case(int n, int c, int k, int h, int w, int stride, boolean bias, Activation act, Layout layout,
                boolean slice) {
    }

    @AfterAll
    static void closePools() {
        ONE.close();
        TWO.close();
    }

    @Test
    void matchesOracleAndDirectConvolutionOnRandomGeometries() {
        SplittableRandom rnd = new SplittableRandom(20);
        int[] channels = {1, 3, 16, 17, 40, 64, 131, 300, 600};
        int[] filters = {1, 5, 16, 17, 33, 64, 100, 176, 300};
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.SIGMOID,
                Activation.HARD_SWISH};
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(2, 256, 64, 14, 14, 1, true, Activation.RELU, Layout.NHWC, false));
        cases.add(new Case(1, 64, 256, 7, 9, 2, false, Activation.NONE, Layout.NHWC, true));
        cases.add(new Case(3, 24, 144, 5, 5, 1, true, Activation.RELU6, Layout.NCHW, false));
        cases.add(new Case(1, 512, 1000, 1, 1, 1, true, Activation.NONE, Layout.NHWC, false));
        while (cases.size() < 36) {
            cases.add(new Case(1 + rnd.nextInt(3), channels[rnd.nextInt(channels.length)],
                    filters[rnd.nextInt(filters.length)], 1 + rnd.nextInt(17), 1 + rnd.nextInt(17),
                    1 + rnd.nextInt(3), rnd.nextBoolean(), acts[rnd.nextInt(acts.length)],
                    Layout.values()[rnd.nextInt(2)], rnd.nextInt(4) == 0));
        }
        for (Case cs : cases) {
            check(cs, rnd.nextLong(), rnd.nextBoolean() ? ONE : TWO);
        }
    }

    @Test
    void appliesToUnpaddedOneGroupPointwiseConvolutionsOnly() {
        Shape s = Shape.of(1, 32, 12, 12);
        ConvolutionParams p = ConvolutionParams.of(16, 1, 1);
        assertTrue(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p)));
        assertTrue(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NCHW, p.withStride(2, 2))));
        assertFalse(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p.withGroups(2))));
        assertFalse(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC,
                p.withPadding(Padding.explicit(1)))));
        assertFalse(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, ConvolutionParams.of(16, 3, 3))));
        assertFalse(Conv1x1.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, ConvolutionParams.of(16, 1, 3))));
    }

    private static ConvolutionDescriptor descriptor(Case cs) {
        ConvolutionParams p = ConvolutionParams.of(cs.k, 1, 1).withStride(cs.stride, cs.stride).withBias(cs.bias)
                .withActivation(cs.act);
        return ConvolutionDescriptor.create("conv", Shape.of(cs.n, cs.c, cs.h, cs.w), cs.layout, p);
    }

    /** Runs both plans twice (the second time over a poisoned output) and compares them with the oracle. */
    private static void check(Case cs, long seed, WorkerPool pool) {
        ConvolutionDescriptor op = descriptor(cs);
        assertTrue(Conv1x1.applies(op), cs.toString());
        SplittableRandom rnd = new SplittableRandom(seed);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
            float[] wts = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
            float[] b = cs.bias ? Oracle.random(rnd, cs.k, 1) : null;
            Tensor[] direct = Oracle.destination(scope, op.output(), cs.layout, false);
            Tensor[] gemm = Oracle.destination(scope, op.output(), cs.layout, cs.slice);
            try (ConvPlan d = new ConvPlan(op, null, wts, b, pool); Conv1x1 g = new Conv1x1(op, wts, b, pool)) {
                d.execute(x, direct[0]);
                g.execute(x, gemm[0]);
                float[] first = gemm[0].toArray();
                gemm[0].fill(Float.NaN);
                g.execute(x, gemm[0]);
                assertEquals(Arrays.toString(first), Arrays.toString(gemm[0].toArray()), cs + ": second run");
            }
            if (cs.slice) {
                Oracle.assertUntouchedOutside(cs.toString(), gemm[1], op.output().c());
            }
            compare(cs, op, x, wts, b, direct[0], gemm[0]);
        }
    }

    private static void compare(Case cs, ConvolutionDescriptor op, Tensor x, float[] wts, float[] b, Tensor direct,
                                Tensor gemm) {
        int p = op.output().h();
        int q = op.output().w();
        for (int i = 0; i < cs.n; i++) {
            for (int oh = 0; oh < p; oh++) {
                for (int ow = 0; ow < q; ow++) {
                    double[] in = new double[cs.c];
                    for (int ch = 0; ch < cs.c; ch++) {
                        in[ch] = x.get(i, ch, oh * cs.stride, ow * cs.stride);
                    }
                    for (int f = 0; f < cs.k; f++) {
                        double sum = b == null ? 0 : b[f];
                        double abs = Math.abs(sum);
                        for (int ch = 0; ch < cs.c; ch++) {
                            double term = in[ch] * wts[f * cs.c + ch];
                            sum += term;
                            abs += Math.abs(term);
                        }
                        double exact = activate(sum, cs.act);
                        double tol = BOUND * abs + BOUND * Math.abs(exact) + (cs.act == Activation.SIGMOID ? 2e-6 : 0);
                        float got = gemm.get(i, f, oh, ow);
                        float want = direct.get(i, f, oh, ow);
                        if (!(Math.abs(got - exact) <= tol) || !(Math.abs(want - exact) <= tol)) {
                            throw new AssertionError(cs + " at [" + i + ", " + f + ", " + oh + ", " + ow + "]: exact "
                                    + exact + ", direct " + want + ", 1×1 GEMM " + got + ", tolerance " + tol);
                        }
                    }
                }
            }
        }
    }

    private static double activate(double v, Activation act) {
        return switch (act) {
            case NONE -> v;
            case RELU -> Math.max(v, 0);
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case HARD_SWISH -> v * Math.min(Math.max(v / 6 + 0.5, 0), 1);
            default -> throw new IllegalArgumentException(act.toString());
        };
    }
}
