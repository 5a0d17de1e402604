package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The ops of imported networks against the reference backend on seeded random shapes and data, as
 * {@link DifferentialCases} does for convolution and pooling: element-wise ops with random broadcasting at ranks
 * 1–6 ({@code diff/binary/}), scale-and-shift ({@code diff/scale-shift/}), clamp ({@code diff/clamp/}), LRN
 * ({@code diff/lrn/}), pad ({@code diff/pad/}), transpose ({@code diff/transpose/}), dilated pooling
 * ({@code diff/max-pool/...-d2x3-...}), and convolutions and dense layers with the newer fused activations. Shapes
 * and parameters are drawn from the seed in the name, so {@code --filter} with the name reruns exactly one case.
 * 4-D cases run in both layouts.
 */
final class ImportedOpDifferentialCases {
    private ImportedOpDifferentialCases() {
    }

    /** Sizes of a spatial axis: vector tails (1, 3, 7, 13, 17, 31, 33) and one longer row. */
    private static final int[] SIZES = DifferentialCases.SIZES;
    private static final int[] CHANNELS = {1, 3, 5, 7, 16, 17, 33, 71};
    /** An upper bound on one case's output elements: the reference computes in double, one element at a time. */
    private static final int MAX_ELEMENTS = 40_000;

    static void add(CaseList c) {
        binaries(c);
        scaleShifts(c);
        clamps(c);
        lrns(c);
        pads(c);
        transposes(c);
        dilatedPoolings(c);
        fusedActivations(c);
    }

    private static String dims(int[] d) {
        StringBuilder s = new StringBuilder();
        for (int x : d) {
            if (!s.isEmpty()) {
                s.append('x');
            }
            s.append(x);
        }
        return s.toString();
    }

    private static String list(int[] v) {
        StringBuilder s = new StringBuilder();
        for (int x : v) {
            if (!s.isEmpty()) {
                s.append(',');
            }
            s.append(x);
        }
        return s.toString();
    }

    /** {@code 2}, {@code 0.25}, {@code minus-1}, {@code inf}: a parameter in a case name. */
    private static String number(float v) {
        if (v < 0) {
            return "minus-" + number(-v);
        }
        return Float.isInfinite(v) ? "inf" : v == (int) v ? Integer.toString((int) v) : Float.toString(v);
    }

    private static String what(Engine e) {
        return "y vs " + (Reference.isUnderTest(e) ? "oracle" : "reference");
    }

    /** Random dims of {@code rank} axes (a 4-D shape is [N, C, H, W]) with at most {@link #MAX_ELEMENTS} elements. */
    private static int[] shape(SplittableRandom r, int rank) {
        int[] d = new int[rank];
        do {
            for (int a = 0; a < rank; a++) {
                d[a] = rank == 4 && a == 0 ? 1 + r.nextInt(2)
                        : rank == 4 && a == 1 ? CHANNELS[r.nextInt(CHANNELS.length)]
                        : SIZES[r.nextInt(rank <= 2 ? SIZES.length : rank == 4 ? 6 : 4)];
            }
        } while (Data.count(d) > MAX_ELEMENTS);
        return d;
    }

    /** Runs a 4-D case in both layouts, any other rank once (row-major). */
    private static void add(CaseList c, String name, int rank, CaseList.LayoutBody body) {
        if (rank == 4) {
            c.layouts(name, body);
        } else {
            c.add(name, e -> body.run(e, Layout.NCHW));
        }
    }

    // ---- element-wise with broadcasting ----

