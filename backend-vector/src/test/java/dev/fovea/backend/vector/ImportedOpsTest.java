package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The ops of imported networks (element-wise with broadcasting, scale-and-shift, clamp, LRN, pad, transpose) and
 * dilated pooling's gradient against the reference backend, on awkward channel counts, both layouts, operands and
 * destinations that are channel slices of wider tensors, and in place.
 */
class ImportedOpsTest {
    static final int[] CHANNELS = {1, 3, 5, 17, 71};
    static final int[][] SPATIAL = {{1, 1}, {7, 5}};
    /** Tolerance of float arithmetic against the reference's double (one or two roundings, approximations). */
    static final double TOL = 1e-6;

    /** Activations whose float result equals the reference's double result rounded. */
    static boolean exact(Activation a) {
        return a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6;
    }

    /** Random data in {@code [−scale, scale]}: a dense tensor, or with {@code sliced} a channel slice of a wider one. */
    static Tensor input(TensorScope scope, SplittableRandom rnd, Shape shape, Layout layout, boolean sliced,
                        double scale) {
        if (!sliced || shape.rank() < 2) {
            return scope.fromArray(Oracle.random(rnd, shape.elementCount(), scale), shape, layout);
        }
        Shape wide = shape.with(1, shape.dim(1) + 4);
        Tensor whole = scope.fromArray(Oracle.random(rnd, wide.elementCount(), scale), wide, layout);
        return whole.slice(1, 2, shape.dim(1));
    }

    /** A dense copy of {@code t} (same shape and layout). */
    static Tensor copy(TensorScope scope, Tensor t) {
        Tensor c = scope.allocate(t.shape(), t.layout());
        REFERENCE.copy(t, c);
        return c;
    }

    // ---- binary

    /** Operand shapes {a, b} for broadcast kind {@code kind} of an [n, c, h, w] output. */
    static Shape[] operands(int kind, int n, int c, int h, int w) {
        return switch (kind) {
            case 0 -> new Shape[] {Shape.of(n, c, h, w), Shape.of(n, c, h, w)};
            case 1 -> new Shape[] {Shape.of(n, c, h, w), Shape.of(n, c, 1, 1)}; // squeeze-and-excitation
            case 2 -> new Shape[] {Shape.of(n, c, h, w), Shape.of(1, c, 1, 1)}; // per channel
            case 3 -> new Shape[] {Shape.of(n, c, 1, 1), Shape.of(n, c, h, w)}; // a repeated
            case 4 -> new Shape[] {Shape.of(n, c, h, w), Shape.of(1, 1, h, w)}; // per pixel
            case 5 -> new Shape[] {Shape.of(n, 1, h, w), Shape.of(1, c, 1, w)}; // both repeated
            case 6 -> new Shape[] {Shape.of(n, c), Shape.of(1, c)};
            default -> new Shape[] {Shape.of(n, c, w), Shape.of(n, 1, w)};
        };
    }

    static final String[] KINDS = {"same", "[N,C,1,1]", "[1,C,1,1]", "a [N,C,1,1]", "[1,1,H,W]", "[N,1,H,W]⊙[1,C,1,W]",
        "2-D [1,C]", "3-D [N,1,W]"};
    static final String[] DESTINATIONS = {"dense", "slice-dst", "y=a", "y=b"};

    @TestFactory
    Stream<DynamicTest> binary() {
        List<DynamicTest> tests = new ArrayList<>();
        SplittableRandom pick = new SplittableRandom(11);
        for (Layout layout : Layout.values()) {
            for (int c : CHANNELS) {
                for (int[] hw : SPATIAL) {
                    for (int kind = 0; kind < KINDS.length; kind++) {
                        for (BinaryOp bop : BinaryOp.values()) {
                            Activation act = Activation.values()[pick.nextInt(Activation.values().length)];
                            int dst = pick.nextInt(DESTINATIONS.length);
                            boolean sliced = pick.nextBoolean();
                            int k = kind;
                            String name = bop + " " + KINDS[kind] + " c" + c + " " + hw[0] + "x" + hw[1] + " "
                                    + layout + " " + act + " " + DESTINATIONS[dst] + (sliced ? " slice-a" : "");
                            tests.add(DynamicTest.dynamicTest(name, () -> binary(bop, operands(k, 2, c, hw[0], hw[1]),
                                    layout, act, dst, sliced)));
                        }
                    }
                }
            }
        }
        // Large enough for several tasks, both long lines (same shapes) and short ones (NHWC per channel).
        Activation[] acts = {Activation.HARD_SWISH, Activation.SILU, Activation.RELU, Activation.TANH};
        for (Layout layout : Layout.values()) {
            for (int kind : new int[] {0, 1, 2, 4}) {
                Activation act = acts[kind % acts.length];
                tests.add(DynamicTest.dynamicTest("large " + KINDS[kind] + " " + layout + " " + act,
                        () -> binary(BinaryOp.MUL, operands(kind, 3, 71, 23, 29), layout, act, 1, true)));
            }
        }
        return tests.stream();
    }

