package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
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
                assertEquals(cs.n, w.taskCount(), cs + ": one worker, one task per image");
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
                    assertFalse(Winograd.allFinite(c.x));
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
