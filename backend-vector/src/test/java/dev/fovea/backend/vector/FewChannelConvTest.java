package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The few-input-channel direct convolution ({@link FewChannelConv} through {@link ConvPlan}) against the exact
 * result in double: 1–4 input channels, filter counts at and past whole four-vector blocks (whatever the
 * vector width), square and oblong kernels, strides 1–3, dilation, asymmetric padding, odd sizes whose pixel count
 * leaves a partial six-pixel block, batches, both layouts, bias and activations, a channel-slice destination, and
 * 1 and 2 workers; and, planned with the pooling after it (ResNet's stem), against the GEMM path's result.
 */
class FewChannelConvTest {
    private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.SILU};

    @Test
    void firstLayersMatchTheExactResult() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] filters = {4 * Simd.V, 4 * Simd.V + 1, 5 * Simd.V + 3, 7 * Simd.V, 8 * Simd.V + Simd.V / 2 + 1, 64, 70};
        for (int i = 0; i < 48; i++) {
            int c = 1 + rnd.nextInt(FewChannelConv.MAX_CHANNELS);
            int r = ConvCase.pick(rnd, new int[] {3, 5, 7});
            int s = ConvCase.pick(rnd, new int[] {3, 4, 7});
            if (r * s * c <= Gemm.SMALL_DEPTH) {
                s = 5;
            }
            while (r * s * c * FewChannelConv.VECTORS * Simd.V > FewChannelConv.L1_WEIGHTS) {
                c--;
            }
            int stride = 1 + rnd.nextInt(3);
            int dilation = rnd.nextInt(4) == 0 ? 2 : 1;
            Padding padding = switch (rnd.nextInt(3)) {
                case 0 -> Padding.VALID;
                case 1 -> Padding.explicit((r - 1) / 2);
                default -> Padding.explicit(rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4));
            };
            int h = (r - 1) * dilation + 1 + rnd.nextInt(30);
            int w = (s - 1) * dilation + 1 + rnd.nextInt(30);
            Shape input = Shape.of(1 + rnd.nextInt(3), c, h, w);
            ConvolutionParams params = ConvolutionParams.of(ConvCase.pick(rnd, filters), r, s)
                    .withStride(stride, stride + rnd.nextInt(2)).withDilation(dilation, dilation)
                    .withPadding(padding).withBias(rnd.nextBoolean()).withActivation(ConvCase.pick(rnd, ACTS));
            Layout layout = rnd.nextBoolean() ? Layout.NCHW : Layout.NHWC;
            ConvolutionDescriptor op = ConvolutionDescriptor.create("conv", input, layout, params);
            check(op, rnd.nextBoolean(), rnd.nextBoolean() ? ConvCase.ONE : ConvCase.TWO, rnd.nextLong());
        }
    }

    @Test
    void resnetStemMatchesTheExactResult() {
        ConvolutionParams params = ConvolutionParams.of(64, 7, 7).withStride(2, 2).withPadding(Padding.explicit(3))
                .withBias(true).withActivation(Activation.RELU);
        for (Layout layout : Layout.values()) {
            ConvolutionDescriptor op = ConvolutionDescriptor.create("stem", Shape.of(2, 3, 45, 38), layout, params);
            check(op, layout == Layout.NHWC, ConvCase.TWO, 3);
        }
    }

    @Test
    void otherConvolutionsKeepTheirKernels() {
        Shape mnist = Shape.of(1, 1, 28, 28);
        assertFalse(FewChannelConv.applies(ConvolutionDescriptor.create("c", mnist, Layout.NHWC,
                ConvolutionParams.of(32, 3, 3))), "9 taps: the weight-stationary kernel");
        assertFalse(FewChannelConv.applies(ConvolutionDescriptor.create("c", Shape.of(1, 8, 9, 9), Layout.NHWC,
                ConvolutionParams.of(16, 3, 3))), "8 channels");
        assertFalse(FewChannelConv.applies(ConvolutionDescriptor.create("c", Shape.of(1, 4, 9, 9), Layout.NHWC,
                ConvolutionParams.of(4, 3, 3).withGroups(2))), "grouped");
        assertFalse(FewChannelConv.applies(ConvolutionDescriptor.create("c", Shape.of(1, 3, 9, 9), Layout.NHWC,
                ConvolutionParams.of(4 * Simd.V - 1, 3, 3))), "less than one block of filters");
        assertFalse(FewChannelConv.applies(ConvolutionDescriptor.create("c", Shape.of(1, 4, 99, 99), Layout.NHWC,
                ConvolutionParams.of(4 * Simd.V, 13, 13))), "weights past L1");
        assertTrue(FewChannelConv.applies(ConvolutionDescriptor.create("c", Shape.of(1, 3, 9, 9), Layout.NHWC,
                ConvolutionParams.of(4 * Simd.V, 7, 7))), "a stem");
    }

    @Test
    void pooledStemsMatchTheGemmPath() {
        SplittableRandom rnd = new SplittableRandom(7);
        PoolingParams[] poolings = {
            PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2).withPadding(Padding.explicit(1)),
            PoolingParams.of(PoolingMode.AVERAGE, 2, 2).withStride(2, 2),
            PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(2, 2),
        };
        for (PoolingParams pp : poolings) {
            for (Layout layout : Layout.values()) {
                for (WorkerPool pool : new WorkerPool[] {ConvCase.ONE, ConvCase.TWO}) {
                    ConvolutionParams params = ConvolutionParams.of(4 * Simd.V + 5, 7, 7).withStride(2, 2)
                            .withPadding(Padding.explicit(3)).withBias(true).withActivation(Activation.RELU);
                    ConvolutionDescriptor op = ConvolutionDescriptor.create("stem", Shape.of(2, 3, 41, 37), layout,
                            params);
                    PoolingDescriptor pooling = PoolingDescriptor.create("pool", op.output(), layout, pp);
                    String what = pp + " " + layout + " " + pool.threads() + " worker(s)";
                    try (ConvCase cs = new ConvCase(op, false, rnd.nextLong());
                         ConvPlan direct = new ConvPlan(op, pooling, cs.weights, cs.bias, pool, true);
                         ConvPlan gemm = new ConvPlan(op, pooling, cs.weights, cs.bias, pool, false)) {
                        assertTrue(direct.direct(), what);
                        assertFalse(gemm.direct(), what);
                        Tensor want = Oracle.poisoned(cs.scope, pooling.output(), layout);
                        gemm.execute(cs.x, want);
                        Tensor got = Oracle.poisoned(cs.scope, pooling.output(), layout);
                        direct.execute(cs.x, got);
                        Oracle.assertClose(what, want, got);
                    }
                }
            }
        }
    }

    private static void check(ConvolutionDescriptor op, boolean slice, WorkerPool pool, long seed) {
        String what = op + " " + op.layout() + (slice ? " into a slice" : "") + ", " + pool.threads() + " worker(s)";
        try (ConvCase cs = new ConvCase(op, slice, seed);
             ConvPlan plan = new ConvPlan(op, null, cs.weights, cs.bias, pool)) {
            assertTrue(plan.direct(), what + ": not the direct kernel");
            Tensor got = cs.run(what, (Plan) plan);
            cs.exact().assertWithin(what, got, false);
        }
    }
}
