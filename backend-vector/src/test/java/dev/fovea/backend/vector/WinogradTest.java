package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(4×4, 3×3) against the direct convolution ({@link ConvPlan}) and a double-precision oracle on random
 * stride-1 3×3 geometries: odd image sizes (tiles overhanging the output), every padding mode, channels and filters
 * that are not multiples of the vector width, batches above 1, bias and fused activations, both layouts, and an
 * output that is a channel slice of a larger tensor.
 */
class WinogradTest {
    private static final WorkerPool POOL = ConvCase.TWO;

    record Case(int n, int c, int k, int h, int w, Padding padding, boolean bias, Activation act, Layout layout,
                boolean slice) {
    }

    @Test
    void matchesDirectConvolutionOnRandomGeometries() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[] channels = {16, 17, 24, 33, 40, 64};
        int[] filters = {16, 19, 32, 47, 64};
        Padding[] paddings = {Padding.VALID, Padding.SAME, Padding.FULL, Padding.SAME_LOWER};
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.SIGMOID};
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(2, 64, 64, 28, 28, Padding.explicit(1), true, Activation.RELU, Layout.NHWC, false));
        cases.add(new Case(1, 16, 16, 11, 10, Padding.VALID, false, Activation.NONE, Layout.NCHW, false));
        cases.add(new Case(80, 24, 40, 5, 6, Padding.VALID, true, Activation.RELU, Layout.NHWC, true));
        while (cases.size() < 40) {
            Padding pad = rnd.nextInt(3) == 0
                    ? Padding.explicit(rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3))
                    : ConvCase.pick(rnd, paddings);
            cases.add(new Case(1 + rnd.nextInt(3), ConvCase.pick(rnd, channels), ConvCase.pick(rnd, filters),
                    6 + rnd.nextInt(18), 6 + rnd.nextInt(18), pad, rnd.nextBoolean(), ConvCase.pick(rnd, acts),
                    ConvCase.pick(rnd, Layout.values()), rnd.nextInt(4) == 0));
        }
        double worst = 0;
        int checked = 0;
        for (Case cs : cases) {
            ConvolutionDescriptor op = descriptor(cs);
            if (op == null || !Winograd.applies(op)) {
                continue; // invalid, or too small an output for Winograd
            }
            worst = Math.max(worst, check(cs, op, rnd.nextLong()));
            checked++;
        }
        assertTrue(checked >= 30, "only " + checked + " valid geometries");
        System.out.printf("Winograd F(4x4, 3x3): largest |error| / S over %d geometries: %.2e%n", checked, worst);
    }

    @Test
    void largeFiltersOnFewTilesAreSplitByFilterSlices() {
        Case[] cases = {new Case(1, 128, 100, 14, 14, Padding.SAME, true, Activation.RELU, Layout.NHWC, true),
                new Case(2, 96, 64, 9, 10, Padding.VALID, false, Activation.NONE, Layout.NCHW, false)};
        SplittableRandom rnd = new SplittableRandom(13);
        for (Case cs : cases) {
            ConvolutionDescriptor op = descriptor(cs);
            try (Winograd w = new Winograd(op, new float[(int) op.weightShape().elementCount()], null, POOL)) {
                assertTrue(w.sliceCount() > 1, cs + ": not sliced");
            }
            try (Winograd w = new Winograd(op, new float[(int) op.weightShape().elementCount()], null, ConvCase.ONE)) {
                assertEquals(1, w.taskCount(), cs + ": one worker, the batch's few tiles in one task");
            }
            check(cs, op, rnd.nextLong());
        }
    }

    @Test
    void nonFiniteInputsGiveDirectConvolutionsPlacesOfNanAndInfinity() {
        Case[] cases = {new Case(1, 16, 16, 12, 12, Padding.SAME, true, Activation.RELU, Layout.NHWC, false),
                new Case(2, 17, 19, 17, 13, Padding.VALID, false, Activation.NONE, Layout.NCHW, true)};
        float[] poisons = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (Case cs : cases) {
            ConvolutionDescriptor op = descriptor(cs);
            assertTrue(Winograd.applies(op), cs.toString());
            for (float poison : poisons) {
                try (ConvCase c = new ConvCase(op, cs.slice, 11);
                     ConvPlan d = new ConvPlan(op, null, c.weights, c.bias, POOL);
                     Winograd w = new Winograd(op, c.weights, c.bias, POOL)) {
                    c.x.set(poison, cs.n - 1, 3, 0, cs.w - 1); // a corner cell: few direct windows read it
                    float[] want = c.run(cs + " " + poison + ", direct", d).toArray();
                    float[] got = c.run(cs + " " + poison + ", winograd", w).toArray();
                    int nonFinite = 0;
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Float.isNaN(want[i]), Float.isNaN(got[i]), cs + " " + poison + " at " + i);
                        assertEquals(Float.isInfinite(want[i]), Float.isInfinite(got[i]), cs + " " + poison + " at " + i);
                        nonFinite += Float.isFinite(want[i]) ? 0 : 1;
                    }
                    assertTrue(nonFinite > 0 || cs.act == Activation.RELU, cs + ": the poison reached no output");
                }
            }
        }
    }

    /**
     * With a 2×2 pooling done from each tile, the result is exactly the pooling of the unpooled Winograd output (the
     * same products and transforms; that output is checked against the oracle above), for max and average, odd
     * outputs whose last row or column no window reads, and batches whose tasks span images.
     */
    @Test
    void pooledFromTilesEqualsPoolingTheUnpooledResult() {
        Case[] cases = {new Case(16, 32, 64, 13, 13, Padding.VALID, true, Activation.RELU, Layout.NHWC, false),
                new Case(3, 17, 19, 12, 15, Padding.SAME, true, Activation.SIGMOID, Layout.NCHW, true),
                new Case(2, 24, 40, 18, 10, Padding.explicit(1, 0, 2, 1), false, Activation.NONE, Layout.NHWC, true)};
        SplittableRandom rnd = new SplittableRandom(17);
        for (Case cs : cases) {
            ConvolutionDescriptor op = descriptor(cs);
            for (PoolingMode mode : new PoolingMode[] {PoolingMode.MAX, PoolingMode.AVERAGE}) {
                PoolingDescriptor pooling = PoolingDescriptor.create("pool", op.output(), cs.layout,
                        PoolingParams.of(mode, 2, 2).withStride(2, 2));
                assertTrue(Winograd.applies(op, pooling), cs + " " + mode);
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
                    float[] wts = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
                    float[] b = cs.bias ? Oracle.random(rnd, cs.k, 1) : null;
                    Tensor plain = scope.allocate(op.output(), cs.layout);
                    Tensor want = scope.allocate(pooling.output(), cs.layout);
                    Tensor[] got = Oracle.destination(scope, pooling.output(), cs.layout, cs.slice);
                    try (Winograd w = new Winograd(op, wts, b, POOL);
                         Winograd fused = new Winograd(op, pooling, wts, b, POOL)) {
                        w.execute(x, plain);
                        Pooling.forward(pooling, plain, want, POOL);
                        fused.execute(x, got[0]);
                    }
                    assertEquals(java.util.Arrays.toString(want.toArray()), java.util.Arrays.toString(got[0].toArray()),
                            cs + " " + mode);
                    if (cs.slice) {
                        Oracle.assertUntouchedOutside(cs.toString(), got[1], op.output().c());
                    }
                }
            }
        }
        ConvolutionDescriptor op = descriptor(cases[0]);
        PoolingParams two = PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(2, 2);
        assertFalse(Winograd.applies(op, PoolingDescriptor.create("p", op.output(), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2))), "3×3 windows cross tiles");
        assertFalse(Winograd.applies(op, PoolingDescriptor.create("p", op.output(), Layout.NHWC,
                two.withCeilMode(true))), "a partial last window");
        assertFalse(Winograd.applies(op, PoolingDescriptor.create("p", op.output(), Layout.NHWC,
                two.withPadding(Padding.explicit(1)))), "padding");
    }

    @Test
    void nonFiniteInputsToAPooledPlanGiveTheDirectPooledResult() {
        Case cs = new Case(2, 16, 16, 12, 12, Padding.SAME, true, Activation.RELU, Layout.NHWC, false);
        ConvolutionDescriptor op = descriptor(cs);
        PoolingDescriptor pooling = PoolingDescriptor.create("pool", op.output(), cs.layout,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(2, 2));
        SplittableRandom rnd = new SplittableRandom(19);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
            x.set(Float.NaN, 1, 5, 11, 0);
            float[] wts = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
            float[] b = Oracle.random(rnd, cs.k, 1);
            Tensor want = scope.allocate(pooling.output(), cs.layout);
            Tensor got = scope.allocate(pooling.output(), cs.layout);
            try (ConvPlan d = new ConvPlan(op, pooling, wts, b, POOL);
                 Winograd w = new Winograd(op, pooling, wts, b, POOL)) {
                d.execute(x, want);
                w.execute(x, got);
            }
            assertEquals(java.util.Arrays.toString(want.toArray()), java.util.Arrays.toString(got.toArray()));
            assertTrue(java.util.Arrays.toString(got.toArray()).contains("NaN"));
        }
    }

    @Test
    void appliesToStrideOne3x3ConvolutionsWithEnoughChannelsOnly() {
        ConvolutionParams p = ConvolutionParams.of(32, 3, 3).withPadding(Padding.SAME);
        Shape s = Shape.of(1, 32, 12, 12);
        assertTrue(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p)));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p.withStride(2, 2))));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p.withDilation(2, 2))));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, p.withGroups(2))));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, ConvolutionParams.of(32, 5, 5))));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", Shape.of(1, 3, 8, 8), Layout.NHWC, p)));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", s, Layout.NHWC, ConvolutionParams.of(8, 3, 3).withPadding(Padding.SAME))));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", Shape.of(8, 32, 7, 7), Layout.NHWC, p)));
        // One tile per image, but many images and small transformed filters; not with large ones.
        ConvolutionParams valid = ConvolutionParams.of(64, 3, 3);
        assertTrue(Winograd.applies(ConvolutionDescriptor.create("c", Shape.of(256, 64, 5, 5), Layout.NHWC, valid)));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", Shape.of(8, 64, 5, 5), Layout.NHWC, valid)));
        assertFalse(Winograd.applies(ConvolutionDescriptor.create("c", Shape.of(256, 512, 7, 7), Layout.NHWC,
                ConvolutionParams.of(512, 3, 3).withPadding(Padding.SAME))));
    }

    private static ConvolutionDescriptor descriptor(Case cs) {
        ConvolutionParams p = ConvolutionParams.of(cs.k, 3, 3).withPadding(cs.padding).withBias(cs.bias)
                .withActivation(cs.act);
        try {
            return ConvolutionDescriptor.create("conv", Shape.of(cs.n, cs.c, cs.h, cs.w), cs.layout, p);
        } catch (ValidationException e) {
            return null;
        }
    }

    /**
     * Runs both plans and checks them against the oracle within the bound of the largest sum of |terms| (a Winograd
     * output mixes its tile's inputs); returns Winograd's largest |error| / S.
     */
    private static double check(Case cs, ConvolutionDescriptor op, long seed) {
        try (ConvCase c = new ConvCase(op, cs.slice, seed);
             ConvPlan d = new ConvPlan(op, null, c.weights, c.bias, POOL);
             Winograd w = new Winograd(op, c.weights, c.bias, POOL)) {
            ConvCase.Exact exact = c.exact();
            exact.assertWithin(cs + ", direct", c.run(cs + ", direct", d), true);
            return exact.assertWithin(cs + ", winograd", c.run(cs + ", winograd", w), true);
        }
    }
}
