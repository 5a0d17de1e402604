package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The 1×1 GEMM plan against a double-precision oracle and the general convolution ({@link ConvPlan}) on random
 * geometries: channels and filters that are not multiples of the vector width (panel tails), reductions longer than
 * a cache block, pixel counts that are not multiples of the micro-tile, strides 1, 2 and 3, batches above 1, bias,
 * fused activations, both layouts and an output that is a channel slice of a larger tensor; with 1 and 2 threads.
 */
class Conv1x1Test {
    record Case(int n, int c, int k, int h, int w, int stride, boolean bias, Activation act, Layout layout,
                boolean slice) {
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
        // SiLU over whole output rows (dense channels-last), then per pixel (a channel slice); 40: a vector tail.
        cases.add(new Case(2, 24, 40, 9, 11, 1, true, Activation.SILU, Layout.NHWC, false));
        cases.add(new Case(1, 16, 40, 6, 7, 2, false, Activation.SILU, Layout.NHWC, true));
        while (cases.size() < 36) {
            cases.add(new Case(1 + rnd.nextInt(3), ConvCase.pick(rnd, channels), ConvCase.pick(rnd, filters),
                    1 + rnd.nextInt(17), 1 + rnd.nextInt(17), 1 + rnd.nextInt(3), rnd.nextBoolean(),
                    ConvCase.pick(rnd, acts), ConvCase.pick(rnd, Layout.values()), rnd.nextInt(4) == 0));
        }
        for (Case cs : cases) {
            check(cs, rnd.nextLong(), rnd.nextBoolean() ? ConvCase.ONE : ConvCase.TWO);
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

    /** Runs the 1×1 plan and the general one and compares both with the oracle, each output within its own bound. */
    private static void check(Case cs, long seed, WorkerPool pool) {
        ConvolutionDescriptor op = descriptor(cs);
        assertTrue(Conv1x1.applies(op), cs.toString());
        try (ConvCase c = new ConvCase(op, cs.slice, seed);
             ConvPlan d = new ConvPlan(op, null, c.weights, c.bias, pool);
             Conv1x1 g = new Conv1x1(op, c.weights, c.bias, pool)) {
            ConvCase.Exact exact = c.exact();
            exact.assertWithin(cs + ", direct", c.run(cs + ", direct", d), false);
            exact.assertWithin(cs + ", 1×1 GEMM", c.run(cs + ", 1×1 GEMM", g), false);
        }
    }
}
