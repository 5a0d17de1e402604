package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The backend against the reference backend on seeded random data (uniform in ±1, weights in ±1/√fan-in),
 * sweeping sizes 1, 3, 7, 13, 17, 31, 33, 65 (vector tails), channel counts that are not multiples of 16, every
 * padding mode, strides 1–3, dilation, groups, both pooling kinds, ceil mode and both layouts. Every parameter
 * and the data seed are in the case name: {@code diff/conv/n1-c5-13x7-f7-k3x2-s2x2-d1x2-g1-SAME-bias-RELU/seed=10042}
 * reproduces exactly. Sizes are chosen so one case stays under a few million multiply-adds (the reference is slow).
 */
final class DifferentialCases {
    private DifferentialCases() {
    }

    static final int[] SIZES = {1, 3, 7, 13, 17, 31, 33, 65};
    private static final int[] KERNELS = {1, 2, 3, 5};
    private static final int[] DILATIONS = {1, 1, 2, 3};
    /** (channels, filters, groups), largest first: none a multiple of 16; one grouped, one depthwise ×2. */
    private static final int[][] CHANNELS = {{19, 9, 1}, {6, 10, 2}, {5, 7, 1}, {3, 17, 1}, {3, 6, 3}, {2, 3, 1},
        {1, 1, 1}};
    private static final long MAX_FLOPS = 2_000_000;

    static void add(CaseList c) {
        convolutions(c);
        poolings(c);
        convPools(c);
        denses(c);
        softmaxes(c);
        activations(c);
    }

    /** Expected values: the reference backend's, or the independent oracle's when the reference is under test. */
    static double[] expected(Engine e, Supplier<double[]> oracle, Function<Run, float[]> onReference) {
        if (Reference.isUnderTest(e)) {
            return oracle.get();
        }
        try (Run ref = new Run(Reference.engine())) {
            return Check.toDouble(onReference.apply(ref));
        }
    }

    static float[] scaled(long seed, int n, int fanIn) {
        float[] v = Data.uniform(seed, n, -1, 1);
        float s = (float) (1 / Math.sqrt(fanIn));
        for (int i = 0; i < n; i++) {
            v[i] *= s;
        }
        return v;
    }

    /** {@code n1-c5-13x7-f7-k3x2-s2x2-d1x2-g1-SAME-bias-RELU}: every parameter of a convolution on {@code xd}. */
    static String convName(int[] xd, ConvolutionParams p) {
        return "n" + xd[0] + "-c" + xd[1] + "-" + xd[2] + "x" + xd[3] + "-f" + p.filters() + "-k" + p.kernelH() + "x"
                + p.kernelW() + "-s" + p.strideH() + "x" + p.strideW() + "-d" + p.dilationH() + "x" + p.dilationW()
                + "-g" + p.groups() + "-" + pad(p.padding()) + (p.bias() ? "-bias-" : "-nobias-") + p.activation();
    }

    /**
     * {@code max-pool/n1-c3-7x13-k2x3-s2-SAME} or {@code avg-pool/...-ceil-countIncludePad-true}; a dilated window
     * adds {@code -d2x3} after the stride.
     */
    static String poolName(int[] xd, PoolingParams p) {
        String window = p.global() ? "global" : "k" + p.kernelH() + "x" + p.kernelW() + "-s"
                + (p.strideH() == p.strideW() ? "" + p.strideH() : p.strideH() + "x" + p.strideW())
                + (p.dilationH() == 1 && p.dilationW() == 1 ? "" : "-d" + p.dilationH() + "x" + p.dilationW()) + "-"
                + pad(p.padding()) + (p.ceilMode() ? "-ceil" : "");
        return (p.mode() == PoolingMode.MAX ? "max" : "avg") + "-pool/n" + xd[0] + "-c" + xd[1] + "-" + xd[2] + "x"
                + xd[3] + "-" + window + (p.mode() == PoolingMode.AVERAGE ? "-countIncludePad-" + p.countIncludePad() : "");
    }

