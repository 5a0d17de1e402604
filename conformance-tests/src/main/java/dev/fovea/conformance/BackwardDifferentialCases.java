package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * Every backward op against the reference backend's ({@code backward/diff/...}) on the forward sweep's shapes
 * ({@link DifferentialCases#convSweep}, {@link DifferentialCases#poolSweep}: both layouts, every padding mode,
 * strides 1–3, dilation, groups and depthwise, ceil mode, both pooling kinds, both divisors), seeded random data
 * and NaN-poisoned destinations. A case is named after its forward twin with the gradient in front:
 * {@code backward/diff/conv-filter/n1-c5-13x7-f7-k3x2-s2x2-d1x2-g1-SAME-bias-RELU/seed=10042/NHWC} uses the
 * forward case's x ({@code seed}) and weights ({@code seed + 1}) and {@code dy} uniform in ±1 from {@code seed + 3}.
 * When the reference backend is itself under test, the expectation is {@link OracleBackward} instead (checked
 * against finite differences by the suite's self-test), so these cases still check something.
 */
final class BackwardDifferentialCases {
    private BackwardDifferentialCases() {
    }

    static void add(CaseList c) {
        for (DifferentialCases.ConvSweep k : DifferentialCases.convSweep()) {
            String tail = k.params() + "/seed=" + k.seed();
            c.trainingLayouts("backward/diff/conv-data/" + tail, (e, l) -> conv(e, l, k, BackwardCases.Grad.DATA));
            c.trainingLayouts("backward/diff/conv-filter/" + tail, (e, l) -> conv(e, l, k, BackwardCases.Grad.FILTER));
            if (k.p().bias()) {
                c.trainingLayouts("backward/diff/conv-bias/" + tail, (e, l) -> conv(e, l, k, BackwardCases.Grad.BIAS));
            }
        }
        for (DifferentialCases.PoolSweep k : DifferentialCases.poolSweep()) {
            c.trainingLayouts("backward/diff/" + k.params() + "/seed=" + k.seed(), (e, l) -> pool(e, l, k));
        }
        denses(c);
        softmaxes(c);
        crossEntropies(c);
        activations(c);
    }

    private static String against(Engine e) {
        return Reference.isUnderTest(e) ? " vs oracle" : " vs reference";
    }

    private static Outcome conv(Engine e, Layout l, DifferentialCases.ConvSweep k, BackwardCases.Grad which) {
        ConvolutionParams p = k.p();
        int[] xd = k.xd();
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'backward diff'", Shape.of(xd), l, p);
        Run.requireTraining(e, d);
        int fanIn = xd[1] / p.groups() * p.kernelH() * p.kernelW();
        int[] yd = d.output().dims();
        float[] x = Data.uniform(k.seed(), Data.count(xd), -1, 1);
        float[] w = DifferentialCases.scaled(k.seed() + 1, p.filters() * fanIn, fanIn);
        float[] dy = Data.uniform(k.seed() + 3, Data.count(yd), -1, 1);
        try (Run r = new Run(e)) {
            switch (which) {
                case DATA -> {
                    float[] dx = r.convBackwardData(d, w, dy);
                    double[] want = DifferentialCases.expected(e, () -> OracleBackward.convData(xd, p,
                            Oracle.toDouble(w), Oracle.toDouble(dy)), ref -> ref.convBackwardData(d, w, dy));
                    Check.close("dx" + against(e), dx, xd, want, BackwardCases.convDataTolerance(p, w, dy));
                }
                case FILTER -> {
                    float[] dw = r.convBackwardFilter(d, x, dy);
                    double[] want = DifferentialCases.expected(e, () -> OracleBackward.convFilter(xd, Oracle.toDouble(x),
                            p, Oracle.toDouble(dy)), ref -> ref.convBackwardFilter(d, x, dy));
                    Check.close("dw" + against(e), dw, d.weightShape().dims(), want,
                            BackwardCases.convFilterTolerance(yd, x, dy));
                    if (p.bias()) {
                        // Both gradients in one call, as training asks for them: the same bounds as apart.
                        float[][] both = r.convBackwardWeights(d, x, dy);
                        Check.close("dw with db" + against(e), both[0], d.weightShape().dims(), want,
                                BackwardCases.convFilterTolerance(yd, x, dy));
                        double[] wantDb = DifferentialCases.expected(e, () -> OracleBackward.convBias(yd,
                                Oracle.toDouble(dy)), ref -> ref.convBackwardBias(d, dy));
                        Check.close("db with dw" + against(e), both[1], new int[] {p.filters()}, wantDb,
                                BackwardCases.convBiasTolerance(yd, dy));
                    }
                }
                case BIAS -> {
                    float[] db = r.convBackwardBias(d, dy);
                    double[] want = DifferentialCases.expected(e, () -> OracleBackward.convBias(yd, Oracle.toDouble(dy)),
                            ref -> ref.convBackwardBias(d, dy));
                    Check.close("db" + against(e), db, new int[] {p.filters()}, want,
                            BackwardCases.convBiasTolerance(yd, dy));
                }
            }
        }
        return Outcome.pass();
    }

    private static Outcome pool(Engine e, Layout l, DifferentialCases.PoolSweep k) {
        int[] xd = k.xd();
        PoolingDescriptor d = PoolingDescriptor.create("pool 'backward diff'", Shape.of(xd), l, k.p());
        Run.requireTraining(e, d);
        // The forward case's data: negative for half the max poolings, so padding read as 0 would win.
        float[] x = k.p().mode() == PoolingMode.MAX && k.seed() % 2 == 0 ? Data.negative(k.seed(), Data.count(xd))
                : Data.uniform(k.seed(), Data.count(xd), -1, 1);
        float[] y = Oracle.toFloat(Oracle.pool(xd, x, k.p()).values());
        float[] dy = Data.uniform(k.seed() + 3, y.length, -1, 1);
        try (Run r = new Run(e)) {
            float[] dx = r.poolBackward(d, x, y, dy);
            double[] want = DifferentialCases.expected(e, () -> OracleBackward.pool(xd, Oracle.toDouble(x), k.p(),
                    Oracle.toDouble(dy)), ref -> ref.poolBackward(d, x, y, dy));
            Check.close("dx" + against(e), dx, xd, want, BackwardCases.poolTolerance(k.p(), dy));
        }
        return Outcome.pass();
    }

    private static void denses(CaseList c) {
        int[] units = {1, 7, 17, 33};
        int[] batches = {1, 3, 17, 5};
        int[] sizes = DifferentialCases.SIZES;
        for (int i = 0; i < sizes.length; i++) {
            int f = sizes[i];
            int u = units[i % units.length];
            int n = batches[i % batches.length];
            boolean bias = i % 3 != 2;
            boolean withDx = i % 4 != 3;
            Activation a = Activation.values()[i % 4];
            long seed = 70_000 + i;
            c.training("backward/diff/dense/n" + n + "-f" + f + "-u" + u + (bias ? "-bias-" : "-nobias-") + a
                    + (withDx ? "" : "-without-dx") + "/seed=" + seed, e -> {
                DenseDescriptor d = DenseDescriptor.create("Dense 'backward diff'", Shape.of(n, f), u, bias, a);
                Run.requireTraining(e, d);
                float[] x = Data.uniform(seed, n * f, -1, 1);
                float[] w = DifferentialCases.scaled(seed + 1, f * u, f);
                float[] dy = Data.uniform(seed + 3, n * u, -1, 1);
                try (Run r = new Run(e)) {
                    float[][] g = r.denseBackward(d, w, x, dy, withDx);
                    double[][] want;
                    if (Reference.isUnderTest(e)) {
                        want = OracleBackward.dense(n, f, Oracle.toDouble(x), u, Oracle.toDouble(w), Oracle.toDouble(dy));
                    } else {
                        try (Run ref = new Run(Reference.engine())) {
                            float[][] rg = ref.denseBackward(d, w, x, dy, true);
                            want = new double[][] {Check.toDouble(rg[0]), Check.toDouble(rg[1]),
                                rg[2] == null ? null : Check.toDouble(rg[2])};
                        }
                    }
                    double maxW = BackwardCases.maxAbs(w);
                    double maxX = BackwardCases.maxAbs(x);
                    double maxDy = BackwardCases.maxAbs(dy);
                    if (withDx) {
                        Check.close("dx" + against(e), g[0], new int[] {n, f}, want[0], Tolerance.gradient(u * maxW * maxDy));
                    }
                    Check.close("dw" + against(e), g[1], new int[] {f, u}, want[1], Tolerance.gradient(n * maxX * maxDy));
                    if (bias) {
                        Check.close("db" + against(e), g[2], new int[] {u}, want[2], Tolerance.gradient(n * maxDy));
                    }
                }
                return Outcome.pass();
            });
        }
    }

    private static void softmaxes(CaseList c) {
        double[] scales = {1, 10, 100, 1e4};
        int[] sizes = DifferentialCases.SIZES;
        for (int i = 0; i < sizes.length; i++) {
            int f = sizes[i];
            double scale = scales[i % scales.length];
            long seed = 71_000 + i;
            c.training("backward/diff/softmax/n3-f" + f + "-inputs-within-" + scale + "/seed=" + seed, e -> {
                Run.requireTraining(e, null);
                Shape shape = Shape.of(3, f);
                float[] x = Data.uniform(seed, 3 * f, -scale, scale);
                float[] y = Oracle.toFloat(Oracle.softmax(3, f, x));
                float[] dy = Data.uniform(seed + 3, 3 * f, -1, 1);
                try (Run r = new Run(e)) {
                    float[] dx = r.softmaxBackward(shape, y, dy);
                    double[] want = DifferentialCases.expected(e, () -> OracleBackward.softmax(3, f, Oracle.toDouble(x),
                            Oracle.toDouble(dy)), ref -> ref.softmaxBackward(shape, y, dy));
                    Check.close("dx" + against(e), dx, new int[] {3, f}, want, Tolerance.softmaxGradient(1));
                }
                return Outcome.pass();
            });
        }
    }

    private static void crossEntropies(CaseList c) {
        double[] ranges = {1, 10, 100, 1e4};
        int[] batches = {1, 3, 8};
        int[] sizes = DifferentialCases.SIZES;
        for (int i = 0; i < sizes.length; i++) {
            int f = sizes[i];
            int n = batches[i % batches.length];
            double range = ranges[i % ranges.length];
            long seed = 72_000 + i;
            float scale = 1f / n;
            c.training("backward/diff/softmax-cross-entropy/n" + n + "-f" + f + "-logits-within-" + range + "-scale-1-over-"
                    + n + "/seed=" + seed, e -> {
                Run.requireTraining(e, null);
                Shape shape = Shape.of(n, f);
                float[] z = Data.uniform(seed, n * f, -range, range);
                int[] labels = BackwardCases.labels(seed, n, f);
                try (Run r = new Run(e)) {
                    float[][] dx = new float[1][];
                    double loss = r.softmaxCrossEntropy(shape, z, labels, scale, dx);
                    double wantLoss;
                    double[] want;
                    if (Reference.isUnderTest(e)) {
                        wantLoss = OracleBackward.crossEntropy(n, f, Oracle.toDouble(z), labels);
                        want = OracleBackward.crossEntropyGradient(n, f, Oracle.toDouble(z), labels, scale);
                    } else {
                        try (Run ref = new Run(Reference.engine())) {
                            float[][] rdx = new float[1][];
                            wantLoss = ref.softmaxCrossEntropy(shape, z, labels, scale, rdx);
                            want = Check.toDouble(rdx[0]);
                        }
                    }
                    Check.close("dx" + against(e), dx[0], new int[] {n, f}, want, Tolerance.softmaxGradient(scale));
                    BackwardCases.checkLoss(loss, wantLoss, BackwardCases.lossTolerance(n, f, z));
                }
                return Outcome.pass();
            });
        }
    }

    private static void activations(CaseList c) {
        for (Activation a : BackwardCases.GRADIENT_FROM_OUTPUT) {
            long seed = 73_000 + a.ordinal();
            int[] xd = {2, 5, 33, 17};
            c.trainingLayouts("backward/diff/activation/" + a + "-2x5x33x17/seed=" + seed, (e, l) -> {
                Run.requireTraining(e, null);
                float[] x = Data.uniform(seed, Data.count(xd), -8, 8);
                float[] y = Oracle.toFloat(Oracle.activation(a, x));
                float[] dy = Data.uniform(seed + 3, x.length, -1, 1);
                try (Run r = new Run(e)) {
                    float[] dx = r.activationBackward(a, Shape.of(xd), l, y, dy);
                    double[] want = DifferentialCases.expected(e, () -> OracleBackward.activation(a, Oracle.toDouble(x),
                            Oracle.toDouble(dy)), ref -> ref.activationBackward(a, Shape.of(xd), l, y, dy));
                    Check.close("dx" + against(e), dx, xd, want, Tolerance.activationGradient(a, 1));
                }
                return Outcome.pass();
            });
        }
    }
}
