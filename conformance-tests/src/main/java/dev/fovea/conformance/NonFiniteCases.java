package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * NaN and ±∞ through the operators of trained networks (convolution, dense, softmax, sigmoid, tanh, convolution fused
 * with pooling), under {@code rule/non-finite/}. The rule is IEEE propagation, as PyTorch and ONNX Runtime compute:
 * a NaN reaches every output whose sum reads it, ∞·0 and ∞ − ∞ give NaN, an activation of NaN is NaN, and a value a
 * window or kernel never reads (padding, skipped cells) never reaches the output. Expected values come from
 * {@link Oracle}, computed in double, and from the numbers written out in the case names.
 */
final class NonFiniteCases {
    private NonFiniteCases() {
    }

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final double DNAN = Double.NaN;
    private static final double DINF = Double.POSITIVE_INFINITY;

    static void add(CaseList c) {
        String r = "rule/non-finite/";
        conv(c, r + "conv/");
        dense(c, r + "dense/");
        softmax(c, r + "softmax/");
        activations(c, r + "activation/");
        convPool(c, r + "conv-pool/");
    }

    // ---- convolution ----

    private static void conv(CaseList c, String r) {
        // The smallest network that showed it: one 1×1 filter of weight 1, bias 0, ReLU fused.
        ConvolutionParams one = ConvolutionParams.of(1, 1, 1).withActivation(Activation.RELU);
        c.layouts(r + "1x1-weight-1-relu-nan-stays-nan-inf-stays-inf-minus-inf-to-0", (e, l) -> conv(e, l,
                new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, 2), one, f(1), f(0), d(DNAN, DINF, 0, 2)));
        // 3×3 SAME over a 5×5 map, positive weights: the NaN reaches exactly the 3×3 outputs around it, +∞ its own
        // 3×3, both where they overlap; the zero padding adds nothing non-finite.
        float[] x = new float[25];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7 - 3;
        }
        x[6] = NAN;  // row 1, column 1
        x[18] = INF; // row 3, column 3
        ConvolutionParams same = ConvolutionParams.of(2, 3, 3).withPadding(Padding.SAME);
        float[] w = new float[2 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1 + i % 3;
        }
        c.layouts(r + "3x3-same-nan-and-inf-reach-exactly-the-outputs-whose-window-holds-them", (e, l) -> conv(e, l,
                new int[] {1, 1, 5, 5}, x, same, w, f(0.5, -1), null));
        c.layouts(r + "3x3-same-relu-fused-nan-stays-nan", (e, l) -> conv(e, l, new int[] {1, 1, 5, 5}, x,
                same.withActivation(Activation.RELU), w, f(0.5, -1), null));
        for (Activation a : new Activation[] {Activation.RELU6, Activation.SIGMOID, Activation.TANH}) {
            c.layouts(r + "3x3-same-" + a.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                    + "-fused-nan-stays-nan", (e, l) -> conv(e, l, new int[] {1, 1, 5, 5}, x, same.withActivation(a), w,
                    f(0.5, -1), null));
        }
        // Two input channels, weights 1 and 0: ∞·0 is NaN (no backend may skip zero weights), −∞ + ∞ is NaN.
        ConvolutionParams mix = ConvolutionParams.of(2, 1, 1).withBias(false);
        c.layouts(r + "1x1-inf-times-weight-0-gives-nan-inf-minus-inf-gives-nan", (e, l) -> conv(e, l,
                new int[] {1, 2, 1, 3}, f(1, INF, -INF, INF, 2, INF), mix, f(1, 0, 1, 1), null,
                d(DNAN, DINF, DNAN, DINF, DINF, DNAN)));
        // A NaN weight poisons every output it multiplies (VALID: every output reads every weight).
        c.layouts(r + "2x2-valid-nan-weight-gives-nan-everywhere", (e, l) -> conv(e, l, new int[] {1, 1, 3, 3},
                f(1, 2, 3, 4, 5, 6, 7, 8, 9), ConvolutionParams.of(1, 2, 2), f(1, NAN, 1, 1), f(0),
                d(DNAN, DNAN, DNAN, DNAN)));
        // Strided: the input cells between windows are never read, so NaN there stays out.
        c.layouts(r + "1x1-stride-2-nan-in-skipped-cells-stays-out", (e, l) -> conv(e, l, new int[] {1, 1, 3, 3},
                f(1, NAN, 2, NAN, NAN, NAN, 3, NAN, 4), ConvolutionParams.of(1, 1, 1).withStride(2, 2), f(2), f(1),
                d(3, 5, 7, 9)));
    }

    private static Outcome conv(Engine e, Layout l, int[] xd, float[] x, ConvolutionParams p, float[] w, float[] b,
                                double[] hand) {
        if (b == null && p.bias()) {
            p = p.withBias(false);
        }
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'conformance'", Shape.of(xd), l, p);
        Run.require(e, d);
        Oracle.Result o = Oracle.conv(xd, x, p, w, b);
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        // The finite outputs are held to the tolerance of the same sums with the non-finite values taken out.
        double magnitude = Oracle.conv(xd, finite(x), p, finite(w), finite(b)).magnitude();
        var tol = Tolerance.accumulation(magnitude).plus(Ops.activationTolerance(p));
        Ops.checked(e, o, hand, tol, false, run -> run.conv(d, x, w, b));
        return Outcome.pass();
    }

    // ---- dense ----

    private static void dense(CaseList c, String r) {
        // x [2, 3], w [3, 2]: row 0 holds NaN (its whole row is NaN), row 1 holds +∞ met by weights 2 and 0.
        float[] x = f(1, NAN, 2, INF, 1, -1);
        float[] w = f(1, 0, 2, -1, 1, 3);
        c.add(r + "nan-fills-its-row-inf-times-0-gives-nan", e -> dense(e, 2, 3, x, 2, w, f(0, 1), Activation.NONE,
                d(DNAN, DNAN, DINF, DNAN)));
        c.add(r + "relu-fused-nan-stays-nan", e -> dense(e, 2, 3, x, 2, w, f(0, 1), Activation.RELU,
                d(DNAN, DNAN, DINF, DNAN)));
        c.add(r + "minus-inf-through-sigmoid-gives-0", e -> dense(e, 1, 2, f(-INF, 1), 2,
                f(1, 1, 0, 1), f(0, 0), Activation.SIGMOID, d(0, 0)));
        c.add(r + "nan-bias-fills-its-unit", e -> dense(e, 2, 2, f(1, 2, 3, 4), 2, f(1, 0, 0, 1), f(NAN, 0),
                Activation.NONE, d(DNAN, 2, DNAN, 4)));
        // Wider than a vector, so a NaN in any lane of a vectorised dot product must reach its unit.
        int f = 37;
        float[] wx = new float[3 * f];
        float[] ww = new float[f * 5];
        for (int i = 0; i < wx.length; i++) {
            wx[i] = (i % 5 - 2) * 0.25f;
        }
        for (int i = 0; i < ww.length; i++) {
            ww[i] = (i % 3 - 1) * 0.5f;
        }
        wx[f + 29] = NAN;
        wx[2 * f + 3] = -INF;
        c.add(r + "n3-f37-u5-nan-and-minus-inf-in-late-and-early-lanes", e -> dense(e, 3, f, wx, 5, ww,
                f(0, 0, 0, 0, 0), Activation.NONE, null));
    }

    private static Outcome dense(Engine e, int n, int f, float[] x, int u, float[] w, float[] b, Activation act,
                                 double[] hand) {
        DenseDescriptor d = DenseDescriptor.create("Dense 'conformance'", Shape.of(n, f), u, b != null, act);
        Run.require(e, d);
        Oracle.Result o = Oracle.dense(n, f, x, u, w, b, act);
        double magnitude = Oracle.dense(n, f, finite(x), u, finite(w), finite(b), act).magnitude();
        var tol = Tolerance.accumulation(magnitude).plus(Ops.activationTolerance(act));
        Ops.checked(e, o, hand, tol, false, run -> run.dense(d, x, w, b));
        return Outcome.pass();
    }

    // ---- softmax ----

    private static void softmax(CaseList c, String r) {
        // Row maximum subtracted first: a row holding NaN or +∞ is NaN throughout (∞ − ∞), −∞ gives exactly 0,
        // a row of −∞ only is NaN throughout; other rows are untouched.
        float[] x = f(NAN, 1, 2, INF, 1, 2, -INF, 0, 0, -INF, -INF, -INF, 0, 0, 0);
        c.add(r + "nan-or-inf-fills-its-row-minus-inf-gives-0-rows-stay-apart", e -> {
            Oracle.Result o = new Oracle.Result(new int[] {5, 3}, Oracle.softmax(5, 3, x), 1);
            Ops.checked(e, o, d(DNAN, DNAN, DNAN, DNAN, DNAN, DNAN, 0, 0.5, 0.5, DNAN, DNAN, DNAN, 1 / 3.0, 1 / 3.0,
                    1 / 3.0), Tolerance.SOFTMAX, false, run -> run.softmax(Shape.of(5, 3), x));
            return Outcome.pass();
        });
        // 19 classes: the NaN sits in the tail a vector loop handles separately.
        float[] wide = new float[2 * 19];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (i % 7) * 0.5f - 1;
        }
        wide[18] = NAN;
        wide[19 + 17] = -INF;
        c.add(r + "n2-f19-nan-in-the-tail-minus-inf-gives-0", e -> {
            Oracle.Result o = new Oracle.Result(new int[] {2, 19}, Oracle.softmax(2, 19, wide), 1);
            Ops.checked(e, o, null, Tolerance.SOFTMAX, false, run -> run.softmax(Shape.of(2, 19), wide));
            return Outcome.pass();
        });
    }

    // ---- sigmoid and tanh (the others are in ImportedOpCases) ----

    private static void activations(CaseList c, String r) {
        int[] xd = {1, 1, 2, 3};
        c.layouts(r + "SIGMOID-nan-stays-nan-inf-to-1-minus-inf-to-0", (e, l) -> pass(() -> Ops.activation(e, l,
                Activation.SIGMOID, xd, f(NAN, INF, -INF, 0, 100, -100),
                d(DNAN, 1, 0, 0.5, 1 / (1 + Math.exp(-100)), 1 / (1 + Math.exp(100))))));
        c.layouts(r + "TANH-nan-stays-nan-inf-to-1-minus-inf-to-minus-1", (e, l) -> pass(() -> Ops.activation(e, l,
                Activation.TANH, xd, f(NAN, INF, -INF, 0, 20, -0.5), d(DNAN, 1, -1, 0, 1, Math.tanh(-0.5)))));
        c.layouts(r + "NONE-copies-nan-and-infinities", (e, l) -> pass(() -> Ops.activation(e, l, Activation.NONE, xd,
                f(NAN, INF, -INF, 0, -0.0, 3), d(DNAN, DINF, -DINF, 0, 0, 3))));
        // 19 values: the tail of a vector loop.
        float[] tail = new float[19];
        for (int i = 0; i < tail.length; i++) {
            tail[i] = i - 9;
        }
        tail[17] = NAN;
        tail[18] = -INF;
        for (Activation a : Activation.values()) {
            if (a == Activation.HARD_SWISH || a == Activation.SILU) {
                continue; // −∞ through them is not pinned (−∞·0 by the definition, 0 as the limit)
            }
            c.layouts(r + a.name() + "-nan-and-minus-inf-in-the-tail-of-19", (e, l) -> pass(() -> Ops.activation(e, l,
                    a, new int[] {1, 19, 1, 1}, tail, null)));
        }
    }

    // ---- convolution fused with the pooling after it ----

    private static void convPool(CaseList c, String r) {
        // 1×1 identity convolution, then pooling 2×2 stride 2: a NaN in a window gives NaN (max and average), the
        // convolution's NaN must not be dropped by the fused max, +∞ wins a max and makes an average +∞.
        float[] x = f(1, NAN, 2, 3, 4, 5, 6, 7, INF, 1, -1, -2, 0, 3, -3, 4);
        for (var mode : new dev.fovea.op.PoolingMode[] {MAX, AVERAGE}) {
            PoolingParams pp = PoolingParams.of(mode, 2, 2).withStride(2, 2);
            String m = mode == MAX ? "max" : "average";
            c.layouts(r + "identity-conv-then-" + m + "-2x2-nan-and-inf-reach-their-windows", (e, l) -> convPool(e, l,
                    new int[] {1, 1, 4, 4}, x, ConvolutionParams.of(1, 1, 1).withActivation(Activation.RELU), f(1),
                    f(0), pp));
        }
    }

    private static Outcome convPool(Engine e, Layout l, int[] xd, float[] x, ConvolutionParams p, float[] w,
                                    float[] b, PoolingParams pp) {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'conformance'", Shape.of(xd), l, p);
        PoolingDescriptor pd = PoolingDescriptor.create("pool 'conformance'", d.output(), l, pp);
        Oracle.Result conv = Oracle.conv(xd, x, p, w, b);
        Oracle.Result o = Oracle.pool(conv.dims(), Oracle.toFloat(conv.values()), pp);
        double magnitude = Oracle.conv(xd, finite(x), p, finite(w), finite(b)).magnitude();
        Ops.checked(e, o, null, Tolerance.average(magnitude).plus(Tolerance.accumulation(magnitude)), false,
                run -> run.convPool(d, pd, x, w, b));
        return Outcome.pass();
    }

    // ---- helpers ----

    /** A copy with NaN and infinities replaced by 0 (null stays null): the finite part's magnitude. */
    private static float[] finite(float[] v) {
        if (v == null) {
            return null;
        }
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) {
                out[i] = 0;
            }
        }
        return out;
    }

    private static float[] f(double... v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[] d(double... v) {
        return v;
    }

    private static Outcome pass(Runnable body) {
        body.run();
        return Outcome.pass();
    }
}
