package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.function.Function;

/**
 * The backward ops of the imported networks' operators against central finite differences of
 * {@code L = Σ y·r} ({@code backward/fd/binary/...}, {@code activation-input}, {@code clamp}, {@code lrn},
 * {@code pad}, {@code batch-norm}): each expectation is the difference quotient of a forward written here in double
 * from the op's definition, never a backend's forward. Smooth ops use a step of 1e-4, piecewise-linear ones a
 * dyadic step with inputs kept away from their kinks.
 */
final class BackwardImportedCases {
    private static final double SMOOTH_STEP = 1e-4;
    private static final double LINEAR_STEP = 1.0 / 64;

    private BackwardImportedCases() {
    }

    static void add(CaseList c) {
        int[][][] shapes = {
                {{2, 3, 4, 5}, {1, 3, 1, 1}},
                {{2, 3, 1, 5}, {2, 1, 4, 1}},
                {{1, 2, 3, 4}, {1, 2, 3, 4}}};
        for (BinaryOp op : BinaryOp.values()) {
            for (int s = 0; s < shapes.length; s++) {
                int[] ad = shapes[s][0];
                int[] bd = shapes[s][1];
                long seed = 70_000 + op.ordinal() * 10 + s;
                c.trainingLayouts("backward/fd/binary/" + op + "-" + dimsName(ad) + "-" + dimsName(bd) + "/seed=" + seed,
                        (e, l) -> binaryFd(e, l, op, ad, bd, seed));
            }
        }
        for (Activation a : Activation.values()) {
            long seed = 71_000 + a.ordinal();
            c.trainingLayouts("backward/fd/activation-input/" + a + "-2x3x3x4/seed=" + seed,
                    (e, l) -> activationFd(e, l, a, seed));
        }
        c.trainingLayouts("backward/fd/clamp/2x3x3x4/seed=72001", (e, l) -> clampFd(e, l, 72_001));
        c.trainingLayouts("backward/fd/lrn/size3-2x5x3x2/seed=72002", (e, l) -> lrnFd(e, l, 3, 72_002));
        c.trainingLayouts("backward/fd/lrn/size4-1x6x2x3/seed=72003", (e, l) -> lrnFd(e, l, 4, 72_003));
        c.trainingLayouts("backward/fd/pad/2x2x3x4/seed=72004", (e, l) -> padFd(e, l, 72_004));
        c.trainingLayouts("backward/fd/batch-norm/3x4x3x2/seed=72005", (e, l) -> batchNormFd(e, l, 72_005));
        c.trainingLayouts("backward/batch-norm-statistics/2x3x4x5/seed=72006", (e, l) -> batchNormStatistics(e, l,
                72_006));
    }

    private static String dimsName(int[] d) {
        return d[0] + "x" + d[1] + "x" + d[2] + "x" + d[3];
    }

    private static Outcome binaryFd(Engine e, Layout l, BinaryOp op, int[] ad, int[] bd, long seed) {
        int[] od = new int[4];
        for (int i = 0; i < 4; i++) {
            od[i] = Math.max(ad[i], bd[i]);
        }
        BinaryDescriptor d = BinaryDescriptor.create("binary backward", op, Shape.of(ad), Shape.of(bd), l,
                Activation.NONE);
        Run.requireTraining(e, d);
        float[] a = Data.uniform(seed, Data.count(ad), -1, 1);
        // Divisors stay away from 0: b in ±[0.5, 1.5].
        float[] b = Data.uniform(seed + 1, Data.count(bd), 0.5, 1.5);
        if (op == BinaryOp.DIV || op == BinaryOp.SUB) {
            for (int i = 0; i < b.length; i += 2) {
                b[i] = -b[i];
            }
        }
        float[] dz = Data.uniform(seed + 2, Data.count(od), -1, 1);
        double[] bD = Oracle.toDouble(b);
        double[] aD = Oracle.toDouble(a);
        double step = op == BinaryOp.DIV ? SMOOTH_STEP : LINEAR_STEP;
        double[] expectA = FiniteDifference.gradient(Oracle.toDouble(a), step, Oracle.toDouble(dz),
                v -> binary(op, ad, v, bd, bD, od));
        double[] expectB = FiniteDifference.gradient(Oracle.toDouble(b), step, Oracle.toDouble(dz),
                v -> binary(op, ad, aD, bd, v, od));
        try (Run r = new Run(e)) {
            Tensor at = r.input(d.a(), l, a);
            Tensor bt = r.input(d.b(), l, b);
            Tensor dzt = r.input(d.output(), l, dz);
            Tensor da = r.output(d.a(), l);
            Tensor db = r.output(d.b(), l);
            e.binaryBackward(d, at, bt, dzt, da, db);
            // Each gradient element sums up to |output| / |operand| products of values of magnitude ≤ 2 (÷ 0.25).
            double terms = (double) Data.count(od) / Math.min(Data.count(ad), Data.count(bd));
            Tolerance tol = Tolerance.gradient(terms * 8).plus(Tolerance.FINITE_DIFFERENCE)
                    .plus(new Tolerance(op == BinaryOp.DIV ? 1e-7 * terms : 0, 0));
            Check.close("da vs finite differences", r.read(da), ad, expectA, tol);
            Check.close("db vs finite differences", r.read(db), bd, expectB, tol);
        }
        return Outcome.pass();
    }

