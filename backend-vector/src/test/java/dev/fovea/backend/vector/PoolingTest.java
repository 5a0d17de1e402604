package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Max and average pooling (every padding, ceil mode, both divisors, global) against the reference backend. */
class PoolingTest {
    record Case(Shape input, Layout layout, PoolingParams params, boolean strided) {
        /**
         * The case's data seed: a fixed integer from its description. The record's own hashCode() mixes in the
         * enums' identity hash codes, which differ from run to run, so a failure could not be replayed.
         */
        long seed() {
            return toString().hashCode();
        }

        @Override
        public String toString() {
            return params.mode() + " " + input + " " + layout + (params.global() ? " global" : " window "
                    + params.kernelH() + "x" + params.kernelW() + " stride " + params.strideH() + "x"
                    + params.strideW() + " " + params.padding() + (params.ceilMode() ? " ceil" : "")
                    + (params.countIncludePad() ? " countIncludePad" : "")
                    + (params.dilationH() * params.dilationW() > 1 ? " dilation " + params.dilationH() + "x"
                    + params.dilationW() : "")) + (strided ? " slice-dst" : "");
        }
    }

    static final Padding[] PADDINGS = {Padding.VALID, Padding.SAME, Padding.SAME_LOWER, Padding.explicit(1),
        Padding.explicit(0, 1, 1, 0)};

    static List<Case> cases() {
        List<Case> list = new ArrayList<>();
        int[] channels = {1, 3, 5, 17, 33, 65, 71}; // 5 and 71: odd counts below a vector and past four of them
        int[] sizes = {1, 3, 7, 13, 17};
        SplittableRandom rnd = new SplittableRandom(7);
        for (Layout layout : Layout.values()) {
            for (PoolingMode mode : PoolingMode.values()) {
                for (int ch : channels) {
                    list.add(new Case(Shape.of(2, ch, 7, 13), layout, PoolingParams.global(mode), false));
                    list.add(new Case(Shape.of(1, ch, 1, 1), layout, PoolingParams.global(mode), ch == 3));
                }
                for (Padding pad : PADDINGS) {
                    for (int stride = 1; stride <= 3; stride++) {
                        for (boolean ceil : new boolean[] {false, true}) {
                            for (boolean include : new boolean[] {false, true}) {
                                if (ceil && (pad.mode() == Padding.Mode.SAME || pad.mode() == Padding.Mode.SAME_LOWER)) {
                                    continue;
                                }
                                PoolingParams p = new PoolingParams(mode, 3, 2, stride, stride, pad, ceil, include,
                                        false);
                                list.add(new Case(Shape.of(2, channels[rnd.nextInt(channels.length)],
                                        sizes[1 + rnd.nextInt(4)], sizes[1 + rnd.nextInt(4)]), layout, p,
                                        rnd.nextBoolean()));
                            }
                        }
                    }
                }
                // The benchmark shapes, small: 3×3 s2 pad 1 and 2×2 s2.
                list.add(new Case(Shape.of(2, 64, 17, 17), layout,
                        PoolingParams.of(mode, 3, 3).withStride(2, 2).withPadding(Padding.explicit(1)), true));
                list.add(new Case(Shape.of(2, 64, 16, 16), layout, PoolingParams.of(mode, 2, 2), false));
                // Windows overlapping across rows with whole 4-vector channel blocks (max: two output rows at a
                // time), odd and even output heights, padding, ceil mode.
                for (int[] ks : new int[][] {{3, 1}, {3, 2}, {2, 1}, {4, 3}, {5, 2}}) {
                    list.add(new Case(Shape.of(2, 64, 13, 11), layout, new PoolingParams(mode, ks[0], ks[0], ks[1],
                            ks[1], Padding.explicit(1), ks[1] > 1, ks[1] == 2, false), ks[1] == 3));
                }
            }
        }
        while (list.size() < 300) {
            PoolingMode mode = PoolingMode.values()[rnd.nextInt(2)];
            Padding pad = PADDINGS[rnd.nextInt(PADDINGS.length)];
            boolean ceil = (pad.mode() == Padding.Mode.VALID || pad.mode() == Padding.Mode.EXPLICIT)
                    && rnd.nextBoolean();
            PoolingParams p = new PoolingParams(mode, 1 + rnd.nextInt(4), 1 + rnd.nextInt(4), 1 + rnd.nextInt(3),
                    1 + rnd.nextInt(3), pad, ceil, rnd.nextBoolean(), false);
            Case cs = new Case(Shape.of(1 + rnd.nextInt(3), channels[rnd.nextInt(channels.length)],
                    sizes[rnd.nextInt(sizes.length)], sizes[rnd.nextInt(sizes.length)]),
                    Layout.values()[rnd.nextInt(2)], p, rnd.nextBoolean());
            if (descriptor(cs) != null) {
                list.add(cs);
            }
        }
        return list;
    }