    static String pad(Padding p) {
        return p.mode() == Padding.Mode.EXPLICIT ? "pads(" + p.top() + "," + p.left() + "," + p.bottom() + ","
                + p.right() + ")" : p.toString();
    }

    // ---- convolution ----

    /**
     * One convolution of the sweep: {@code params} is the name part after the group
     * ({@code n1-c5-13x7-f7-k3x2-s2x2-d1x2-g1-SAME-bias-RELU}); data come from {@code seed} (x), {@code seed + 1}
     * (weights), {@code seed + 2} (bias) and, for the backward cases, {@code seed + 3} (dy).
     */
    record ConvSweep(String params, int[] xd, ConvolutionParams p, long seed) {
    }

    /** One pooling of the sweep, named and seeded as {@link ConvSweep}. */
    record PoolSweep(String params, int[] xd, PoolingParams p, long seed) {
    }

    private static void convolutions(CaseList c) {
        for (ConvSweep k : convSweep()) {
            c.layouts("diff/conv/" + k.params() + "/seed=" + k.seed(), (e, l) -> convDiff(e, l, k.xd(), k.p(), k.seed()));
        }
    }

    /** The convolution sweep (120 configurations), shared with the backward differential cases. */
    static List<ConvSweep> convSweep() {
        List<ConvSweep> out = new ArrayList<>();
        Padding[] paddings = {Padding.VALID, Padding.SAME, Padding.SAME_LOWER, Padding.FULL,
            Padding.explicit(1, 0, 2, 1)};
        for (int i = 0; i < SIZES.length; i++) {
            for (int j = 0; j < paddings.length; j++) {
                for (int s = 1; s <= 3; s++) {
                    int idx = (i * paddings.length + j) * 3 + s - 1;
                    Padding p = paddings[j];
                    int h = SIZES[i];
                    int w = SIZES[(i + j + s) % SIZES.length];
                    int sh = s;
                    int sw = idx % 2 == 0 ? s : s % 3 + 1;
                    int kh = KERNELS[(i + j + s) % 4];
                    int kw = KERNELS[(i + 2 * j + s + 1) % 4];
                    int dh = DILATIONS[idx % 4];
                    int dw = DILATIONS[(idx / 4) % 4];
                    // VALID / explicit: the dilated kernel must fit the padded input; shrink dilation, then kernel.
                    if (p.mode() == Padding.Mode.VALID || p.mode() == Padding.Mode.EXPLICIT) {
                        int ph = h + p.top() + p.bottom();
                        int pw = w + p.left() + p.right();
                        if (dh * (kh - 1) + 1 > ph) {
                            dh = 1;
                            kh = Math.min(kh, ph);
                        }
                        if (dw * (kw - 1) + 1 > pw) {
                            dw = 1;
                            kw = Math.min(kw, pw);
                        }
                    }
                    int n = idx % 7 == 0 ? 2 : 1;
                    Activation act = Activation.values()[idx % 4];
                    boolean bias = idx % 3 != 0;
                    int[] ch = null;
                    for (int k = idx % 5; k < CHANNELS.length; k++) {
                        ch = CHANNELS[k];
                        ConvolutionParams probe = params(ch, kh, kw, sh, sw, dh, dw, p, bias, act);
                        Oracle.Axis ah = Oracle.axis(h, kh, sh, dh, p, true, false);
                        Oracle.Axis aw = Oracle.axis(w, kw, sw, dw, p, false, false);
                        long flops = 2L * n * probe.filters() * (ch[0] / ch[2]) * kh * kw * ah.out() * aw.out();
                        if (flops <= MAX_FLOPS) {
                            break;
                        }
                    }
                    ConvolutionParams cp = params(ch, kh, kw, sh, sw, dh, dw, p, bias, act);
                    int[] xd = {n, ch[0], h, w};
                    long seed = 10_000 + idx;
                    out.add(new ConvSweep(convName(xd, cp), xd, cp, seed));
                }
            }
        }
        return out;
    }