    private static void binaries(CaseList c) {
        int[] ranks = {4, 4, 4, 2, 3, 5, 4, 1, 6, 4};
        for (int i = 0; i < 40; i++) {
            long seed = 80_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            BinaryOp op = BinaryOp.values()[i % 4];
            Activation act = Activation.values()[i % Activation.values().length];
            int rank = ranks[i % ranks.length];
            int[] yd = shape(r, rank);
            int[] ad = yd.clone();
            int[] bd = yd.clone();
            for (int a = 0; a < rank; a++) {
                switch (r.nextInt(4)) { // each axis: equal (half the time), or broadcast on one side
                    case 0 -> ad[a] = 1;
                    case 1 -> bd[a] = 1;
                    default -> {
                    }
                }
            }
            String name = "diff/binary/" + op.name().toLowerCase(java.util.Locale.ROOT) + "-" + dims(ad) + "-and-"
                    + dims(bd) + "-" + act + "/seed=" + seed;
            add(c, name, rank, (e, l) -> {
                BinaryDescriptor d = BinaryDescriptor.create("Binary 'diff'", op, Shape.of(ad), Shape.of(bd), l, act);
                float[] a = Data.uniform(seed, Data.count(ad), -4, 4);
                float[] b = Data.uniform(seed + 1, Data.count(bd), -4, 4);
                if (op == BinaryOp.DIV) {
                    for (int k = 0; k < b.length; k++) {
                        b[k] = Math.copySign(0.5f + Math.abs(b[k]), b[k]); // |b| ≥ 0.5
                    }
                }
                try (Run run = new Run(e)) {
                    float[] y = run.binary(d, a, b);
                    double[] expected = DifferentialCases.expected(e,
                            () -> Oracle.binary(op, ad, a, bd, b, act).values(), ref -> ref.binary(d, a, b));
                    Check.close(what(e), y, d.output().dims(), expected, Ops.binaryTolerance(act));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- scale-and-shift ----

    private static void scaleShifts(CaseList c) {
        for (int i = 0; i < 16; i++) {
            long seed = 81_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            Activation act = Activation.values()[i % Activation.values().length];
            int rank = i % 4 == 3 ? 2 : 4;
            int[] xd = rank == 2 ? new int[] {1 + r.nextInt(7), CHANNELS[r.nextInt(CHANNELS.length)] + r.nextInt(64)}
                    : shape(r, 4);
            add(c, "diff/scale-shift/" + dims(xd) + "-" + act + "/seed=" + seed, rank, (e, l) -> {
                ScaleShiftDescriptor d = ScaleShiftDescriptor.create("BatchNormalization 'diff'", Shape.of(xd), l, act);
                float[] x = Data.uniform(seed, Data.count(xd), -4, 4);
                float[] scale = Data.uniform(seed + 1, xd[1], -2, 2);
                float[] shift = Data.uniform(seed + 2, xd[1], -1, 1);
                try (Run run = new Run(e)) {
                    float[] y = run.scaleShift(d, x, scale, shift);
                    double[] expected = DifferentialCases.expected(e,
                            () -> Oracle.scaleShift(xd, x, scale, shift, act).values(),
                            ref -> ref.scaleShift(d, x, scale, shift));
                    // |x| ≤ 4, |scale| ≤ 2, |shift| ≤ 1.
                    Check.close(what(e), y, xd, expected, Ops.affineTolerance(9, act));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- clamp ----

    private static void clamps(CaseList c) {
        // (alpha, beta, min, max): ReLU6, ONNX and PyTorch hard-sigmoid, a general affine clamp, a negative alpha,
        // unbounded sides, min = max.
        float[][] params = {{1, 0, 0, 6}, {0.2f, 0.5f, 0, 1}, {1f / 6, 0.5f, 0, 1}, {2, -1, -3, 4}, {-1, 0.5f, -2, 2},
            {1, 0, Float.NEGATIVE_INFINITY, 1.5f}, {0.5f, 0.25f, -1, Float.POSITIVE_INFINITY}, {1, 0, 3, 3}};
        int[] ranks = {4, 4, 2, 4, 3, 4, 5, 1};
        for (int i = 0; i < params.length; i++) {
            long seed = 82_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            float[] p = params[i];
            int rank = ranks[i];
            int[] xd = shape(r, rank);
            String name = "diff/clamp/" + dims(xd) + "-alpha-" + number(p[0]) + "-beta-" + number(p[1]) + "-min-"
                    + number(p[2]) + "-max-" + number(p[3]) + "/seed=" + seed;
            add(c, name, rank, (e, l) -> {
                ClampDescriptor d = ClampDescriptor.create("Clip 'diff'", Shape.of(xd), l, p[0], p[1], p[2], p[3]);
                float[] x = Data.uniform(seed, Data.count(xd), -8, 8);
                try (Run run = new Run(e)) {
                    float[] y = run.clamp(d, x);
                    double[] expected = DifferentialCases.expected(e,
                            () -> Oracle.clamp(xd, x, p[0], p[1], p[2], p[3]).values(), ref -> ref.clamp(d, x));
                    Check.close(what(e), y, xd, expected,
                            Ops.clampTolerance(p[0], p[1], 8 * Math.abs(p[0]) + Math.abs(p[1])));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- local response normalization ----

    private static void lrns(CaseList c) {
        int[] sizes = {1, 2, 3, 4, 5, 7, 9, 11};
        for (int i = 0; i < 16; i++) {
            long seed = 83_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            int size = sizes[i % sizes.length];
            int[] xd = shape(r, 4);
            float alpha = (float) Math.pow(10, -4 + r.nextInt(5)); // 1e-4 … 1
            float beta = 0.5f + 0.25f * r.nextInt(3);              // 0.5, 0.75, 1
            float bias = 0.5f + 0.5f * r.nextInt(4);               // 0.5 … 2
            String name = "diff/lrn/" + dims(xd) + "-size-" + size + "-alpha-" + number(alpha) + "-beta-"
                    + number(beta) + "-bias-" + number(bias) + "/seed=" + seed;
            c.layouts(name, (e, l) -> {
                LrnDescriptor d = LrnDescriptor.create("LRN 'diff'", Shape.of(xd), l, size, alpha, beta, bias);
                float[] x = Data.uniform(seed, Data.count(xd), -10, 10);
                try (Run run = new Run(e)) {
                    float[] y = run.lrn(d, x);
                    Oracle.Result o = Oracle.lrn(xd, x, size, alpha, beta, bias);
                    double[] expected = DifferentialCases.expected(e, o::values, ref -> ref.lrn(d, x));
                    Check.close(what(e), y, xd, expected, Tolerance.normalization(o.magnitude()));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- constant pad ----

    private static void pads(CaseList c) {
        int[] ranks = {4, 4, 1, 2, 3, 4, 5, 4, 2, 4, 3, 4};
        for (int i = 0; i < ranks.length; i++) {
            long seed = 84_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            int rank = ranks[i];
            int[] xd = shape(r, rank);
            int[] before = new int[rank];
            int[] after = new int[rank];
            for (int a = 0; a < rank; a++) {
                before[a] = r.nextInt(4);
                after[a] = r.nextInt(4);
            }
            float value = (float) Math.floor(r.nextDouble(-8, 8)) / 4;
            String name = "diff/pad/" + dims(xd) + "-before-" + list(before) + "-after-" + list(after) + "-value-"
                    + number(value) + "/seed=" + seed;
            add(c, name, rank, (e, l) -> {
                PadDescriptor d = PadDescriptor.create("Pad 'diff'", Shape.of(xd), l, before, after, value);
                float[] x = Data.uniform(seed, Data.count(xd), -1, 1);
                try (Run run = new Run(e)) {
                    float[] y = run.pad(d, x);
                    double[] expected = DifferentialCases.expected(e,
                            () -> Oracle.pad(xd, x, before, after, value).values(), ref -> ref.pad(d, x));
                    Check.close(what(e), y, d.output().dims(), expected, Tolerance.EXACT);
                }
                return Outcome.pass();
            });
        }
    }

    // ---- transpose ----

    private static void transposes(CaseList c) {
        int[] ranks = {4, 4, 4, 2, 3, 5, 6, 4, 3, 5, 4, 6};
        for (int i = 0; i < ranks.length; i++) {
            long seed = 85_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            int rank = ranks[i];
            int[] xd = shape(r, rank);
            int[] perm = new int[rank];
            for (int a = 0; a < rank; a++) {
                perm[a] = a;
            }
            for (int a = rank - 1; a > 0; a--) { // Fisher–Yates
                int b = r.nextInt(a + 1);
                int t = perm[a];
                perm[a] = perm[b];
                perm[b] = t;
            }
            String name = "diff/transpose/" + dims(xd) + "-perm-" + list(perm) + "/seed=" + seed;
            add(c, name, rank, (e, l) -> {
                TransposeDescriptor d = TransposeDescriptor.create("Transpose 'diff'", Shape.of(xd), l, perm);
                float[] x = Data.uniform(seed, Data.count(xd), -1, 1);
                try (Run run = new Run(e)) {
                    float[] y = run.transpose(d, x);
                    double[] expected = DifferentialCases.expected(e, () -> Oracle.transpose(xd, x, perm).values(),
                            ref -> ref.transpose(d, x));
                    Check.close(what(e), y, d.output().dims(), expected, Tolerance.EXACT);
                }
                return Outcome.pass();
            });
        }
    }

    // ---- dilated pooling ----

    private static void dilatedPoolings(CaseList c) {
        Padding[] paddings = {Padding.VALID, Padding.SAME, Padding.SAME_LOWER, Padding.explicit(1, 0, 2, 1),
            Padding.VALID, Padding.explicit(1, 1, 0, 0)};
        int[] chans = {3, 5, 17, 19};
        int made = 0;
        for (int i = 0; made < 24; i++) {
            long seed = 86_000 + i;
            SplittableRandom r = new SplittableRandom(seed);
            PoolingMode m = PoolingMode.values()[i % 2];
            Padding p = paddings[(i / 2) % paddings.length];
            boolean ceil = (i / 2) % paddings.length >= 4; // the last two paddings in ceil mode
            int h = SIZES[1 + r.nextInt(SIZES.length - 1)];
            int w = SIZES[1 + r.nextInt(SIZES.length - 1)];
            int kh = 2 + r.nextInt(2);
            int kw = 2 + r.nextInt(2);
            int dh = 1 + r.nextInt(3);
            int dw = dh == 1 ? 2 + r.nextInt(2) : 1 + r.nextInt(3); // at least one axis dilated
            int s = 1 + r.nextInt(3);
            boolean include = r.nextBoolean();
            int[] xd = {1 + r.nextInt(2), chans[r.nextInt(chans.length)], h, w};
            PoolingParams pp = new PoolingParams(m, kh, kw, s, s, p, ceil, include, false, dh, dw);
            try {
                PoolingDescriptor.create("pool 'diff'", Shape.of(xd), Layout.NCHW, pp);
            } catch (ValidationException tooSmall) {
                continue; // the dilated window does not fit this input
            }
            made++;
            c.layouts("diff/" + DifferentialCases.poolName(xd, pp) + "/seed=" + seed, (e, l) -> {
                PoolingDescriptor d = PoolingDescriptor.create("pool 'diff'", Shape.of(xd), l, pp);
                // Max pooling on negative data: a padded cell read as 0 would win.
                float[] x = m == PoolingMode.MAX && seed % 4 == 0 ? Data.negative(seed, Data.count(xd))
                        : Data.uniform(seed, Data.count(xd), -1, 1);
                try (Run run = new Run(e)) {
                    float[] y = run.pool(d, x);
                    double[] expected = DifferentialCases.expected(e, () -> Oracle.pool(xd, x, pp).values(),
                            ref -> ref.pool(d, x));
                    Check.close(what(e), y, d.output().dims(), expected,
                            m == PoolingMode.MAX ? Tolerance.EXACT : Tolerance.average(9));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- the newer activations fused into convolution and dense ----

    private static void fusedActivations(CaseList c) {
        List<DifferentialCases.ConvSweep> convs = DifferentialCases.convSweep();
        Activation[] newer = {Activation.RELU6, Activation.HARD_SIGMOID, Activation.HARD_SWISH, Activation.SILU};
        for (int i = 0; i < newer.length; i++) {
            Activation act = newer[i];
            for (int j = 0; j < 3; j++) {
                DifferentialCases.ConvSweep k = convs.get((i * 3 + j) * 9 % convs.size());
                ConvolutionParams p = k.p().withBias(true).withActivation(act);
                long seed = 87_000 + i * 3 + j;
                c.layouts("diff/conv/" + DifferentialCases.convName(k.xd(), p) + "/seed=" + seed,
                        (e, l) -> DifferentialCases.convDiff(e, l, k.xd(), p, seed));
            }
            for (int f : new int[] {17, 65}) {
                long seed = 87_100 + i * 2 + (f == 17 ? 0 : 1);
                int n = 3, u = f == 17 ? 33 : 7;
                c.add("diff/dense/n" + n + "-f" + f + "-u" + u + "-bias-" + act + "/seed=" + seed, e -> {
                    DenseDescriptor d = DenseDescriptor.create("Dense 'diff'", Shape.of(n, f), u, true, act);
                    float[] x = Data.uniform(seed, n * f, -3, 3);
                    float[] w = DifferentialCases.scaled(seed + 1, f * u, f);
                    float[] b = Data.uniform(seed + 2, u, -0.5, 0.5);
                    try (Run run = new Run(e)) {
                        float[] y = run.dense(d, x, w, b);
                        double[] expected = DifferentialCases.expected(e,
                                () -> Oracle.dense(n, f, x, u, w, b, act).values(), ref -> ref.dense(d, x, w, b));
                        Check.close(what(e), y, new int[] {n, u}, expected,
                                Tolerance.accumulation(3 * Math.sqrt(f) + 0.5).plus(Ops.activationTolerance(act)));
                    }
                    return Outcome.pass();
                });
            }
        }
    }
}