    /**
     * Dilated windows (kept out of {@link #cases()}, which the gradient tests share with a reference whose backward
     * predates dilation): every padding, ceil mode, both divisors, channel counts for every vector path.
     */
    static List<Case> dilatedCases() {
        List<Case> list = new ArrayList<>();
        int[] channels = {1, 3, 5, 17, 71};
        int[][] dilations = {{2, 1}, {1, 2}, {2, 2}, {3, 2}};
        Padding[] paddings = {Padding.VALID, Padding.SAME, Padding.explicit(1), Padding.explicit(2, 0, 1, 3)};
        SplittableRandom rnd = new SplittableRandom(9);
        int i = 0;
        for (Layout layout : Layout.values()) {
            for (PoolingMode mode : PoolingMode.values()) {
                for (int[] d : dilations) {
                    for (Padding pad : paddings) {
                        for (int stride = 1; stride <= 2; stride++) {
                            boolean ceil = pad.mode() != Padding.Mode.SAME && rnd.nextBoolean();
                            int k = 2 + i % 2;
                            PoolingParams p = new PoolingParams(mode, k, 5 - k, stride, stride, pad, ceil,
                                    rnd.nextBoolean(), false, d[0], d[1]);
                            list.add(new Case(Shape.of(2, channels[i % channels.length], 7 + rnd.nextInt(7),
                                    5 + rnd.nextInt(9)), layout, p, rnd.nextBoolean()));
                            i++;
                        }
                    }
                }
                // Whole 4-vector channel blocks, which undilated max pooling takes two rows at a time.
                list.add(new Case(Shape.of(2, 64, 13, 11), layout, new PoolingParams(mode, 3, 3, 1, 1,
                        Padding.explicit(2), false, true, false, 2, 2), true));
            }
        }
        return list;
    }

    @TestFactory
    Stream<DynamicTest> dilatedMatchesReference() {
        return dilatedCases().stream().filter(cs -> descriptor(cs) != null)
                .map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> check(cs)));
    }

    @TestFactory
    Stream<DynamicTest> dilatedMaxPropagatesNaN() {
        return Stream.of(Layout.values()).map(layout -> DynamicTest.dynamicTest("dilated NaN " + layout, () -> {
            PoolingDescriptor op = PoolingDescriptor.create("pool", Shape.of(1, 71, 9, 9), layout,
                    new PoolingParams(PoolingMode.MAX, 3, 3, 1, 1, Padding.explicit(2), false, false, false, 2, 2));
            try (TensorScope scope = new TensorScope()) {
                Tensor x = Oracle.tensor(scope, new SplittableRandom(1), op.input(), layout);
                x.set(Float.NaN, 0, 20, 4, 4);
                Tensor expected = Oracle.poisoned(scope, op.output(), layout);
                REFERENCE.poolingForward(op, x, expected);
                Tensor y = Oracle.poisoned(scope, op.output(), layout);
                VECTOR.poolingForward(op, x, y);
                Oracle.assertClose("NaN", expected, y);
                // Output (p, q) reads rows p − 2 + 2r: the NaN's row 4 from p = 2, 4, 6, not from p = 3.
                org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(y.get(0, 20, 2, 4)));
                org.junit.jupiter.api.Assertions.assertFalse(Float.isNaN(y.get(0, 20, 3, 4)));
            }
        }));
    }

    /** A NaN in the input propagates to every max window holding it (Math.max semantics), in both layouts. */
    @TestFactory
    Stream<DynamicTest> maxPropagatesNaN() {
        return Stream.of(Layout.values()).map(layout -> DynamicTest.dynamicTest("NaN " + layout, () -> {
            // 71 channels: 4-vector, 2-vector and tail paths at 512 and 128 bits; 64: two output rows at a time.
            for (int channels : new int[] {71, 64}) {
                PoolingDescriptor op = PoolingDescriptor.create("pool", Shape.of(1, channels, 9, 9), layout,
                        PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2).withPadding(Padding.explicit(1)));
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = Oracle.tensor(scope, new SplittableRandom(1), op.input(), layout);
                    x.set(Float.NaN, 0, 20, 4, 4);
                    x.set(Float.NaN, 0, 3, 0, 8);
                    x.set(Float.NaN, 0, 50, 8, 0);
                    Tensor expected = Oracle.poisoned(scope, op.output(), layout);
                    REFERENCE.poolingForward(op, x, expected);
                    Tensor y = Oracle.poisoned(scope, op.output(), layout);
                    y.fill(0f);
                    VECTOR.poolingForward(op, x, y);
                    Oracle.assertClose("NaN", expected, y);
                    org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(y.get(0, 20, 2, 2)));
                    org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(y.get(0, 50, 4, 0)));
                }
            }
        }));
    }

    static PoolingDescriptor descriptor(Case cs) {
        try {
            return PoolingDescriptor.create("pool", cs.input, cs.layout, cs.params);
        } catch (ValidationException e) {
            return null;
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return cases().stream().filter(cs -> descriptor(cs) != null)
                .map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> check(cs)));
    }

    static void check(Case cs) {
        PoolingDescriptor op = descriptor(cs);
        SplittableRandom rnd = new SplittableRandom(cs.seed());
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
            Tensor expected = Oracle.poisoned(scope, op.output(), cs.layout);
            REFERENCE.poolingForward(op, x, expected);
            Tensor[] dst = Oracle.destination(scope, op.output(), cs.layout, cs.strided);
            VECTOR.poolingForward(op, x, dst[0]);
            Oracle.assertClose(cs.toString(), expected, dst[0]);
            if (cs.strided) {
                Oracle.assertUntouchedOutside(cs.toString(), dst[1], op.output().c());
            }
        }
    }
}