    private static ConvolutionParams params(int[] ch, int kh, int kw, int sh, int sw, int dh, int dw, Padding p,
                                            boolean bias, Activation act) {
        return new ConvolutionParams(ch[1], kh, kw, sh, sw, dh, dw, ch[2], p, bias, act);
    }

    static Outcome convDiff(Engine e, Layout l, int[] xd, ConvolutionParams p, long seed) {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'diff'", Shape.of(xd), l, p);
        int fanIn = xd[1] / p.groups() * p.kernelH() * p.kernelW();
        float[] x = Data.uniform(seed, Data.count(xd), -1, 1);
        float[] w = scaled(seed + 1, p.filters() * fanIn, fanIn);
        float[] b = p.bias() ? Data.uniform(seed + 2, p.filters(), -0.5, 0.5) : null;
        try (Run r = new Run(e)) {
            float[] y = r.conv(d, x, w, b);
            double[] expected = expected(e, () -> Oracle.conv(xd, x, p, w, b).values(), ref -> ref.conv(d, x, w, b));
            // |x| ≤ 1 and |w| ≤ 1/√fanIn bound Σ|x·w| by √fanIn; |b| ≤ 0.5.
            Tolerance tol = Tolerance.accumulation(Math.sqrt(fanIn) + 0.5).plus(Ops.activationTolerance(p));
            Check.close("y vs " + (Reference.isUnderTest(e) ? "oracle" : "reference"), y, d.output().dims(), expected,
                    tol);
        }
        return Outcome.pass();
    }

    // ---- pooling ----

    private static void poolings(CaseList c) {
        for (PoolSweep k : poolSweep()) {
            c.layouts("diff/" + k.params() + "/seed=" + k.seed(), (e, l) -> poolDiff(e, l, k.xd(), k.p(), k.seed()));
        }
    }

    /**
     * The pooling sweep (112 configurations); {@code params} starts with {@code max-pool/} or {@code avg-pool/}.
     */
    static List<PoolSweep> poolSweep() {
        List<PoolSweep> out = new ArrayList<>();
        record Pad(Padding padding, boolean ceil) {
        }
        Pad[] pads = {new Pad(Padding.VALID, false), new Pad(Padding.SAME, false), new Pad(Padding.SAME_LOWER, false),
            new Pad(Padding.FULL, false), new Pad(Padding.explicit(1, 0, 1, 1), false), new Pad(Padding.VALID, true),
            new Pad(Padding.explicit(0, 1, 1, 0), true)};
        int[] chans = {3, 5, 17, 19};
        for (int i = 0; i < SIZES.length; i++) {
            for (int j = 0; j < pads.length; j++) {
                for (PoolingMode m : PoolingMode.values()) {
                    int idx = (i * pads.length + j) * 2 + m.ordinal();
                    Pad pd = pads[j];
                    Padding p = pd.padding;
                    int h = SIZES[i];
                    int w = SIZES[(i + j + 1) % SIZES.length];
                    int s = 1 + idx % 3;
                    int kh = 2 + (i + j) % 2;
                    int kw = 2 + (i + j + m.ordinal()) % 2;
                    if (p.mode() == Padding.Mode.VALID) {
                        kh = Math.min(kh, h);
                        kw = Math.min(kw, w);
                    } else if (p.mode() == Padding.Mode.EXPLICIT) {
                        // Larger than the pads, no larger than the padded input.
                        kh = Math.max(Math.min(kh, h + p.top() + p.bottom()), Math.max(p.top(), p.bottom()) + 1);
                        kw = Math.max(Math.min(kw, w + p.left() + p.right()), Math.max(p.left(), p.right()) + 1);
                    }
                    boolean include = idx % 4 >= 2;
                    int n = idx % 5 == 0 ? 2 : 1;
                    int ch = chans[idx % chans.length];
                    PoolingParams pp = new PoolingParams(m, kh, kw, s, s, p, pd.ceil, include, false);
                    int[] xd = {n, ch, h, w};
                    long seed = 20_000 + idx;
                    out.add(new PoolSweep(poolName(xd, pp), xd, pp, seed));
                }
            }
        }
        return out;
    }

