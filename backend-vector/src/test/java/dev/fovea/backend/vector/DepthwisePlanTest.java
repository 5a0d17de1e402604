package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The channels-last depthwise plan against the reference backend: channel counts below, at and between vector
 * widths (the masked last vector), 3×3, 5×5 and 7×7 windows, output rows of fewer than four pixels and of four
 * and more (blocks of four, the last overlapping), strides 1 and 2, dilation, asymmetric padding, batches above 1,
 * with and without bias, every activation kind (clamped in the store or applied after it), 1 and 2 workers, and an
 * output that is a channel slice of a wider tensor; also NaN and infinity in the input.
 */
class DepthwisePlanTest {
    record Case(int n, int c, int kernel, int stride, int dilation, int h, int w, Padding padding, boolean bias,
                Activation act, boolean strided) {
    }

    @Test
    void matchesTheReference() {
        Case[] cases = {
                new Case(1, 32, 3, 1, 1, 17, 19, Padding.SAME, true, Activation.RELU6, false),
                new Case(2, 17, 3, 2, 1, 15, 12, Padding.explicit(1), true, Activation.RELU, true),
                new Case(1, 40, 5, 1, 1, 9, 11, Padding.SAME, false, Activation.NONE, false),
                new Case(3, 96, 3, 2, 1, 8, 8, Padding.explicit(0, 0, 1, 1), true, Activation.SIGMOID, false),
                new Case(1, 7, 3, 1, 2, 10, 10, Padding.VALID, true, Activation.HARD_SWISH, true),
                new Case(2, 144, 5, 2, 1, 13, 14, Padding.SAME, true, Activation.SILU, false),
                new Case(1, 33, 3, 1, 1, 1, 5, Padding.SAME, true, Activation.RELU6, true),
                new Case(1, 24, 5, 1, 2, 12, 13, Padding.SAME, true, Activation.RELU, true),
                new Case(2, 48, 7, 1, 1, 9, 10, Padding.SAME, true, Activation.RELU6, false),
                new Case(1, 20, 3, 2, 1, 5, 5, Padding.VALID, true, Activation.RELU6, false),
                new Case(1, 36, 5, 1, 1, 3, 3, Padding.SAME, true, Activation.SILU, true),
        };
        SplittableRandom rnd = new SplittableRandom(3);
        for (WorkerPool pool : new WorkerPool[] {ConvCase.ONE, ConvCase.TWO}) {
            for (Case cs : cases) {
                check(cs, pool, rnd.nextLong(), Float.NaN);
            }
        }
    }

    @Test
    void nonFiniteInputsReachTheOutputsThatReadThem() {
        for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            check(new Case(1, 20, 3, 1, 1, 9, 9, Padding.SAME, true, Activation.NONE, false), ConvCase.TWO, 9,
                    poison);
        }
    }

    /** The input a channel slice of a wider tensor (pixels further apart than its channels), 3- and 5-wide filters. */
    @Test
    void readsAChannelSliceInput() {
        for (int kernel : new int[] {3, 5}) {
            int c = 20;
            ConvolutionParams p = ConvolutionParams.of(c, kernel, kernel).withGroups(c).withPadding(Padding.SAME)
                    .withActivation(Activation.RELU6);
            ConvolutionDescriptor op = ConvolutionDescriptor.create("dw", Shape.of(2, c, 9, 11), Layout.NHWC, p);
            try (TensorScope scope = new TensorScope()) {
                SplittableRandom rnd = new SplittableRandom(kernel);
                Tensor wide = Oracle.tensor(scope, rnd, Shape.of(2, c + 7, 9, 11), Layout.NHWC);
                Tensor x = wide.channelSlice(3, c);
                float[] w = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
                float[] b = Oracle.random(rnd, c, 1);
                Tensor want = Oracle.poisoned(scope, op.output(), Layout.NHWC);
                try (Plan ref = Oracle.REFERENCE.planConvolution(op, scope.fromArray(w, op.weightShape(), Layout.NCHW),
                        scope.fromArray(b, op.biasShape(), Layout.NCHW))) {
                    ref.execute(x, want);
                }
                Tensor got = Oracle.poisoned(scope, op.output(), Layout.NHWC);
                new DepthwisePlan(op, w, b, ConvCase.TWO).execute(x, got);
                Oracle.assertClose("depthwise " + kernel + "×" + kernel + " over a channel slice", want, got);
            }
        }
    }

    @Test
    void appliesToChannelsLastDepthwiseOnly() {
        Shape s = Shape.of(1, 32, 8, 8);
        ConvolutionParams dw = ConvolutionParams.of(32, 3, 3).withGroups(32);
        assertTrue(DepthwisePlan.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, dw)));
        assertFalse(DepthwisePlan.applies(ConvolutionDescriptor.create("c", s, Layout.NCHW, dw)));
        assertFalse(DepthwisePlan.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC,
                ConvolutionParams.of(64, 3, 3).withGroups(32))));
        assertFalse(DepthwisePlan.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC,
                ConvolutionParams.of(32, 3, 3).withGroups(16))));
    }

    /** {@code poison}, unless NaN in a case without it, replaces one input value (the last image, channel 3). */
    private static void check(Case cs, WorkerPool pool, long seed, float poison) {
        ConvolutionParams p = ConvolutionParams.of(cs.c, cs.kernel, cs.kernel).withGroups(cs.c)
                .withStride(cs.stride, cs.stride).withDilation(cs.dilation, cs.dilation).withPadding(cs.padding)
                .withBias(cs.bias).withActivation(cs.act);
        ConvolutionDescriptor op = ConvolutionDescriptor.create("dw", Shape.of(cs.n, cs.c, cs.h, cs.w), Layout.NHWC,
                p);
        int threads = pool.threads();
        String what = cs + " with " + threads + " worker" + (threads == 1 ? "" : "s") + ", poison " + poison;
        try (ConvCase c = new ConvCase(op, cs.strided, seed)) {
            if (!Float.isNaN(poison) || seed == 9) {
                c.x.set(poison, cs.n - 1, 3, cs.h / 2, cs.w / 2);
            }
            DepthwisePlan plan = new DepthwisePlan(op, c.weights, c.bias, pool);
            Oracle.assertClose(what, c.reference(), c.run(what, plan));
        }
    }
}
