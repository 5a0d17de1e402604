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
        // Stored straight from the kernel (one cache block of depth, a clamp activation): full panels then a narrow
        // one (144), an output channel slice, a stride, a panel of 32 with 24 valid columns (through the tile), and
        // one-vector panels with columns past the filters masked off (8 and 16 valid at 512 bits) into channel
        // slices that must keep their neighbours.
        cases.add(new Case(2, 24, 144, 13, 7, 1, true, Activation.RELU6, Layout.NHWC, false));
        cases.add(new Case(1, 48, 96, 5, 9, 2, true, Activation.RELU, Layout.NHWC, true));
        cases.add(new Case(3, 40, 64, 3, 5, 1, false, Activation.NONE, Layout.NHWC, false));
        cases.add(new Case(1, 144, 24, 6, 6, 1, true, Activation.RELU6, Layout.NHWC, true));
        cases.add(new Case(2, 32, 16, 9, 10, 1, true, Activation.RELU, Layout.NHWC, true));
        cases.add(new Case(1, 17, 8, 5, 7, 1, false, Activation.NONE, Layout.NHWC, true));
        // Sigmoid and SiLU on full panels at every vector width (64 and 96 filters): dense rows, and a channel slice.
        cases.add(new Case(2, 16, 96, 7, 9, 1, true, Activation.SILU, Layout.NHWC, false));
        cases.add(new Case(1, 24, 64, 5, 6, 2, false, Activation.SIGMOID, Layout.NHWC, true));
        // Reductions of three cache blocks (the last one short): channels-first with a stride, and channels-last into
        // a channel slice.
        cases.add(new Case(2, 600, 64, 7, 9, 2, true, Activation.RELU, Layout.NCHW, false));
        cases.add(new Case(1, 520, 96, 5, 6, 1, false, Activation.NONE, Layout.NHWC, true));
        while (cases.size() < 44) {
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

    @Test
    void clampedOutputsKeepNaNAndInfinities() {
        // 64 filters: full panels at every vector width, so the kernel stores them itself.
        for (Activation act : new Activation[] {Activation.NONE, Activation.RELU, Activation.RELU6}) {
            ConvolutionDescriptor op = ConvolutionDescriptor.create("c", Shape.of(1, 3, 2, 5), Layout.NHWC,
                    ConvolutionParams.of(64, 1, 1).withActivation(act));
            float[] w = new float[64 * 3];
            java.util.Arrays.fill(w, 1f);
            try (TensorScope scope = new TensorScope(); Conv1x1 g = new Conv1x1(op, w, null, ConvCase.ONE)) {
                Tensor x = scope.allocate(op.input(), Layout.NHWC);
                x.fill(0.5f);
                x.set(Float.NaN, 0, 1, 0, 3);
                x.set(Float.NEGATIVE_INFINITY, 0, 0, 1, 2);
                x.set(-2f, 0, 2, 1, 4);
                x.set(7f, 0, 0, 0, 1);
                Tensor y = scope.allocate(op.output(), Layout.NHWC);
                g.execute(x, y);
                for (int f = 0; f < 64; f++) {
                    assertTrue(Float.isNaN(y.get(0, f, 0, 3)), act + " filter " + f);
                    float inf = y.get(0, f, 1, 2);
                    assertEquals(act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f, inf, act + " -inf");
                    assertEquals(act == Activation.NONE ? -1f : 0f, y.get(0, f, 1, 4), act + " negative sum");
                    assertEquals(1.5f, y.get(0, f, 0, 0), act + " small sum");
                    assertEquals(act == Activation.RELU6 ? 6f : 8f, y.get(0, f, 0, 1), act + " large sum");
                }
            }
        }
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
