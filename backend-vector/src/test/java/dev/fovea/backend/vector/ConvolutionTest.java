package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.ValidationException;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every convolution path (implicit GEMM, im2col, depthwise, grouped, 1×1) against the reference backend. */
class ConvolutionTest {
    record Case(int n, int c, int k, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw, int groups,
                Padding padding, boolean bias, Activation act, Layout layout, boolean strided) {
        /**
         * The case's data seed: a fixed integer from its description. The record's own hashCode() mixes in the
         * enums' identity hash codes, which differ from run to run, so a failure could not be replayed.
         */
        long seed() {
            return toString().hashCode();
        }

        @Override
        public String toString() {
            return "n" + n + " c" + c + " k" + k + " " + h + "x" + w + " kernel " + kh + "x" + kw + " stride " + sh
                    + "x" + sw + " dilation " + dh + "x" + dw + " groups " + groups + " " + padding + (bias ? " bias"
                    : "") + " " + act + " " + layout + (strided ? " slice-dst" : "");
        }
    }

    static final Padding[] PADDINGS = {Padding.VALID, Padding.SAME, Padding.SAME_LOWER, Padding.FULL,
        Padding.explicit(1, 2, 0, 1)};

    static List<Case> cases() {
        List<Case> list = new ArrayList<>();
        for (Layout layout : Layout.values()) {
            for (Padding pad : PADDINGS) {
                for (int stride = 1; stride <= 3; stride++) {
                    list.add(new Case(2, 5, 17, 13, 7, 3, 3, stride, stride, 1, 1, 1, pad, true, Activation.RELU,
                            layout, false));
                    list.add(new Case(1, 19, 33, 7, 13, 3, 2, stride, 4 - stride, 2, 1, 1, pad, true,
                            Activation.NONE, layout, stride == 2));
                }
                list.add(new Case(1, 17, 7, 9, 11, 3, 3, 1, 2, 1, 2, 1, pad, false, Activation.TANH, layout, true));
            }
            for (Activation act : Activation.values()) {
                list.add(new Case(3, 3, 13, 17, 17, 3, 3, 1, 1, 1, 1, 1, Padding.SAME, true, act, layout, false));
                list.add(new Case(1, 33, 65, 7, 7, 1, 1, 1, 1, 1, 1, 1, Padding.VALID, true, act, layout, true));
            }
            // 1×1 as a GEMM, reductions split over several cache blocks (C > KC) and tails in K.
            list.add(new Case(2, 300, 17, 5, 3, 1, 1, 1, 1, 1, 1, 1, Padding.VALID, true, Activation.RELU, layout,
                    false));
            list.add(new Case(1, 64, 64, 13, 13, 3, 3, 1, 1, 1, 1, 1, Padding.SAME, true, Activation.RELU, layout,
                    true));
            list.add(new Case(1, 1, 31, 31, 33, 3, 3, 1, 1, 1, 1, 1, Padding.VALID, true, Activation.RELU, layout,
                    false));
            list.add(new Case(2, 3, 17, 17, 17, 7, 7, 2, 2, 1, 1, 1, Padding.explicit(3), true, Activation.RELU,
                    layout, false));
            // im2col rows of one group (runs of one float: one channel, kernel one wide or dilated across).
            list.add(new Case(2, 1, 70, 11, 9, 5, 1, 1, 1, 1, 1, 1, Padding.SAME, true, Activation.RELU, layout,
                    true));
            list.add(new Case(1, 1, 23, 9, 13, 3, 3, 2, 1, 1, 2, 1, Padding.VALID, false, Activation.NONE, layout,
                    false));
            // Groups: im2col (few channels per group), implicit (17 per group), depthwise, depthwise ×2.
            list.add(new Case(2, 6, 9, 7, 13, 3, 3, 1, 1, 1, 1, 3, Padding.SAME, true, Activation.NONE, layout, true));
            list.add(new Case(1, 34, 34, 7, 7, 3, 3, 2, 1, 1, 1, 2, Padding.SAME, true, Activation.RELU, layout,
                    false));
            list.add(new Case(2, 17, 17, 13, 13, 3, 3, 1, 1, 1, 1, 17, Padding.SAME, true, Activation.RELU, layout,
                    true));
            list.add(new Case(1, 33, 33, 7, 17, 5, 3, 2, 3, 2, 1, 33, Padding.FULL, false, Activation.SIGMOID,
                    layout, false));
            list.add(new Case(1, 5, 10, 7, 7, 3, 3, 1, 1, 1, 1, 5, Padding.VALID, true, Activation.NONE, layout,
                    false));
            // Degenerate sizes: 1×1 images, kernels as large as the padded image.
            list.add(new Case(3, 7, 13, 1, 1, 1, 1, 1, 1, 1, 1, 1, Padding.VALID, true, Activation.NONE, layout,
                    false));
            list.add(new Case(1, 3, 7, 1, 3, 3, 3, 1, 1, 1, 1, 1, Padding.FULL, true, Activation.NONE, layout,
                    false));
            list.add(new Case(1, 4, 5, 3, 3, 3, 3, 3, 3, 1, 1, 1, Padding.VALID, true, Activation.NONE, layout,
                    false));
        }
        // A seeded random sweep over everything at once.
        SplittableRandom rnd = new SplittableRandom(42);
        int[] sizes = {1, 3, 7, 13, 17};
        int[] channels = {1, 3, 7, 13, 17, 33};
        while (list.size() < 260) {
            int groups = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 1;
            int c = channels[rnd.nextInt(channels.length)] * groups;
            int k = channels[rnd.nextInt(channels.length)] * groups;
            if (rnd.nextInt(6) == 0) {
                groups = c;
                k = c * (1 + rnd.nextInt(2));
            }
            Case cs = new Case(1 + rnd.nextInt(3), c, k, sizes[rnd.nextInt(sizes.length)],
                    sizes[rnd.nextInt(sizes.length)], 1 + rnd.nextInt(4), 1 + rnd.nextInt(4), 1 + rnd.nextInt(3),
                    1 + rnd.nextInt(3), 1 + rnd.nextInt(2), 1 + rnd.nextInt(2), groups,
                    PADDINGS[rnd.nextInt(PADDINGS.length)], rnd.nextBoolean(),
                    Activation.values()[rnd.nextInt(4)], Layout.values()[rnd.nextInt(2)], rnd.nextBoolean());
            if (descriptor(cs) != null) {
                list.add(cs);
            }
        }
        return list;
    }

