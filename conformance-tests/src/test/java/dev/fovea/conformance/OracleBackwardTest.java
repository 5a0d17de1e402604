package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.op.Activation;
import dev.fovea.op.PoolingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The suite's analytic gradients ({@link OracleBackward}, the expectation of the backward differential cases when
 * the reference backend is under test) against finite differences of the suite's forward oracle, in double: both
 * are the suite's own, so they must agree to about 1e-9.
 */
class OracleBackwardTest {
    private static void close(String what, double[] analytic, double[] numeric) {
        assertEquals(numeric.length, analytic.length, what + ": sizes");
        for (int i = 0; i < analytic.length; i++) {
            if (!(Math.abs(analytic[i] - numeric[i]) <= 1e-9 + 1e-7 * Math.abs(numeric[i]))) {
                fail(what + ": element " + i + " analytic " + analytic[i] + " vs finite difference " + numeric[i]);
            }
        }
    }

    private static double[] d(float[] v) {
        return Oracle.toDouble(v);
    }

    @Test
    void convolutionGradientsMatchFiniteDifferences() {
        List<DifferentialCases.ConvSweep> configs = new ArrayList<>(BackwardCases.convConfigs());
        // And the sweep's small configurations (its large ones would take too long by finite differences).
        for (DifferentialCases.ConvSweep k : DifferentialCases.convSweep()) {
            if (Data.count(k.xd()) * (long) Data.count(Oracle.convOutput(k.xd(), k.p())) <= 40_000) {
                configs.add(k);
            }
        }
        assertTrue(configs.size() > 30, "configurations: " + configs.size());
        for (DifferentialCases.ConvSweep k : configs) {
            BackwardCases.ConvData data = BackwardCases.ConvData.of(k);
            close(k.params() + " dx", OracleBackward.convData(k.xd(), k.p(), d(data.w()), d(data.dy())),
                    BackwardCases.convFiniteDifference(k, data, BackwardCases.Grad.DATA));
            close(k.params() + " dw", OracleBackward.convFilter(k.xd(), d(data.x()), k.p(), d(data.dy())),
                    BackwardCases.convFiniteDifference(k, data, BackwardCases.Grad.FILTER));
            if (k.p().bias()) {
                close(k.params() + " db", OracleBackward.convBias(data.yd(), d(data.dy())),
                        BackwardCases.convFiniteDifference(k, data, BackwardCases.Grad.BIAS));
            }
        }
    }

    @Test
    void poolingGradientsMatchFiniteDifferences() {
        for (DifferentialCases.PoolSweep k : BackwardCases.poolConfigs()) {
            float[] x = BackwardCases.poolInput(k);
            float[] dy = BackwardCases.poolDy(k);
            close(k.params(), OracleBackward.pool(k.xd(), d(x), k.p(), d(dy)),
                    BackwardCases.poolFiniteDifference(k, x, dy));
        }
        // The average sweep too (any data: average pooling is linear).
        for (DifferentialCases.PoolSweep k : DifferentialCases.poolSweep()) {
            if (k.p().mode() == PoolingMode.AVERAGE && Data.count(k.xd()) <= 400) {
                float[] x = BackwardCases.poolInput(k);
                float[] dy = BackwardCases.poolDy(k);
                close(k.params(), OracleBackward.pool(k.xd(), d(x), k.p(), d(dy)),
                        BackwardCases.poolFiniteDifference(k, x, dy));
            }
        }
    }

    @Test
    void activationDenseSoftmaxAndCrossEntropyMatchFiniteDifferences() {
        for (Activation a : BackwardCases.GRADIENT_FROM_OUTPUT) {
            float[] x = BackwardCases.activationInput(a.ordinal(), 50);
            double[] dy = d(Data.uniform(9, 50, -1, 1));
            double[] numeric = FiniteDifference.gradient(d(x), 1e-5, dy, v -> {
                double[] y = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    y[i] = a.apply(v[i]);
                }
                return y;
            });
            close(a.toString(), OracleBackward.activation(a, d(x), dy), numeric);
        }
        for (int[] c : BackwardCases.DENSE) {
            int n = c[0], f = c[1], u = c[2];
            float[] x = Data.uniform(1, n * f, -1, 1);
            float[] w = Data.uniform(2, f * u, -1, 1);
            float[] b = Data.uniform(3, u, -1, 1);
            float[] dy = Data.uniform(4, n * u, -1, 1);
            double[][] fd = BackwardCases.denseFiniteDifference(n, f, u, x, w, b, dy);
            double[][] g = OracleBackward.dense(n, f, d(x), u, d(w), d(dy));
            close("dense dx", g[0], fd[0]);
            close("dense dw", g[1], fd[1]);
            close("dense db", g[2], fd[2]);
        }
        float[] z = Data.uniform(5, 24, -5, 5);
        double[] r = d(Data.uniform(6, 24, -1, 1));
        close("softmax", OracleBackward.softmax(4, 6, d(z), r),
                FiniteDifference.gradient(d(z), 1e-5, r, v -> Oracle.softmaxD(4, 6, v)));
        int[] labels = {5, 0, 2, 2};
        close("cross-entropy", OracleBackward.crossEntropyGradient(4, 6, d(z), labels, 0.25),
                FiniteDifference.gradient(d(z), 1e-5, new double[] {0.25},
                        v -> new double[] {OracleBackward.crossEntropy(4, 6, v, labels)}));
    }
}