    /** {@code a op b} with broadcasting, in double, logical order. */
    private static double[] binary(BinaryOp op, int[] ad, double[] a, int[] bd, double[] b, int[] od) {
        double[] out = new double[Data.count(od)];
        for (int i = 0; i < out.length; i++) {
            int[] pos = Oracle.coordinates(od, i);
            double x = a[broadcastIndex(pos, ad)];
            double y = b[broadcastIndex(pos, bd)];
            out[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
        return out;
    }

    private static int broadcastIndex(int[] pos, int[] dims) {
        int i = 0;
        for (int k = 0; k < dims.length; k++) {
            i = i * dims[k] + (dims[k] == 1 ? 0 : pos[k]);
        }
        return i;
    }

    private static Outcome activationFd(Engine e, Layout l, Activation a, long seed) {
        Run.requireTraining(e, null);
        int[] xd = {2, 3, 3, 4};
        float[] x = awayFromKinks(Data.uniform(seed, Data.count(xd), -5, 5), new double[] {-3, 0, 3, 6});
        float[] dy = Data.uniform(seed + 1, x.length, -1, 1);
        boolean smooth = a == Activation.SIGMOID || a == Activation.TANH || a == Activation.SILU
                || a == Activation.HARD_SWISH;
        double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), smooth ? SMOOTH_STEP : LINEAR_STEP,
                Oracle.toDouble(dy), map(a::apply));
        try (Run r = new Run(e)) {
            Tensor xt = r.input(Shape.of(xd), l, x);
            Tensor dyt = r.input(Shape.of(xd), l, dy);
            Tensor dx = r.output(Shape.of(xd), l);
            e.activationInputBackward(a, xt, dyt, dx);
            // The finite difference of a smooth activation has a truncation error of about step² (≤ 1e-7 here).
            Check.close("dx vs finite differences", r.read(dx), xd, expected,
                    new Tolerance(smooth ? 2e-6 : 0, 1e-5).plus(Tolerance.FINITE_DIFFERENCE));
        }
        return Outcome.pass();
    }

