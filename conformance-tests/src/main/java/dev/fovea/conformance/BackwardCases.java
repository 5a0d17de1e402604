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
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The backward ops against central finite differences ({@code backward/fd/...}) and the backward pins
 * ({@code backward/rule/...}).
 *
 * <p>A finite-difference case gives the backend under test seeded data and {@code dy = r}, and compares its
 * gradient with {@link FiniteDifference} of {@code L = Σ y·r}, where {@code y} is the suite's own {@link Oracle}
 * forward in double (never the backend's or the reference's forward). Forward outputs a backward op takes
 * ({@code y} of pooling, activation, softmax) are the oracle's, rounded to float. Convolution and dense gradients
 * are of the op without its fused activation (the SPI's {@code dy} is pre-activation), so a backend that applies
 * the descriptor's activation in its backward fails the cases whose descriptor has one.
 *
 * <p>Every case is skipped on a backend without {@code Capability.TRAINING} ({@link CaseList#training}).
 */
final class BackwardCases {
    private BackwardCases() {
    }

    /** Step for ops linear in the perturbed value: dyadic, so {@code v ± step} is exact for float data. */
    private static final double LINEAR_STEP = 0.5;
    private static final double SMOOTH_STEP = 1e-4;

    /**
     * The activations whose gradient {@code activationBackward} takes from the forward's output (the SPI's list;
     * ReLU6, hard-sigmoid, hard-swish and SiLU need their input, and the engine does not train through them yet).
     */
    static final java.util.List<Activation> GRADIENT_FROM_OUTPUT = java.util.Arrays.stream(Activation.values())
            .filter(Activation::hasOutputGradient).toList();

    static void add(CaseList c) {
        for (DifferentialCases.ConvSweep k : convConfigs()) {
            String tail = k.params() + "/seed=" + k.seed();
            c.trainingLayouts("backward/fd/conv-data/" + tail, (e, l) -> convFd(e, l, k, Grad.DATA));
            c.trainingLayouts("backward/fd/conv-filter/" + tail, (e, l) -> convFd(e, l, k, Grad.FILTER));
            if (k.p().bias()) {
                c.trainingLayouts("backward/fd/conv-bias/" + tail, (e, l) -> convFd(e, l, k, Grad.BIAS));
            }
        }
        for (DifferentialCases.PoolSweep k : poolConfigs()) {
            c.trainingLayouts("backward/fd/" + k.params() + "/seed=" + k.seed(), (e, l) -> poolFd(e, l, k));
        }
        for (Activation a : BackwardCases.GRADIENT_FROM_OUTPUT) {
            long seed = 61_000 + a.ordinal();
            c.trainingLayouts("backward/fd/activation/" + a + "-2x3x3x4/seed=" + seed, (e, l) -> activationFd(e, l, a, seed));
        }
        denseFd(c);
        softmaxFd(c);
        crossEntropyFd(c);
        rules(c);
    }

    // ---- configurations (also walked by the suite's self-test of OracleBackward) ----

    /** Small convolutions covering every padding mode (asymmetric SAME pads), stride, dilation, groups, depthwise. */
    static List<DifferentialCases.ConvSweep> convConfigs() {
        return List.of(
                conv(60_001, dims(1, 3, 5, 6), ConvolutionParams.of(2, 3, 3)),
                conv(60_002, dims(1, 2, 6, 7), ConvolutionParams.of(3, 3, 2).withStride(2, 2).withPadding(Padding.SAME)),
                conv(60_003, dims(1, 2, 7, 6), ConvolutionParams.of(3, 3, 3).withStride(2, 2)
                        .withPadding(Padding.SAME_LOWER).withActivation(Activation.RELU)),
                conv(60_004, dims(1, 2, 5, 5), ConvolutionParams.of(2, 2, 2).withDilation(2, 2)
                        .withPadding(Padding.explicit(1, 0, 2, 1))),
                conv(60_005, dims(2, 4, 4, 5), ConvolutionParams.of(6, 3, 3).withGroups(2).withPadding(Padding.FULL)
                        .withBias(false)),
                conv(60_006, dims(1, 3, 5, 4), ConvolutionParams.of(6, 2, 3).withGroups(3).withStride(2, 2)
                        .withPadding(Padding.SAME_LOWER)),
                conv(60_007, dims(1, 2, 7, 7), ConvolutionParams.of(2, 1, 1).withStride(3, 3)),
                conv(60_008, dims(1, 2, 6, 5), ConvolutionParams.of(3, 3, 2).withStride(2, 1).withDilation(1, 2)
                        .withPadding(Padding.explicit(0, 2, 1, 0)).withActivation(Activation.TANH)),
                conv(60_009, dims(2, 1, 5, 6), ConvolutionParams.of(2, 2, 2).withDilation(3, 1)
                        .withPadding(Padding.SAME)),
                conv(60_010, dims(1, 4, 6, 6), ConvolutionParams.of(4, 3, 3).withGroups(4).withStride(2, 3)
                        .withDilation(2, 1).withPadding(Padding.SAME)));
    }

    /** Small poolings: padding (max over −∞), ceil mode with its overhang, both divisors, overlap, global. */
    static List<DifferentialCases.PoolSweep> poolConfigs() {
        PoolingMode max = PoolingMode.MAX;
        PoolingMode avg = PoolingMode.AVERAGE;
        return List.of(
                pool(62_001, dims(1, 2, 4, 6), PoolingParams.of(max, 2, 2)),
                pool(62_002, dims(1, 2, 5, 6), PoolingParams.of(max, 3, 3).withStride(2, 2).withPadding(Padding.SAME)),
                pool(62_003, dims(1, 1, 5, 5), PoolingParams.of(max, 3, 3).withStride(1, 1)
                        .withPadding(Padding.explicit(1, 1, 1, 1))),
                pool(62_004, dims(1, 1, 5, 7), PoolingParams.of(max, 2, 3).withStride(2, 2).withCeilMode(true)),
                pool(62_005, dims(2, 2, 7, 7), PoolingParams.of(max, 3, 3).withStride(2, 2)),
                pool(62_006, dims(1, 2, 5, 6), PoolingParams.of(max, 2, 2).withStride(2, 2)
                        .withPadding(Padding.explicit(1, 0, 0, 1)).withCeilMode(true)),
                pool(62_007, dims(1, 2, 5, 6), PoolingParams.of(avg, 3, 3).withStride(2, 2).withPadding(Padding.SAME)),
                pool(62_008, dims(1, 2, 5, 6), PoolingParams.of(avg, 3, 3).withStride(2, 2).withPadding(Padding.SAME)
                        .withCountIncludePad(true)),
                pool(62_009, dims(1, 1, 4, 5), PoolingParams.of(avg, 2, 3).withStride(1, 1)
                        .withPadding(Padding.explicit(1, 0, 1, 1))),
                pool(62_010, dims(1, 1, 4, 5), PoolingParams.of(avg, 2, 3).withStride(1, 1)
                        .withPadding(Padding.explicit(1, 0, 1, 1)).withCountIncludePad(true)),
                pool(62_011, dims(1, 2, 4, 4), PoolingParams.of(avg, 3, 3).withStride(2, 2).withCeilMode(true)),
                pool(62_012, dims(1, 2, 4, 4), PoolingParams.of(avg, 3, 3).withStride(2, 2).withCeilMode(true)
                        .withCountIncludePad(true)),
                pool(62_013, dims(1, 1, 5, 5), PoolingParams.of(avg, 2, 2).withStride(2, 2)
                        .withPadding(Padding.explicit(1, 1, 0, 0)).withCeilMode(true).withCountIncludePad(true)),
                pool(62_014, dims(1, 1, 7, 7), PoolingParams.of(avg, 1, 1).withStride(3, 3)),
                pool(62_015, dims(2, 3, 3, 4), PoolingParams.global(avg)),
                pool(62_016, dims(2, 3, 3, 4), PoolingParams.global(max)));
    }

    private static DifferentialCases.ConvSweep conv(long seed, int[] xd, ConvolutionParams p) {
        return new DifferentialCases.ConvSweep(DifferentialCases.convName(xd, p), xd, p, seed);
    }

    private static DifferentialCases.PoolSweep pool(long seed, int[] xd, PoolingParams p) {
        return new DifferentialCases.PoolSweep(DifferentialCases.poolName(xd, p), xd, p, seed);
    }

    private static int[] dims(int... d) {
        return d;
    }

    // ---- the data of a case, shared with the self-test ----

    /** Which gradient of a convolution a case checks. */
    enum Grad {
        DATA, FILTER, BIAS
    }

    /** A convolution's seeded data: x, w, b (null without bias) and dy, uniform in ±1. */
    record ConvData(float[] x, float[] w, float[] b, float[] dy, int[] yd) {
        static ConvData of(DifferentialCases.ConvSweep k) {
            ConvolutionParams p = k.p();
            int fanIn = k.xd()[1] / p.groups() * p.kernelH() * p.kernelW();
            int[] yd = Oracle.convOutput(k.xd(), p);
            return new ConvData(Data.uniform(k.seed(), Data.count(k.xd()), -1, 1),
                    Data.uniform(k.seed() + 1, p.filters() * fanIn, -1, 1),
                    p.bias() ? Data.uniform(k.seed() + 2, p.filters(), -1, 1) : null,
                    Data.uniform(k.seed() + 3, Data.count(yd), -1, 1), yd);
        }
    }

    /** The finite-difference gradient {@code which} of the convolution without its activation. */
    static double[] convFiniteDifference(DifferentialCases.ConvSweep k, ConvData d, Grad which) {
        ConvolutionParams lin = k.p().withActivation(Activation.NONE);
        double[] x = Oracle.toDouble(d.x());
        double[] w = Oracle.toDouble(d.w());
        double[] b = Oracle.toDouble(d.b());
        double[] r = Oracle.toDouble(d.dy());
        return switch (which) {
            case DATA -> FiniteDifference.gradient(x, LINEAR_STEP, r, v -> Oracle.convD(k.xd(), v, lin, w, b).values());
            case FILTER -> FiniteDifference.gradient(w, LINEAR_STEP, r, v -> Oracle.convD(k.xd(), x, lin, v, b).values());
            case BIAS -> FiniteDifference.gradient(b, LINEAR_STEP, r, v -> Oracle.convD(k.xd(), x, lin, w, v).values());
        };
    }

    /** A pooling's data: distinct dyadic values for MAX (no ties, so the gradient is defined), else uniform ±1. */
    static float[] poolInput(DifferentialCases.PoolSweep k) {
        int n = Data.count(k.xd());
        if (k.p().mode() == PoolingMode.AVERAGE) {
            return Data.uniform(k.seed(), n, -1, 1);
        }
        // A random permutation of (i − n)/8: all negative, so padding read as 0 instead of −∞ would win.
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n) / 8f;
        }
        SplittableRandom r = new SplittableRandom(k.seed());
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }

    static float[] poolDy(DifferentialCases.PoolSweep k) {
        return Data.uniform(k.seed() + 3, Data.count(Oracle.poolOutput(k.xd(), k.p())), -1, 1);
    }

    static double[] poolFiniteDifference(DifferentialCases.PoolSweep k, float[] x, float[] dy) {
        // 1/64 is below half the 1/8 gap between max-pooling values: no window changes its argmax.
        return FiniteDifference.gradient(Oracle.toDouble(x), 1.0 / 64, Oracle.toDouble(dy),
                v -> Oracle.poolD(k.xd(), v, k.p()).values());
    }

    // ---- tolerances: bounds of Σ|terms| of one gradient element ----

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    /** dx: each input cell receives at most K/g · kH · kW products dy·w. */
    static Tolerance convDataTolerance(ConvolutionParams p, float[] w, float[] dy) {
        return Tolerance.gradient((double) p.filters() / p.groups() * p.kernelH() * p.kernelW() * maxAbs(w) * maxAbs(dy));
    }

    /** dw: N · P · Q products dy·x per weight; db: N · P · Q values of dy. */
    static Tolerance convFilterTolerance(int[] yd, float[] x, float[] dy) {
        return Tolerance.gradient((double) yd[0] * yd[2] * yd[3] * maxAbs(x) * maxAbs(dy));
    }

    static Tolerance convBiasTolerance(int[] yd, float[] dy) {
        return Tolerance.gradient((double) yd[0] * yd[2] * yd[3] * maxAbs(dy));
    }

    /** dx: at most ⌈kH/sH⌉·⌈kW/sW⌉ windows cover one cell, each adding at most max|dy|. */
    static Tolerance poolTolerance(PoolingParams p, float[] dy) {
        int windows = p.global() ? 1 : Math.ceilDiv(p.kernelH(), p.strideH()) * Math.ceilDiv(p.kernelW(), p.strideW());
        return Tolerance.gradient(windows * maxAbs(dy));
    }


    // ---- finite-difference cases ----

    private static Outcome convFd(Engine e, Layout l, DifferentialCases.ConvSweep k, Grad which) {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'backward fd'", Shape.of(k.xd()), l, k.p());
        Run.requireTraining(e, d);
        ConvData data = ConvData.of(k);
        Check.shape("descriptor output (oracle)", d.output(), data.yd());
        double[] expected = convFiniteDifference(k, data, which);
        try (Run r = new Run(e)) {
            switch (which) {
                case DATA -> Check.close("dx vs finite differences", r.convBackwardData(d, data.w(), data.dy()), k.xd(),
                        expected, convDataTolerance(k.p(), data.w(), data.dy()).plus(Tolerance.FINITE_DIFFERENCE));
                case FILTER -> Check.close("dw vs finite differences", r.convBackwardFilter(d, data.x(), data.dy()),
                        d.weightShape().dims(), expected,
                        convFilterTolerance(data.yd(), data.x(), data.dy()).plus(Tolerance.FINITE_DIFFERENCE));
                case BIAS -> Check.close("db vs finite differences", r.convBackwardBias(d, data.dy()),
                        new int[] {k.p().filters()}, expected,
                        convBiasTolerance(data.yd(), data.dy()).plus(Tolerance.FINITE_DIFFERENCE));
            }
        }
        return Outcome.pass();
    }

    private static Outcome poolFd(Engine e, Layout l, DifferentialCases.PoolSweep k) {
        PoolingDescriptor d = PoolingDescriptor.create("pool 'backward fd'", Shape.of(k.xd()), l, k.p());
        Run.requireTraining(e, d);
        float[] x = poolInput(k);
        float[] dy = poolDy(k);
        float[] y = Oracle.toFloat(Oracle.pool(k.xd(), x, k.p()).values());
        double[] expected = poolFiniteDifference(k, x, dy);
        try (Run r = new Run(e)) {
            Check.close("dx vs finite differences", r.poolBackward(d, x, y, dy), k.xd(), expected,
                    poolTolerance(k.p(), dy).plus(Tolerance.FINITE_DIFFERENCE));
        }
        return Outcome.pass();
    }

    /** Activation data: uniform in ±4, kept at least 0.05 from ReLU's kink. */
    static float[] activationInput(long seed, int n) {
        float[] x = Data.uniform(seed, n, -4, 4);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) < 0.05f) {
                x[i] += x[i] < 0 ? -0.1f : 0.1f;
            }
        }
        return x;
    }

    private static Outcome activationFd(Engine e, Layout l, Activation a, long seed) {
        Run.requireTraining(e, null);
        int[] xd = {2, 3, 3, 4};
        float[] x = activationInput(seed, Data.count(xd));
        float[] dy = Data.uniform(seed + 3, x.length, -1, 1);
        float[] y = Oracle.toFloat(Oracle.activation(a, x));
        double step = a == Activation.SIGMOID || a == Activation.TANH ? SMOOTH_STEP : 1.0 / 64;
        double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), step, Oracle.toDouble(dy), v -> {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = a.apply(v[i]);
            }
            return out;
        });
        try (Run r = new Run(e)) {
            Check.close("dx vs finite differences", r.activationBackward(a, Shape.of(xd), l, y, dy), xd, expected,
                    Tolerance.activationGradient(a, maxAbs(dy)).plus(Tolerance.FINITE_DIFFERENCE));
        }
        return Outcome.pass();
    }

    /** Dense configurations: {n, f, u, bias, with dx}. */
    static final int[][] DENSE = {{3, 5, 4, 1, 1}, {1, 7, 3, 0, 1}, {4, 2, 6, 1, 1}, {2, 6, 5, 1, 0}};

    private static void denseFd(CaseList c) {
        for (int i = 0; i < DENSE.length; i++) {
            int n = DENSE[i][0], f = DENSE[i][1], u = DENSE[i][2];
            boolean bias = DENSE[i][3] == 1;
            boolean withDx = DENSE[i][4] == 1;
            Activation a = i == 2 ? Activation.SIGMOID : Activation.NONE; // ignored by the backward: dy is pre-activation
            long seed = 63_000 + i;
            c.training("backward/fd/dense/n" + n + "-f" + f + "-u" + u + (bias ? "-bias-" : "-nobias-") + a
                    + (withDx ? "" : "-without-dx") + "/seed=" + seed, e -> {
                DenseDescriptor d = DenseDescriptor.create("Dense 'backward fd'", Shape.of(n, f), u, bias, a);
                Run.requireTraining(e, d);
                float[] x = Data.uniform(seed, n * f, -1, 1);
                float[] w = Data.uniform(seed + 1, f * u, -1, 1);
                float[] b = bias ? Data.uniform(seed + 2, u, -1, 1) : null;
                float[] dy = Data.uniform(seed + 3, n * u, -1, 1);
                double[][] fd = denseFiniteDifference(n, f, u, x, w, b, dy);
                try (Run r = new Run(e)) {
                    float[][] g = r.denseBackward(d, w, x, dy, withDx);
                    if (withDx) {
                        Check.close("dx vs finite differences", g[0], new int[] {n, f}, fd[0],
                                Tolerance.gradient(u * maxAbs(w) * maxAbs(dy)).plus(Tolerance.FINITE_DIFFERENCE));
                    }
                    Check.close("dw vs finite differences", g[1], new int[] {f, u}, fd[1],
                            Tolerance.gradient(n * maxAbs(x) * maxAbs(dy)).plus(Tolerance.FINITE_DIFFERENCE));
                    if (bias) {
                        Check.close("db vs finite differences", g[2], new int[] {u}, fd[2],
                                Tolerance.gradient(n * maxAbs(dy)).plus(Tolerance.FINITE_DIFFERENCE));
                    }
                }
                return Outcome.pass();
            });
        }
    }

    /** {dx, dw, db (null without bias)} of the dense layer without activation, by finite differences. */
    static double[][] denseFiniteDifference(int n, int f, int u, float[] x, float[] w, float[] b, float[] dy) {
        double[] xv = Oracle.toDouble(x);
        double[] wv = Oracle.toDouble(w);
        double[] bv = Oracle.toDouble(b);
        double[] r = Oracle.toDouble(dy);
        return new double[][] {
            FiniteDifference.gradient(xv, LINEAR_STEP, r, v -> Oracle.denseD(n, f, v, u, wv, bv, Activation.NONE).values()),
            FiniteDifference.gradient(wv, LINEAR_STEP, r, v -> Oracle.denseD(n, f, xv, u, v, bv, Activation.NONE).values()),
            bv == null ? null : FiniteDifference.gradient(bv, LINEAR_STEP, r,
                    v -> Oracle.denseD(n, f, xv, u, wv, v, Activation.NONE).values())};
    }

    private static void softmaxFd(CaseList c) {
        int[][] shapes = {{3, 6}, {2, 1}, {2, 10}};
        for (int i = 0; i < shapes.length; i++) {
            int n = shapes[i][0], f = shapes[i][1];
            long seed = 64_000 + i;
            c.training("backward/fd/softmax/n" + n + "-f" + f + "/seed=" + seed, e -> {
                Run.requireTraining(e, null);
                float[] x = Data.uniform(seed, n * f, -3, 3);
                float[] dy = Data.uniform(seed + 3, n * f, -1, 1);
                float[] y = Oracle.toFloat(Oracle.softmax(n, f, x));
                double[] expected = FiniteDifference.gradient(Oracle.toDouble(x), SMOOTH_STEP, Oracle.toDouble(dy),
                        v -> Oracle.softmaxD(n, f, v));
                try (Run r = new Run(e)) {
                    Check.close("dx vs finite differences", r.softmaxBackward(Shape.of(n, f), y, dy), new int[] {n, f},
                            expected, Tolerance.softmaxGradient(maxAbs(dy)).plus(Tolerance.FINITE_DIFFERENCE));
                }
                return Outcome.pass();
            });
        }
    }

    /** Cross-entropy configurations: {n, f, logit range}; labels seeded, scale 1/n. */
    static final int[][] CROSS_ENTROPY = {{4, 5, 4}, {3, 10, 1}, {2, 3, 30}, {1, 1, 2}};

    static int[] labels(long seed, int n, int f) {
        SplittableRandom r = new SplittableRandom(seed + 4);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(f);
        }
        return labels;
    }

    /** The loss's tolerance: 1e-6 per row times the size of its terms (row maximum, log F, the label's logit). */
    static Tolerance lossTolerance(int n, int f, float[] z) {
        return new Tolerance(1e-6 * n * (2 * maxAbs(z) + Math.log(f) + 1), 1e-6);
    }

    private static void crossEntropyFd(CaseList c) {
        for (int i = 0; i < CROSS_ENTROPY.length; i++) {
            int n = CROSS_ENTROPY[i][0], f = CROSS_ENTROPY[i][1], range = CROSS_ENTROPY[i][2];
            long seed = 65_000 + i;
            float scale = 1f / n;
            c.training("backward/fd/softmax-cross-entropy/n" + n + "-f" + f + "-logits-within-" + range
                    + "-scale-1-over-" + n + "/seed=" + seed, e -> {
                Run.requireTraining(e, null);
                float[] z = Data.uniform(seed, n * f, -range, range);
                int[] labels = labels(seed, n, f);
                double[] expected = FiniteDifference.gradient(Oracle.toDouble(z), SMOOTH_STEP, new double[] {scale},
                        v -> new double[] {OracleBackward.crossEntropy(n, f, v, labels)});
                try (Run r = new Run(e)) {
                    float[][] dx = new float[1][];
                    double loss = r.softmaxCrossEntropy(Shape.of(n, f), z, labels, scale, dx);
                    Check.close("dx vs finite differences", dx[0], new int[] {n, f}, expected,
                            Tolerance.softmaxGradient(scale).plus(Tolerance.FINITE_DIFFERENCE));
                    checkLoss(loss, OracleBackward.crossEntropy(n, f, Oracle.toDouble(z), labels), lossTolerance(n, f, z));
                    double alone = r.softmaxCrossEntropy(Shape.of(n, f), z, labels, scale, null);
                    checkLoss(alone, OracleBackward.crossEntropy(n, f, Oracle.toDouble(z), labels), lossTolerance(n, f, z));
                }
                return Outcome.pass();
            });
        }
    }

    static void checkLoss(double actual, double expected, Tolerance tol) {
        if (!(Math.abs(actual - expected) <= tol.atol() + tol.rtol() * Math.abs(expected))) {
            throw new CaseAbort(Outcome.mismatch("summed loss", 0, "[]", expected, actual));
        }
    }

    // ---- pins: hand-worked gradients ----

    private static void rules(CaseList c) {
        // Ties go to the first maximal cell in window order (rows, then columns): all 16 inputs equal.
        c.trainingLayouts("backward/rule/max-pool-ties-go-to-first-in-window-order/4x4-all-5-k3-s1-dy-1,2,4,8",
                (e, l) -> maxTies(e, l, PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1),
                        new float[] {1, 2, 4, 8}, 1, 2, 0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        c.trainingLayouts("backward/rule/max-pool-ties-go-to-first-in-window-order/4x4-all-5-k2-s2-dy-1,2,4,8",
                (e, l) -> maxTies(e, l, PoolingParams.of(PoolingMode.MAX, 2, 2), new float[] {1, 2, 4, 8},
                        1, 0, 2, 0, 0, 0, 0, 0, 4, 0, 8, 0, 0, 0, 0, 0));
        // Padding is −∞: every window of an all-negative input sends its gradient to an input cell.
        c.trainingLayouts("backward/rule/max-pool-padding-never-receives/3x3-values-minus-1..9-k3-s2-pads(1,1,1,1)",
                (e, l) -> hand(e, l, dims(1, 1, 3, 3), new float[] {-1, -2, -3, -4, -5, -6, -7, -8, -9},
                        PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2).withPadding(Padding.explicit(1, 1, 1, 1)),
                        new float[] {1, 2, 3, 4}, 1, 2, 0, 3, 4, 0, 0, 0, 0));
        // Average divisors with explicit padding: 3×3 windows, stride 2, pads 1 on a 3×3 input, dy = 36.
        // Window (0,0) covers 4 input cells and 9 padded-input cells: 36/4 = 9 or 36/9 = 4 to each.
        c.trainingLayouts("backward/rule/avg-pool-divisor/3x3-k3-s2-pads(1,1,1,1)-countIncludePad-false-dy-36",
                (e, l) -> hand(e, l, dims(1, 1, 3, 3), Data.iota(9), PoolingParams.of(PoolingMode.AVERAGE, 3, 3)
                                .withStride(2, 2).withPadding(Padding.explicit(1, 1, 1, 1)),
                        new float[] {36, 36, 36, 36}, 9, 18, 9, 18, 36, 18, 9, 18, 9));
        c.trainingLayouts("backward/rule/avg-pool-divisor/3x3-k3-s2-pads(1,1,1,1)-countIncludePad-true-dy-36",
                (e, l) -> hand(e, l, dims(1, 1, 3, 3), Data.iota(9), PoolingParams.of(PoolingMode.AVERAGE, 3, 3)
                                .withStride(2, 2).withPadding(Padding.explicit(1, 1, 1, 1)).withCountIncludePad(true),
                        new float[] {36, 36, 36, 36}, 4, 8, 4, 8, 16, 8, 4, 8, 4));
        // Ceil mode: the last window overhangs a 3×3 input by one column; the overhang is never counted.
        c.trainingLayouts("backward/rule/avg-pool-ceil-overhang-not-counted/1x3-k2-s2-ceil-countIncludePad-true-dy-12",
                (e, l) -> hand(e, l, dims(1, 1, 1, 3), Data.iota(3), PoolingParams.of(PoolingMode.AVERAGE, 1, 2)
                                .withStride(1, 2).withCeilMode(true).withCountIncludePad(true),
                        new float[] {12, 12}, 6, 6, 12));
        // Stride larger than the kernel: cells no window reads get 0.
        c.trainingLayouts("backward/rule/conv-data-unread-cells-get-0/5x5-k1-s2-w2-dy-1..9", BackwardCases::unread);
        // The course's chain rule: a shared weight receives the sum over every position and the batch.
        c.trainingLayouts("backward/rule/conv-filter-shared-weight-sums-positions/2x1x4x4-ones-k3-dy-ones-to-8",
                BackwardCases::sharedWeights);
        // The SPI allows dx to be dy.
        for (Activation a : BackwardCases.GRADIENT_FROM_OUTPUT) {
            long seed = 66_000 + a.ordinal();
            c.trainingLayouts("backward/rule/activation-in-place-dx-is-dy/" + a + "-1x5x3x7/seed=" + seed,
                    (e, l) -> inPlace(e, l, a, seed));
        }
        // Strided views: dy and dx are channel slices of larger tensors; the rest stays untouched.
        c.trainingLayouts("backward/rule/channel-slices/conv-data-dy-channels-2..5-of-7-dx-channels-1..3-of-6",
                BackwardCases::convSlices);
        c.trainingLayouts("backward/rule/channel-slices/max-pool-dx-channels-2..4-of-5", BackwardCases::poolSlices);
        // Logits of 1e4 must not overflow: row 0 is one-hot at a wrong class, rows 1–3 uniform.
        c.training("backward/rule/softmax-cross-entropy-large-logits/4x5-1e4-scale-0.5", BackwardCases::largeLogits);
    }

    private static Outcome maxTies(Engine e, Layout l, PoolingParams p, float[] dy, float... expected) {
        float[] x = new float[16];
        Arrays.fill(x, 5);
        return hand(e, l, dims(1, 1, 4, 4), x, p, dy, expected);
    }

    /** A pooling backward with hand-worked {@code expected} dx; the oracle must agree. */
    private static Outcome hand(Engine e, Layout l, int[] xd, float[] x, PoolingParams p, float[] dy, float... expected) {
        PoolingDescriptor d = PoolingDescriptor.create("pool 'backward rule'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        double[] want = Check.toDouble(expected);
        Check.close("oracle vs hand-worked numbers", Oracle.toFloat(OracleBackward.pool(xd, Oracle.toDouble(x), p,
                Oracle.toDouble(dy))), xd, want, Tolerance.EXACT);
        float[] y = Oracle.toFloat(Oracle.pool(xd, x, p).values());
        try (Run r = new Run(e)) {
            Check.close("dx", r.poolBackward(d, x, y, dy), xd, want, poolTolerance(p, dy));
        }
        return Outcome.pass();
    }

    private static Outcome unread(Engine e, Layout l) {
        int[] xd = {1, 1, 5, 5};
        ConvolutionParams p = ConvolutionParams.of(1, 1, 1).withStride(2, 2);
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'backward rule'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        double[] want = new double[25];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                want[(2 * i) * 5 + 2 * j] = 2 * (i * 3 + j + 1);
            }
        }
        float[] dy = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        try (Run r = new Run(e)) {
            Check.close("dx", r.convBackwardData(d, new float[] {2}, dy), xd, want, Tolerance.EXACT);
        }
        return Outcome.pass();
    }

    private static Outcome sharedWeights(Engine e, Layout l) {
        int[] xd = {2, 1, 4, 4};
        ConvolutionParams p = ConvolutionParams.of(1, 3, 3);
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'backward rule'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        float[] ones = new float[32];
        Arrays.fill(ones, 1);
        float[] dy = new float[8];
        Arrays.fill(dy, 1);
        try (Run r = new Run(e)) {
            Check.close("dw", r.convBackwardFilter(d, ones, dy), new int[] {1, 1, 3, 3}, Tolerance.EXACT,
                    8, 8, 8, 8, 8, 8, 8, 8, 8);
            Check.close("db", r.convBackwardBias(d, dy), new int[] {1}, Tolerance.EXACT, 8);
        }
        return Outcome.pass();
    }

    private static Outcome inPlace(Engine e, Layout l, Activation a, long seed) {
        Run.requireTraining(e, null);
        int[] xd = {1, 5, 3, 7};
        Shape shape = Shape.of(xd);
        float[] x = activationInput(seed, Data.count(xd));
        float[] dy = Data.uniform(seed + 3, x.length, -1, 1);
        float[] y = Oracle.toFloat(Oracle.activation(a, x));
        double[] want = OracleBackward.activation(a, Oracle.toDouble(x), Oracle.toDouble(dy));
        try (Run r = new Run(e)) {
            Tensor yt = r.input(shape, l, y);
            Tensor g = r.input(shape, l, dy);
            e.activationBackward(a, yt, g, g);
            Check.close("dx (written over dy)", r.read(g), xd, want, Tolerance.activationGradient(a, 1));
        }
        return Outcome.pass();
    }

    private static Outcome convSlices(Engine e, Layout l) {
        int[] xd = {2, 3, 5, 4};
        ConvolutionParams p = ConvolutionParams.of(4, 3, 2).withStride(2, 1).withPadding(Padding.SAME);
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'backward rule'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        long seed = 67_001;
        float[] w = Data.uniform(seed + 1, 4 * 3 * 6, -1, 1);
        int[] yd = Oracle.convOutput(xd, p);
        int[] bigY = {2, 7, yd[2], yd[3]};
        int[] bigX = {2, 6, 5, 4};
        float[] dyAll = Data.uniform(seed + 3, Data.count(bigY), -1, 1);
        float[] dy = channels(dyAll, bigY, 2, 4);
        double[] want = OracleBackward.convData(xd, p, Oracle.toDouble(w), Oracle.toDouble(dy));
        try (Run r = new Run(e)) {
            Tensor dyt = r.input(Shape.of(bigY), l, dyAll).channelSlice(2, 4);
            Tensor dxAll = r.output(Shape.of(bigX), l);
            r.fill(dxAll, 7);
            e.convolutionBackwardData(d, r.host(d.weightShape(), w), dyt, dxAll.channelSlice(1, 3));
            float[] all = r.read(dxAll);
            Check.close("dx", channels(all, bigX, 1, 3), xd, want, convDataTolerance(p, w, dy));
            checkOtherChannels(all, bigX, 1, 3);
        }
        return Outcome.pass();
    }

    private static Outcome poolSlices(Engine e, Layout l) {
        int[] xd = {1, 3, 5, 6};
        PoolingParams p = PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2).withPadding(Padding.SAME);
        PoolingDescriptor d = PoolingDescriptor.create("pool 'backward rule'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        DifferentialCases.PoolSweep k = pool(67_002, xd, p);
        float[] x = poolInput(k);
        float[] dy = poolDy(k);
        float[] y = Oracle.toFloat(Oracle.pool(xd, x, p).values());
        double[] want = OracleBackward.pool(xd, Oracle.toDouble(x), p, Oracle.toDouble(dy));
        int[] big = {1, 5, 5, 6};
        try (Run r = new Run(e)) {
            Tensor dxAll = r.output(Shape.of(big), l);
            r.fill(dxAll, 7);
            e.poolingBackward(d, r.input(d.input(), l, x), r.input(d.output(), l, y), r.input(d.output(), l, dy),
                    dxAll.channelSlice(2, 3));
            float[] all = r.read(dxAll);
            Check.close("dx", channels(all, big, 2, 3), xd, want, poolTolerance(p, dy));
            checkOtherChannels(all, big, 2, 3);
        }
        return Outcome.pass();
    }

    /** Channels {@code [start, start + count)} of a logical {@code [n, c, h, w]} array. */
    private static float[] channels(float[] v, int[] d, int start, int count) {
        int plane = d[2] * d[3];
        float[] out = new float[d[0] * count * plane];
        for (int n = 0; n < d[0]; n++) {
            System.arraycopy(v, (n * d[1] + start) * plane, out, n * count * plane, count * plane);
        }
        return out;
    }

    private static void checkOtherChannels(float[] all, int[] d, int start, int count) {
        int plane = d[2] * d[3];
        for (int i = 0; i < all.length; i++) {
            int ch = i / plane % d[1];
            if ((ch < start || ch >= start + count) && all[i] != 7) {
                throw new CaseAbort(Outcome.mismatch("outside the dx slice (must be left untouched)", i,
                        Check.position(d, i), 7, all[i]));
            }
        }
    }

    private static Outcome largeLogits(Engine e) {
        Run.requireTraining(e, null);
        float[] z = new float[20];
        z[3] = 1e4f;
        int[] labels = {0, 3, 4, 3};
        try (Run r = new Run(e)) {
            float[][] dx = new float[1][];
            double loss = r.softmaxCrossEntropy(Shape.of(4, 5), z, labels, 0.5f, dx);
            // Row 0: softmax is one-hot at class 3, label 0 → loss 1e4; rows 1–3 uniform → ln 5 each.
            checkLoss(loss, 1e4 + 3 * Math.log(5), new Tolerance(1e-6 * 1e4, 1e-6));
            Check.close("dx", dx[0], new int[] {4, 5}, Tolerance.softmaxGradient(0.5),
                    -0.5, 0, 0, 0.5, 0,
                    0.1, 0.1, 0.1, -0.4, 0.1,
                    0.1, 0.1, 0.1, 0.1, -0.4,
                    0.1, 0.1, 0.1, -0.4, 0.1);
        }
        return Outcome.pass();
    }
}