    static void binary(BinaryOp bop, Shape[] shapes, Layout layout, Activation act, int dst, boolean slicedA) {
        BinaryDescriptor op = BinaryDescriptor.create("binary", bop, shapes[0], shapes[1], layout, act);
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(shapes) * 31L + bop.ordinal() + act.ordinal());
        try (TensorScope scope = new TensorScope()) {
            Tensor a = input(scope, rnd, op.a(), layout, slicedA, 6);
            Tensor b = input(scope, rnd, op.b(), layout, !slicedA, 6);
            Tensor expected = Oracle.poisoned(scope, op.output(), layout);
            REFERENCE.binaryForward(op, a, b, expected);
            String what = op.toString();
            Tensor[] y;
            if (dst == 2 && op.a().equals(op.output())) {
                y = new Tensor[] {a, a};
            } else if (dst == 3 && op.b().equals(op.output())) {
                y = new Tensor[] {b, b};
            } else {
                y = Oracle.destination(scope, op.output(), layout, dst == 1);
            }
            VECTOR.binaryForward(op, a, b, y[0]);
            Oracle.assertClose(what, expected, y[0], exact(act) ? 0 : TOL, exact(act) ? 0 : TOL);
            if (dst == 1) {
                Oracle.assertUntouchedOutside(what, y[1], op.output().dim(1));
            }
        }
    }

    // ---- scale and shift

    @TestFactory
    Stream<DynamicTest> scaleShift() {
        List<DynamicTest> tests = new ArrayList<>();
        SplittableRandom pick = new SplittableRandom(12);
        List<Shape> shapes = new ArrayList<>();
        for (int c : CHANNELS) {
            for (int[] hw : SPATIAL) {
                shapes.add(Shape.of(2, c, hw[0], hw[1]));
            }
            shapes.add(Shape.of(3, c));
        }
        shapes.add(Shape.of(3, 71, 23, 29));
        for (Shape shape : shapes) {
            for (Layout layout : Layout.values()) {
                for (int mode = 0; mode < 4; mode++) {
                    Activation act = Activation.values()[pick.nextInt(Activation.values().length)];
                    int m = mode;
                    String name = shape + " " + layout + " " + act + " "
                            + new String[] {"dense", "slice-x", "slice-y", "in-place"}[mode];
                    tests.add(DynamicTest.dynamicTest(name, () -> scaleShift(shape, layout, act, m)));
                }
            }
        }
        return tests.stream();
    }

    /** mode 0: dense; 1: x a channel slice; 2: y a channel slice; 3: in place. */
    static void scaleShift(Shape shape, Layout layout, Activation act, int mode) {
        ScaleShiftDescriptor op = ScaleShiftDescriptor.create("bn", shape, layout, act);
        SplittableRandom rnd = new SplittableRandom(shape.hashCode() * 7L + mode);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = input(scope, rnd, shape, layout, mode == 1, 4);
            Tensor scale = scope.fromArray(Oracle.random(rnd, shape.c(), 2), op.parameterShape(), Layout.NCHW);
            Tensor shift = scope.fromArray(Oracle.random(rnd, shape.c(), 1), op.parameterShape(), Layout.NCHW);
            Tensor expected = Oracle.poisoned(scope, shape, layout);
            try (Plan ref = REFERENCE.planScaleShift(op, scale, shift)) {
                ref.execute(x, expected);
            }
            Tensor[] y = mode == 3 ? new Tensor[] {x, x} : Oracle.destination(scope, shape, layout, mode == 2);
            try (Plan plan = VECTOR.planScaleShift(op, scale, shift)) {
                plan.execute(x, y[0]);
            }
            // One rounding (fma) against the reference's two: equal but for rare ties, so a relative tolerance.
            Oracle.assertClose(op.toString(), expected, y[0], TOL, TOL);
            if (mode == 2) {
                Oracle.assertUntouchedOutside(op.toString(), y[1], shape.c());
            }
        }
    }

    // ---- clamp

    static final float[][] CLAMPS = {{1, 0, 0, 6}, {1, 0, Float.NEGATIVE_INFINITY, 2.5f}, {0.2f, 0.5f, 0, 1},
        {-1.5f, 0.25f, -1, 1}, {1, 0, -3, -3}};

    @TestFactory
    Stream<DynamicTest> clamp() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (float[] p : CLAMPS) {
            for (int c : CHANNELS) {
                for (Layout layout : Layout.values()) {
                    int mode = i++ % 4;
                    Shape shape = c == 17 ? Shape.of(3, 71, 23, 29) : Shape.of(2, c, 7, 5);
                    tests.add(DynamicTest.dynamicTest("clamp " + Arrays.toString(p) + " " + shape + " " + layout + " "
                            + new String[] {"dense", "slice-x", "slice-y", "in-place"}[mode],
                            () -> clamp(p, shape, layout, mode)));
                }
            }
        }
        tests.add(DynamicTest.dynamicTest("clamp 2-D", () -> clamp(CLAMPS[0], Shape.of(3, 33), Layout.NCHW, 2)));
        tests.add(DynamicTest.dynamicTest("clamp 1-D", () -> clamp(CLAMPS[3], Shape.of(37), Layout.NCHW, 0)));
        return tests.stream();
    }

    static void clamp(float[] p, Shape shape, Layout layout, int mode) {
        ClampDescriptor op = ClampDescriptor.create("clip", shape, layout, p[0], p[1], p[2], p[3]);
        SplittableRandom rnd = new SplittableRandom(shape.hashCode() + mode);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = input(scope, rnd, shape, layout, mode == 1, 8);
            Tensor expected = Oracle.poisoned(scope, shape, layout);
            REFERENCE.clampForward(op, x, expected);
            Tensor[] y = mode == 3 ? new Tensor[] {x, x} : Oracle.destination(scope, shape, layout, mode == 2);
            VECTOR.clampForward(op, x, y[0]);
            boolean exact = p[0] == 1 && p[1] == 0;
            Oracle.assertClose(op.toString(), expected, y[0], exact ? 0 : TOL, exact ? 0 : TOL);
            if (mode == 2) {
                Oracle.assertUntouchedOutside(op.toString(), y[1], shape.dim(1));
            }
        }
    }

    // ---- LRN

    @TestFactory
    Stream<DynamicTest> lrn() {
        List<DynamicTest> tests = new ArrayList<>();
        float[][] params = {{5, 1e-4f, 0.75f, 1}, {3, 2f, 0.75f, 2}, {2, 1f, 0.5f, 1}, {4, 0.5f, 1.3f, 1.5f},
            {1, 1f, 0.75f, 1}, {9, 3f, 0.75f, 1}};
        int i = 0;
        for (float[] p : params) {
            for (int c : CHANNELS) {
                for (int[] hw : SPATIAL) {
                    for (Layout layout : Layout.values()) {
                        int mode = i++ % 3;
                        Shape shape = Shape.of(2, c, hw[0], hw[1]);
                        tests.add(DynamicTest.dynamicTest("lrn " + Arrays.toString(p) + " " + shape + " " + layout
                                + " " + new String[] {"dense", "slice-x", "slice-y"}[mode],
                                () -> lrn(p, shape, layout, mode)));
                    }
                }
            }
        }
        for (Layout layout : Layout.values()) {
            tests.add(DynamicTest.dynamicTest("lrn large " + layout, () -> lrn(params[1], Shape.of(2, 71, 23, 29),
                    layout, 2)));
        }
        return tests.stream();
    }

    static void lrn(float[] p, Shape shape, Layout layout, int mode) {
        LrnDescriptor op = LrnDescriptor.create("lrn", shape, layout, (int) p[0], p[1], p[2], p[3]);
        SplittableRandom rnd = new SplittableRandom(shape.hashCode() * 5L + mode);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = input(scope, rnd, shape, layout, mode == 1, 3);
            Tensor expected = Oracle.poisoned(scope, shape, layout);
            REFERENCE.lrnForward(op, x, expected);
            Tensor[] y = Oracle.destination(scope, shape, layout, mode == 2);
            VECTOR.lrnForward(op, x, y[0]);
            Oracle.assertClose(op.toString(), expected, y[0], 1e-7, TOL);
            if (mode == 2) {
                Oracle.assertUntouchedOutside(op.toString(), y[1], shape.c());
            }
        }
    }

    // ---- pad and transpose

    @TestFactory
    Stream<DynamicTest> pad() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][][] pads = {
            {{0, 0, 1, 2}, {0, 0, 2, 0}}, // rows and columns (the fast path)
            {{0, 0, 0, 0}, {0, 0, 0, 3}},
            {{0, 0, 3, 1}, {0, 0, 0, 0}},
            {{0, 1, 1, 0}, {0, 2, 0, 1}}, // channels too: the definition
        };
        float[] values = {0f, 1.5f, -0f};
        int i = 0;
        for (int[][] pd : pads) {
            for (int c : CHANNELS) {
                for (int[] hw : SPATIAL) {
                    for (Layout layout : Layout.values()) {
                        int mode = i % 3;
                        float value = values[i++ % values.length];
                        Shape shape = Shape.of(2, c, hw[0], hw[1]);
                        tests.add(DynamicTest.dynamicTest("pad " + Arrays.toString(pd[0]) + Arrays.toString(pd[1])
                                + " " + shape + " " + layout + " value " + value + " "
                                + new String[] {"dense", "slice-x", "slice-y"}[mode],
                                () -> pad(shape, layout, pd[0], pd[1], value, mode)));
                    }
                }
            }
        }
        tests.add(DynamicTest.dynamicTest("pad large NHWC", () -> pad(Shape.of(3, 71, 23, 29), Layout.NHWC,
                new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 1}, 0f, 0)));
        tests.add(DynamicTest.dynamicTest("pad large NCHW", () -> pad(Shape.of(3, 71, 23, 29), Layout.NCHW,
                new int[] {0, 0, 2, 0}, new int[] {0, 0, 0, 2}, -1f, 2)));
        tests.add(DynamicTest.dynamicTest("pad 2-D", () -> pad(Shape.of(3, 7), Layout.NCHW, new int[] {1, 0},
                new int[] {0, 2}, 2f, 0)));
        return tests.stream();
    }

    static void pad(Shape shape, Layout layout, int[] before, int[] after, float value, int mode) {
        PadDescriptor op = PadDescriptor.create("pad", shape, layout, before, after, value);
        SplittableRandom rnd = new SplittableRandom(shape.hashCode() + mode);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = input(scope, rnd, shape, layout, mode == 1, 1);
            Tensor expected = Oracle.poisoned(scope, op.output(), layout);
            REFERENCE.padForward(op, x, expected);
            Tensor[] y = Oracle.destination(scope, op.output(), layout, mode == 2);
            VECTOR.padForward(op, x, y[0]);
            Oracle.assertClose(op.toString(), expected, y[0], 0, 0);
            if (mode == 2) {
                Oracle.assertUntouchedOutside(op.toString(), y[1], op.output().dim(1));
            }
        }
    }

    /**
     * Axis permutations of 3-, 4- and 5-D tensors in both layouts: rows copied whole (ShuffleNet's channel shuffle,
     * large enough to be split between the two workers), element by element, and merged axes.
     */
    @Test
    void transpose() {
        record Case(Shape shape, int[] perm) {
        }
        Case[] cases = {
                new Case(Shape.of(2, 5, 3, 7), new int[] {0, 2, 3, 1}),
                new Case(Shape.of(2, 5, 3, 7), new int[] {0, 1, 3, 2}),
                new Case(Shape.of(2, 2, 58, 28, 28), new int[] {0, 2, 1, 3, 4}),
                new Case(Shape.of(1, 3, 4, 5, 6), new int[] {0, 4, 2, 3, 1}),
                new Case(Shape.of(3, 6, 10), new int[] {0, 2, 1}),
        };
        for (Case cs : cases) {
            for (Layout layout : Layout.values()) {
                TransposeDescriptor op = TransposeDescriptor.create("t", cs.shape, layout, cs.perm);
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = input(scope, new SplittableRandom(2), op.input(), layout, true, 1);
                    Tensor expected = Oracle.poisoned(scope, op.output(), layout);
                    REFERENCE.transposeForward(op, x, expected);
                    Tensor y = Oracle.poisoned(scope, op.output(), layout);
                    VECTOR.transposeForward(op, x, y);
                    Oracle.assertClose(op.toString(), expected, y, 0, 0);
                }
            }
        }
    }

    /** A channel shuffle as compiled graphs run it: 5-D views of 4-D tensors of either layout, split channel axes. */
    @Test
    void channelShuffleOnSplitViews() {
        for (Layout layout : Layout.values()) {
            for (int groups : new int[] {2, 3}) {
                Shape shape = Shape.of(2, 12 * groups, 9, 7);
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = input(scope, new SplittableRandom(5), shape, layout, true, 1).splitAxis(1, groups);
                    Tensor expected = Oracle.poisoned(scope, shape, layout);
                    Tensor y = Oracle.poisoned(scope, shape, layout);
                    TransposeDescriptor op = TransposeDescriptor.create("shuffle", x.shape(), layout,
                            new int[] {0, 2, 1, 3, 4});
                    REFERENCE.transposeForward(op, x, expected.splitAxis(1, 12));
                    VECTOR.transposeForward(op, x, y.splitAxis(1, 12));
                    Oracle.assertClose(op + " in " + groups + " groups", expected, y, 0, 0);
                }
            }
        }
    }

    // ---- NaN and thread count

    /** NaN propagates through the new activations, clamp, scale-and-shift and LRN, as in the reference. */
    @TestFactory
    Stream<DynamicTest> nanPropagates() {
        return Stream.of(Layout.values()).map(layout -> DynamicTest.dynamicTest("NaN " + layout, () -> {
            Shape shape = Shape.of(2, 71, 7, 5);
            try (TensorScope scope = new TensorScope()) {
                Tensor x = input(scope, new SplittableRandom(4), shape, layout, false, 8);
                x.set(Float.NaN, 0, 0, 0, 0);
                x.set(Float.NaN, 1, 40, 3, 2);
                x.set(Float.NaN, 1, 70, 6, 4);
                List<Runnable> checks = new ArrayList<>();
                for (Activation act : new Activation[] {Activation.NONE, Activation.RELU6, Activation.HARD_SIGMOID,
                    Activation.HARD_SWISH, Activation.SILU}) {
                    BinaryDescriptor op = BinaryDescriptor.create("add", BinaryOp.ADD, shape, Shape.of(2, 71, 1, 1),
                            layout, act);
                    Tensor b = input(scope, new SplittableRandom(5), op.b(), layout, false, 1);
                    compare(scope, op.toString(), shape, layout, y -> REFERENCE.binaryForward(op, x, b, y),
                            y -> VECTOR.binaryForward(op, x, b, y));
                    compare(scope, act.toString(), shape, layout, y -> REFERENCE.activationForward(act, x, y),
                            y -> VECTOR.activationForward(act, x, y));
                    ScaleShiftDescriptor ss = ScaleShiftDescriptor.create("bn", shape, layout, act);
                    Tensor p = scope.fromArray(Oracle.random(new SplittableRandom(6), 71, 1), ss.parameterShape(),
                            Layout.NCHW);
                    compare(scope, ss.toString(), shape, layout, y -> {
                        try (Plan plan = REFERENCE.planScaleShift(ss, p, p)) {
                            plan.execute(x, y);
                        }
                    }, y -> {
                        try (Plan plan = VECTOR.planScaleShift(ss, p, p)) {
                            plan.execute(x, y);
                        }
                    });
                }
                ClampDescriptor clip = ClampDescriptor.create("clip", shape, layout, 1, 0, 0, 6);
                compare(scope, "clamp", shape, layout, y -> REFERENCE.clampForward(clip, x, y),
                        y -> VECTOR.clampForward(clip, x, y));
                LrnDescriptor lrn = LrnDescriptor.create("lrn", shape, layout, 5, 1e-4f, 0.75f, 1);
                compare(scope, "lrn", shape, layout, y -> REFERENCE.lrnForward(lrn, x, y),
                        y -> VECTOR.lrnForward(lrn, x, y));
                Tensor y = Oracle.poisoned(scope, shape, layout);
                y.fill(0f);
                VECTOR.lrnForward(lrn, x, y);
                assertTrue(Float.isNaN(y.get(1, 38, 3, 2)) && Float.isNaN(y.get(1, 42, 3, 2)));
                assertTrue(!Float.isNaN(y.get(1, 37, 3, 2)) && !Float.isNaN(y.get(1, 43, 3, 2)));
            }
        }));
    }

    interface Op {
        void run(Tensor y);
    }

    /** Runs the reference and the vector op into zero-filled destinations and compares them (NaN only with NaN). */
    static void compare(TensorScope scope, String what, Shape shape, Layout layout, Op reference, Op vector) {
        Tensor expected = scope.allocate(shape, layout);
        expected.fill(0f);
        reference.run(expected);
        Tensor y = scope.allocate(shape, layout);
        y.fill(0f);
        vector.run(y);
        Oracle.assertClose(what, expected, y, TOL, TOL);
        assertTrue(Float.isNaN(y.get(1, 40, 3, 2)), what + ": NaN lost");
    }

    /** One thread and two give the same bits (every op here computes each element on its own). */
    @Test
    void sameForAnyThreadCount() {
        try (Engine one = Engine.open(VectorBackendProvider.NAME, new BackendOptions(1));
             TensorScope scope = new TensorScope()) {
            for (Layout layout : Layout.values()) {
                Shape shape = Shape.of(4, 71, 23, 29);
                Tensor x = input(scope, new SplittableRandom(8), shape, layout, true, 3);
                Tensor b = input(scope, new SplittableRandom(9), Shape.of(4, 71, 1, 1), layout, false, 3);
                BinaryDescriptor mul = BinaryDescriptor.create("se", BinaryOp.MUL, shape, b.shape(), layout,
                        Activation.SILU);
                compareEngines(scope, one, shape, layout, (e, y) -> e.binaryForward(mul, x, b, y));
                ScaleShiftDescriptor ss = ScaleShiftDescriptor.create("bn", shape, layout, Activation.HARD_SWISH);
                Tensor p = scope.fromArray(Oracle.random(new SplittableRandom(6), 71, 1), ss.parameterShape(),
                        Layout.NCHW);
                compareEngines(scope, one, shape, layout, (e, y) -> {
                    try (Plan plan = e.planScaleShift(ss, p, p)) {
                        plan.execute(x, y);
                    }
                });
                ClampDescriptor clip = ClampDescriptor.create("clip", shape, layout, 0.3f, 0.1f, -1, 1);
                compareEngines(scope, one, shape, layout, (e, y) -> e.clampForward(clip, x, y));
                LrnDescriptor lrn = LrnDescriptor.create("lrn", shape, layout, 5, 1f, 0.75f, 2);
                compareEngines(scope, one, shape, layout, (e, y) -> e.lrnForward(lrn, x, y));
                PoolingDescriptor pool = PoolingDescriptor.create("pool", shape, layout, new PoolingParams(
                        PoolingMode.AVERAGE, 3, 3, 1, 2, Padding.explicit(2), true, false, false, 2, 3));
                Tensor py = Oracle.poisoned(scope, pool.output(), layout);
                Tensor py1 = Oracle.poisoned(scope, pool.output(), layout);
                VECTOR.poolingForward(pool, x, py);
                one.poolingForward(pool, x, py1);
                Oracle.assertClose("pool", py, py1, 0, 0);
            }
        }
    }

    interface EngineOp {
        void run(Engine e, Tensor y);
    }

    static void compareEngines(TensorScope scope, Engine one, Shape shape, Layout layout, EngineOp op) {
        Tensor two = Oracle.poisoned(scope, shape, layout);
        op.run(VECTOR, two);
        Tensor single = Oracle.poisoned(scope, shape, layout);
        op.run(one, single);
        Oracle.assertClose("threads", two, single, 0, 0);
    }

    // ---- dilated pooling's gradient (the reference's backward predates dilation: checked here from its definition)

    @TestFactory
    Stream<DynamicTest> dilatedPoolingBackward() {
        return PoolingTest.dilatedCases().stream().filter(cs -> PoolingTest.descriptor(cs) != null)
                .map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> dilatedBackward(cs)));
    }

    static void dilatedBackward(PoolingTest.Case cs) {
        PoolingDescriptor op = PoolingTest.descriptor(cs);
        SplittableRandom rnd = new SplittableRandom(cs.seed());
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout());
            Tensor y = Oracle.poisoned(scope, op.output(), cs.layout());
            VECTOR.poolingForward(op, x, y);
            Tensor dy = Oracle.tensor(scope, rnd, op.output(), cs.layout());
            Tensor expected = scope.allocate(op.input(), cs.layout());
            expected.fill(0f);
            int h = op.input().h();
            int w = op.input().w();
            for (int n = 0; n < op.input().n(); n++) {
                for (int c = 0; c < op.input().c(); c++) {
                    for (int p = 0; p < op.output().h(); p++) {
                        for (int q = 0; q < op.output().w(); q++) {
                            // The forward's taps, in window order; the first maximum takes the gradient.
                            List<int[]> inside = new ArrayList<>();
                            int padded = 0;
                            for (int r = 0; r < op.kernelH(); r++) {
                                int ih = p * op.strideH() - op.pads().top() + r * op.dilationH();
                                for (int s = 0; s < op.kernelW() && ih < h + op.pads().bottom(); s++) {
                                    int iw = q * op.strideW() - op.pads().left() + s * op.dilationW();
                                    if (iw >= w + op.pads().right()) {
                                        break;
                                    }
                                    padded++;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                        inside.add(new int[] {ih, iw});
                                    }
                                }
                            }
                            double d = dy.get(n, c, p, q);
                            if (op.mode() == PoolingMode.MAX) {
                                int[] best = inside.get(0);
                                for (int[] cell : inside) {
                                    if (x.get(n, c, cell[0], cell[1]) > x.get(n, c, best[0], best[1])) {
                                        best = cell;
                                    }
                                }
                                inside = List.of(best);
                            } else {
                                d /= op.countIncludePad() ? padded : inside.size();
                            }
                            for (int[] cell : inside) {
                                expected.set((float) (expected.get(n, c, cell[0], cell[1]) + d), n, c, cell[0],
                                        cell[1]);
                            }
                        }
                    }
                }
            }
            Tensor[] dx = Oracle.destination(scope, op.input(), cs.layout(), cs.strided());
            VECTOR.poolingBackward(op, x, y, dy, dx[0]);
            Oracle.assertClose(cs.toString(), expected, dx[0]);
            if (cs.strided()) {
                Oracle.assertUntouchedOutside(cs.toString(), dx[1], op.input().c());
            }
        }
    }

    /** A convolution fused with a dilated pooling is left to the two ops apart. */
    @Test
    void noFusionWithDilatedPooling() {
        var conv = dev.fovea.op.ConvolutionDescriptor.create("conv", Shape.of(1, 3, 9, 9), Layout.NHWC,
                dev.fovea.op.ConvolutionParams.of(8, 3, 3));
        PoolingDescriptor pool = PoolingDescriptor.create("pool", conv.output(), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withDilation(2, 2));
        assertFalse(offersFusedPlan(conv, pool));
    }

    /**
     * A Winograd-eligible convolution with a pooling its tiles cannot hold (3×3, stride 2) is left to the two ops
     * apart, so that the convolution still takes Winograd; the same convolution under a 2×2 stride-2 pooling is fused.
     */
    @Test
    void noFusionThatWouldCostAWinogradConvolution() {
        var conv = dev.fovea.op.ConvolutionDescriptor.create("conv", Shape.of(1, 32, 20, 20), Layout.NHWC,
                dev.fovea.op.ConvolutionParams.of(32, 3, 3));
        PoolingDescriptor wide = PoolingDescriptor.create("pool", conv.output(), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2));
        PoolingDescriptor tiled = PoolingDescriptor.create("pool", conv.output(), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 2, 2));
        assertFalse(offersFusedPlan(conv, wide));
        assertTrue(offersFusedPlan(conv, tiled));
        assertTrue(Winograd.applies(conv), "the convolution alone takes Winograd");
    }

    /** Whether the vector backend plans {@code conv} and {@code pool} as one (zero weights and bias). */
    private static boolean offersFusedPlan(dev.fovea.op.ConvolutionDescriptor conv, PoolingDescriptor pool) {
        try (TensorScope scope = new TensorScope()) {
            Tensor w = scope.fromArray(new float[(int) conv.weightShape().elementCount()], conv.weightShape(),
                    Layout.NCHW);
            Tensor b = scope.fromArray(new float[conv.filters()], conv.biasShape(), Layout.NCHW);
            return VECTOR.planConvolutionPooled(conv, pool, w, b).isPresent();
        }
    }
}