    private static Outcome clampFd(Engine e, Layout l, long seed) {
        int[] xd = {2, 3, 3, 4};
        ClampDescriptor d = ClampDescriptor.create("clamp backward", Shape.of(xd), l, 0.75f, 0.25f, -0.5f, 0.5f);
        Run.requireTraining(e, d);
        // alpha·x + beta crosses −0.5 at x = −1 and 0.5 at x = 1/3.
        float[] x = awayFromKinks(Data.uniform(seed, Data.count(xd), -2, 2), new double[] {-1, 1.0 / 3});
        float[] dy = Data.uniform(seed + 1, x.length, -1, 1);
        double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), LINEAR_STEP, Oracle.toDouble(dy),
                map(d::apply));
        try (Run r = new Run(e)) {
            Tensor xt = r.input(d.input(), l, x);
            Tensor dyt = r.input(d.output(), l, dy);
            Tensor dx = r.output(d.input(), l);
            e.clampBackward(d, xt, dyt, dx);
            Check.close("dx vs finite differences", r.read(dx), xd, expected,
                    new Tolerance(0, 2.4e-7).plus(Tolerance.FINITE_DIFFERENCE));
        }
        return Outcome.pass();
    }

    private static Outcome lrnFd(Engine e, Layout l, int size, long seed) {
        int[] xd = size == 3 ? new int[] {2, 5, 3, 2} : new int[] {1, 6, 2, 3};
        LrnDescriptor d = LrnDescriptor.create("lrn backward", Shape.of(xd), l, size, 0.4f, 0.75f, 1.5f);
        Run.requireTraining(e, d);
        float[] x = Data.uniform(seed, Data.count(xd), -2, 2);
        float[] dy = Data.uniform(seed + 1, x.length, -1, 1);
        double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), SMOOTH_STEP, Oracle.toDouble(dy), v -> {
            double[] y = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                int[] p = Oracle.coordinates(xd, i);
                double sum = 0;
                for (int c = Math.max(0, d.windowStart(p[1])); c <= Math.min(xd[1] - 1, d.windowEnd(p[1])); c++) {
                    double u = v[((p[0] * xd[1] + c) * xd[2] + p[2]) * xd[3] + p[3]];
                    sum += u * u;
                }
                y[i] = v[i] / Math.pow(d.bias() + d.alpha() / d.size() * sum, d.beta());
            }
            return y;
        });
        try (Run r = new Run(e)) {
            Tensor xt = r.input(d.input(), l, x);
            Tensor dyt = r.input(d.output(), l, dy);
            Tensor dx = r.output(d.input(), l);
            e.lrnBackward(d, xt, dyt, dx);
            Check.close("dx vs finite differences", r.read(dx), xd, expected,
                    new Tolerance(1e-6, 1e-5).plus(Tolerance.FINITE_DIFFERENCE));
        }
        return Outcome.pass();
    }

    private static Outcome padFd(Engine e, Layout l, long seed) {
        int[] xd = {2, 2, 3, 4};
        int[] before = {0, 1, 2, 0};
        int[] after = {0, 0, 1, 3};
        PadDescriptor d = PadDescriptor.create("pad backward", Shape.of(xd), l, before, after, 0.5f);
        Run.requireTraining(e, d);
        float[] x = Data.uniform(seed, Data.count(xd), -1, 1);
        int[] od = d.output().dims();
        float[] dy = Data.uniform(seed + 1, Data.count(od), -1, 1);
        double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), LINEAR_STEP, Oracle.toDouble(dy),
                v -> pad(xd, v, before, od, 0.5));
        try (Run r = new Run(e)) {
            Tensor dyt = r.input(d.output(), l, dy);
            Tensor dx = r.output(d.input(), l);
            e.padBackward(d, dyt, dx);
            Check.close("dx vs finite differences", r.read(dx), xd, expected, Tolerance.FINITE_DIFFERENCE);
        }
        return Outcome.pass();
    }

    private static double[] pad(int[] xd, double[] x, int[] before, int[] od, double value) {
        double[] y = new double[Data.count(od)];
        for (int i = 0; i < y.length; i++) {
            int[] p = Oracle.coordinates(od, i);
            int xi = 0;
            boolean inside = true;
            for (int a = 0; a < 4; a++) {
                int q = p[a] - before[a];
                inside &= q >= 0 && q < xd[a];
                xi = xi * xd[a] + q;
            }
            y[i] = inside ? x[xi] : value;
        }
        return y;
    }

    /**
     * Training-mode batch normalization: {@code dx}, {@code dγ} and {@code dβ} against finite differences of
     * {@code Σ r·(γ·(x − μ)/√(σ² + ε) + β)} with the batch's own μ and σ² (so the statistics are differentiated).
     */
    private static Outcome batchNormFd(Engine e, Layout l, long seed) {
        int[] xd = {3, 4, 3, 2};
        int channels = xd[1];
        double eps = 1e-3;
        ScaleShiftDescriptor d = ScaleShiftDescriptor.create("batch-norm backward", Shape.of(xd), l, Activation.NONE);
        Run.requireTraining(e, d);
        float[] x = Data.uniform(seed, Data.count(xd), -2, 2);
        float[] gamma = Data.uniform(seed + 1, channels, 0.5, 1.5);
        float[] beta = Data.uniform(seed + 2, channels, -1, 1);
        float[] dy = Data.uniform(seed + 3, x.length, -1, 1);
        double[][] stats = statistics(xd, Oracle.toDouble(x));
        double[] gD = Oracle.toDouble(gamma);
        double[] bD = Oracle.toDouble(beta);
        double[] xD = Oracle.toDouble(x);
        double[] expectDx = FiniteDifference.gradient(Oracle.toDouble(x), SMOOTH_STEP, Oracle.toDouble(dy),
                v -> batchNorm(xd, v, gD, bD, eps));
        double[] expectDGamma = FiniteDifference.gradient(Oracle.toDouble(gamma), SMOOTH_STEP, Oracle.toDouble(dy),
                v -> batchNorm(xd, xD, v, bD, eps));
        double[] expectDBeta = FiniteDifference.gradient(Oracle.toDouble(beta), LINEAR_STEP, Oracle.toDouble(dy),
                v -> batchNorm(xd, xD, gD, v, eps));
        float[] mean = new float[channels];
        float[] invStd = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) stats[0][c];
            invStd[c] = (float) (1 / Math.sqrt(stats[1][c] + eps));
        }
        try (Run r = new Run(e)) {
            Shape cs = d.parameterShape();
            Tensor xt = r.input(d.input(), l, x);
            Tensor dyt = r.input(d.output(), l, dy);
            Tensor dx = r.output(d.input(), l);
            Tensor dGamma = r.output(cs, Layout.NCHW);
            Tensor dBeta = r.output(cs, Layout.NCHW);
            e.batchNormBackward(d, xt, dyt, r.host(cs, mean), r.host(cs, invStd), r.host(cs, gamma), dx, dGamma,
                    dBeta);
            // The statistics come in as floats (relative error 6e-8), amplified by the 18-element sums.
            Tolerance tol = new Tolerance(2e-5, 1e-4);
            Check.close("dx vs finite differences", r.read(dx), xd, expectDx, tol);
            Check.close("dGamma vs finite differences", r.read(dGamma), new int[] {channels}, expectDGamma, tol);
            Check.close("dBeta vs finite differences", r.read(dBeta), new int[] {channels}, expectDBeta, tol);
        }
        return Outcome.pass();
    }

    private static Outcome batchNormStatistics(Engine e, Layout l, long seed) {
        int[] xd = {2, 3, 4, 5};
        ScaleShiftDescriptor d = ScaleShiftDescriptor.create("batch-norm statistics", Shape.of(xd), l,
                Activation.NONE);
        Run.requireTraining(e, d);
        // An offset far from 0 catches a one-pass E[x²] − E[x]² variance (it cancels catastrophically in float).
        float[] x = Data.uniform(seed, Data.count(xd), 99, 101);
        double[][] stats = statistics(xd, Oracle.toDouble(x));
        try (Run r = new Run(e)) {
            Shape cs = d.parameterShape();
            Tensor mean = r.scopeHost(cs);
            Tensor variance = r.scopeHost(cs);
            e.batchNormStatistics(d, r.input(d.input(), l, x), mean, variance);
            Check.close("mean", mean.toArray(), new int[] {xd[1]}, stats[0], new Tolerance(0, 1e-6));
            Check.close("variance", variance.toArray(), new int[] {xd[1]}, stats[1], new Tolerance(0, 1e-4));
        }
        return Outcome.pass();
    }

    /** Per-channel mean and biased variance over N, H, W in double: {mean, variance}. */
    private static double[][] statistics(int[] xd, double[] x) {
        int channels = xd[1];
        double m = (double) x.length / channels;
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int i = 0; i < x.length; i++) {
            mean[Oracle.coordinates(xd, i)[1]] += x[i] / m;
        }
        for (int i = 0; i < x.length; i++) {
            int c = Oracle.coordinates(xd, i)[1];
            var[c] += (x[i] - mean[c]) * (x[i] - mean[c]) / m;
        }
        return new double[][] {mean, var};
    }

    private static double[] batchNorm(int[] xd, double[] x, double[] gamma, double[] beta, double eps) {
        double[][] s = statistics(xd, x);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = Oracle.coordinates(xd, i)[1];
            y[i] = gamma[c] * (x[i] - s[0][c]) / Math.sqrt(s[1][c] + eps) + beta[c];
        }
        return y;
    }

    private static Function<double[], double[]> map(java.util.function.DoubleUnaryOperator f) {
        return v -> {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = f.applyAsDouble(v[i]);
            }
            return out;
        };
    }

    /** {@code x} with values within 0.05 of a kink moved 0.1 away, so a difference never straddles one. */
    private static float[] awayFromKinks(float[] x, double[] kinks) {
        for (int i = 0; i < x.length; i++) {
            for (double k : kinks) {
                if (Math.abs(x[i] - k) < 0.05) {
                    x[i] = (float) (k + (x[i] >= k ? 0.1 : -0.1));
                }
            }
        }
        return x;
    }
}