    static ConvolutionDescriptor descriptor(Case cs) {
        ConvolutionParams p = ConvolutionParams.of(cs.k, cs.kh, cs.kw).withStride(cs.sh, cs.sw)
                .withDilation(cs.dh, cs.dw).withGroups(cs.groups).withPadding(cs.padding).withBias(cs.bias)
                .withActivation(cs.act);
        try {
            return ConvolutionDescriptor.create("conv", Shape.of(cs.n, cs.c, cs.h, cs.w), cs.layout, p);
        } catch (ValidationException e) {
            return null;
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return cases().stream().map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> check(cs)));
    }

    static void check(Case cs) {
        ConvolutionDescriptor op = descriptor(cs);
        if (op == null) {
            throw new AssertionError("invalid case " + cs);
        }
        SplittableRandom rnd = new SplittableRandom(cs.seed());
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
            Tensor wts = scope.fromArray(Oracle.random(rnd, op.weightShape().elementCount(), 0.5), op.weightShape(),
                    Layout.NCHW);
            Tensor b = cs.bias ? Oracle.tensor(scope, rnd, op.biasShape(), Layout.NCHW) : null;
            Tensor expected = Oracle.poisoned(scope, op.output(), cs.layout);
            try (Plan ref = REFERENCE.planConvolution(op, wts, b)) {
                ref.execute(x, expected);
            }
            Tensor[] dst = Oracle.destination(scope, op.output(), cs.layout, cs.strided);
            try (Plan plan = VECTOR.planConvolution(op, wts, b)) {
                plan.execute(x, dst[0]);
                Oracle.assertClose(cs.toString(), expected, dst[0]);
                // A second run over a fresh poisoned output: plans are reusable, scratch holds no stale state.
                dst[0].fill(Float.NaN);
                plan.execute(x, dst[0]);
                Oracle.assertClose(cs + " (second run)", expected, dst[0]);
            }
            if (cs.strided) {
                Oracle.assertUntouchedOutside(cs.toString(), dst[1], op.output().c());
            }
        }
    }
}