    private static Outcome poolDiff(Engine e, Layout l, int[] xd, PoolingParams p, long seed) {
        PoolingDescriptor d = PoolingDescriptor.create("pool 'diff'", Shape.of(xd), l, p);
        // Max pooling on negative data: a padded cell read as 0 would win.
        float[] x = p.mode() == PoolingMode.MAX && seed % 2 == 0 ? Data.negative(seed, Data.count(xd))
                : Data.uniform(seed, Data.count(xd), -1, 1);
        try (Run r = new Run(e)) {
            float[] y = r.pool(d, x);
            double[] expected = expected(e, () -> Oracle.pool(xd, x, p).values(), ref -> ref.pool(d, x));
            Tolerance tol = p.mode() == PoolingMode.MAX ? Tolerance.EXACT : Tolerance.average(9);
            Check.close("y vs " + (Reference.isUnderTest(e) ? "oracle" : "reference"), y, d.output().dims(), expected,
                    tol);
        }
        return Outcome.pass();
    }

    // ---- convolution fused with the pooling that reads its output ----

    /**
     * Every third convolution of the sweep followed by a pooling (both kinds, windows 2–3, strides 1–3, padding,
     * ceil mode, both divisors) as the backend's fused plan, against the reference's convolution then pooling.
     * Skipped on a backend that offers no fused plan. Named {@code diff/conv-pool/<conv>/<pool>/seed=...}.
     */
    private static void convPools(CaseList c) {
        record Pool(Padding padding, boolean ceil) {
        }
        Pool[] pools = {new Pool(Padding.VALID, false), new Pool(Padding.SAME, false), new Pool(Padding.VALID, true),
            new Pool(Padding.explicit(1, 0, 0, 1), false), new Pool(Padding.explicit(1, 1, 1, 1), true)};
        List<ConvSweep> convs = convSweep();
        for (int i = 0; i < convs.size(); i += 3) {
            ConvSweep k = convs.get(i);
            int idx = i / 3;
            PoolingMode mode = PoolingMode.values()[idx % 2];
            Pool pd = pools[idx % pools.length];
            int kh = 2 + idx % 2;
            int kw = 2 + (idx / 2) % 2;
            int s = 1 + (idx / 3) % 3;
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'diff'", Shape.of(k.xd()), Layout.NCHW, k.p());
            int[] yd = d.output().dims();
            PoolingParams pp = new PoolingParams(mode, kh, kw, s, s, pd.padding(), pd.ceil(), idx % 4 >= 2, false);
            try {
                PoolingDescriptor.create("pool 'diff'", d.output(), Layout.NCHW, pp);
            } catch (ValidationException tooSmall) {
                continue; // a 1×1 convolution output has no room for this window
            }
            String name = "diff/conv-pool/" + k.params() + "/" + poolName(yd, pp).replaceFirst("/n\\d+-c\\d+-", "/")
                    + "/seed=" + k.seed();
            c.layouts(name, (e, l) -> convPoolDiff(e, l, k.xd(), k.p(), pp, k.seed()));
        }
    }

    private static Outcome convPoolDiff(Engine e, Layout l, int[] xd, ConvolutionParams p, PoolingParams pp,
                                        long seed) {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'diff'", Shape.of(xd), l, p);
        PoolingDescriptor pd = PoolingDescriptor.create("pool 'diff'", d.output(), l, pp);
        int fanIn = xd[1] / p.groups() * p.kernelH() * p.kernelW();
        float[] x = Data.uniform(seed, Data.count(xd), -1, 1);
        float[] w = scaled(seed + 1, p.filters() * fanIn, fanIn);
        float[] b = p.bias() ? Data.uniform(seed + 2, p.filters(), -0.5, 0.5) : null;
        try (Run r = new Run(e)) {
            float[] y = r.convPool(d, pd, x, w, b);
            double[] expected = expected(e, () -> Oracle.pool(d.output().dims(), toFloat(Oracle.conv(xd, x, p, w, b)
                    .values()), pp).values(), ref -> ref.pool(pd, ref.conv(d, x, w, b)));
            Tolerance tol = Tolerance.accumulation(Math.sqrt(fanIn) + 0.5).plus(Ops.activationTolerance(p));
            Check.close("y vs " + (Reference.isUnderTest(e) ? "oracle" : "reference"), y, pd.output().dims(),
                    expected, tol);
        }
        return Outcome.pass();
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    // ---- dense, softmax, activations ----

    private static void denses(CaseList c) {
        int[] units = {1, 7, 17, 33};
        for (int i = 0; i < SIZES.length; i++) {
            int f = SIZES[i];
            int u = units[i % units.length];
            int n = i % 2 == 0 ? 1 : 3;
            Activation a = Activation.values()[i % 4];
            boolean bias = i % 3 != 2;
            long seed = 30_000 + i;
            c.add("diff/dense/n" + n + "-f" + f + "-u" + u + (bias ? "-bias-" : "-nobias-") + a + "/seed=" + seed, e -> {
                DenseDescriptor d = DenseDescriptor.create("Dense 'diff'", Shape.of(n, f), u, bias, a);
                float[] x = Data.uniform(seed, n * f, -1, 1);
                float[] w = scaled(seed + 1, f * u, f);
                float[] b = bias ? Data.uniform(seed + 2, u, -0.5, 0.5) : null;
                try (Run r = new Run(e)) {
                    float[] y = r.dense(d, x, w, b);
                    double[] expected = expected(e, () -> Oracle.dense(n, f, x, u, w, b, a).values(),
                            ref -> ref.dense(d, x, w, b));
                    Check.close("y", y, new int[] {n, u}, expected,
                            Tolerance.accumulation(Math.sqrt(f) + 0.5).plus(Ops.activationTolerance(a)));
                }
                return Outcome.pass();
            });
        }
    }

    private static void softmaxes(CaseList c) {
        double[] scales = {1, 10, 100, 1e4};
        for (int i = 0; i < SIZES.length; i++) {
            int f = SIZES[i];
            double scale = scales[i % scales.length];
            long seed = 40_000 + i;
            c.add("diff/softmax/n3-f" + f + "-inputs-within-" + scale + "/seed=" + seed, e -> {
                float[] x = Data.uniform(seed, 3 * f, -scale, scale);
                try (Run r = new Run(e)) {
                    float[] y = r.softmax(Shape.of(3, f), x);
                    double[] expected = expected(e, () -> Oracle.softmax(3, f, x), ref -> ref.softmax(Shape.of(3, f), x));
                    Check.close("y", y, new int[] {3, f}, expected, Tolerance.SOFTMAX);
                }
                return Outcome.pass();
            });
        }
    }

    private static void activations(CaseList c) {
        for (Activation a : Activation.values()) {
            long seed = 50_000 + a.ordinal();
            int[] xd = {2, 5, 33, 17};
            c.layouts("diff/activation/" + a + "-2x5x33x17/seed=" + seed, (e, l) -> {
                float[] x = Data.uniform(seed, Data.count(xd), -8, 8);
                try (Run r = new Run(e)) {
                    float[] y = r.activation(a, Shape.of(xd), l, x);
                    double[] expected = expected(e, () -> Oracle.activation(a, x),
                            ref -> ref.activation(a, Shape.of(xd), l, x));
                    Check.close("y", y, xd, expected, Ops.activationTolerance(a));
                }
                return Outcome.pass();
            });
        }
    }
}
