package dev.fovea.conformance;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;

/**
 * The suite's own gradients, in double over plain logical-order arrays: each backward op written as the chain
 * rule over the very windows {@link Oracle}'s forward walks ({@link Oracle#convTaps}, {@link Oracle#poolWindows}),
 * independently of the reference backend. The finite-difference cases check these against central differences of
 * the forward (the suite's self-test), and the backward differential cases use them when the reference backend is
 * itself under test.
 */
final class OracleBackward {
    private OracleBackward() {
    }

    /** {@code dx [n, c, h, w]}: every tap sends {@code dy[out] · w[tap]} back to the input cell it read. */
    static double[] convData(int[] xd, ConvolutionParams p, double[] w, double[] dy) {
        double[] dx = new double[Data.count(xd)];
        Oracle.convTaps(xd, p, (o, i, k) -> dx[i] += dy[o] * w[k]);
        return dx;
    }

    /** {@code dw [K, C/g, kH, kW]}: a weight shared by every position receives the sum over positions and batch. */
    static double[] convFilter(int[] xd, double[] x, ConvolutionParams p, double[] dy) {
        double[] dw = new double[p.filters() * (xd[1] / p.groups()) * p.kernelH() * p.kernelW()];
        Oracle.convTaps(xd, p, (o, i, k) -> dw[k] += dy[o] * x[i]);
        return dw;
    }

    /** {@code db [K]}: {@code dy [n, k, p, q]} summed over n, p, q. */
    static double[] convBias(int[] yd, double[] dy) {
        double[] db = new double[yd[1]];
        int plane = yd[2] * yd[3];
        for (int o = 0; o < dy.length; o++) {
            db[o / plane % yd[1]] += dy[o];
        }
        return db;
    }

    /**
     * {@code dx} of a pooling. MAX: the window's {@code dy} goes to its first maximal cell in window order (padding
     * never wins: it is −∞). AVERAGE: every cell inside the input gets {@code dy / divisor}, the forward's divisor.
     */
    static double[] pool(int[] xd, double[] x, PoolingParams p, double[] dy) {
        double[] dx = new double[x.length];
        boolean max = p.mode() == PoolingMode.MAX;
        Oracle.poolWindows(xd, p, (o, cells, inside, padded) -> {
            if (max) {
                int arg = -1;
                for (int i = 0; i < inside; i++) {
                    if (arg < 0 || x[cells[i]] > x[arg]) {
                        arg = cells[i];
                    }
                }
                if (arg >= 0) {
                    dx[arg] += dy[o];
                }
            } else {
                double share = dy[o] / (p.countIncludePad() ? padded : inside);
                for (int i = 0; i < inside; i++) {
                    dx[cells[i]] += share;
                }
            }
        });
        return dx;
    }

    /** {@code dx = dy · act'(x)}, the derivative taken at the forward's input (ReLU's at 0 taken as 0). */
    static double[] activation(Activation a, double[] x, double[] dy) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double d = switch (a) {
                case NONE -> 1;
                case RELU -> x[i] > 0 ? 1 : 0;
                case SIGMOID -> {
                    double s = 1 / (1 + Math.exp(-x[i]));
                    yield s * (1 - s);
                }
                case TANH -> {
                    double c = Math.cosh(x[i]);
                    yield 1 / (c * c);
                }
                default -> throw new UnsupportedOperationException("no backward oracle for " + a);
            };
            dx[i] = dy[i] * d;
        }
        return dx;
    }

    /** Dense {@code y [n, u] = x [n, f] · w [f, u] + b}: {@code {dx [n, f], dw [f, u], db [u]}}. */
    static double[][] dense(int n, int f, double[] x, int u, double[] w, double[] dy) {
        double[] dx = new double[n * f];
        double[] dw = new double[f * u];
        double[] db = new double[u];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < u; j++) {
                double d = dy[i * u + j];
                db[j] += d;
                for (int e = 0; e < f; e++) {
                    dx[i * f + e] += d * w[e * u + j];
                    dw[e * u + j] += d * x[i * f + e];
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    /** Row-wise softmax of {@code x [n, f]}: {@code dx_j = Σ_i dy_i · ∂y_i/∂x_j = y_j (dy_j − Σ_i dy_i y_i)}. */
    static double[] softmax(int n, int f, double[] x, double[] dy) {
        double[] y = Oracle.softmaxD(n, f, x);
        double[] dx = new double[n * f];
        for (int r = 0; r < n; r++) {
            double dot = 0;
            for (int j = 0; j < f; j++) {
                dot += dy[r * f + j] * y[r * f + j];
            }
            for (int j = 0; j < f; j++) {
                dx[r * f + j] = y[r * f + j] * (dy[r * f + j] - dot);
            }
        }
        return dx;
    }

    /** Summed softmax cross-entropy of {@code z [n, f]}: Σ_rows (log Σ_j exp z_j − z_label), row max first. */
    static double crossEntropy(int n, int f, double[] z, int[] labels) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f; j++) {
                m = Math.max(m, z[r * f + j]);
            }
            double sum = 0;
            for (int j = 0; j < f; j++) {
                sum += Math.exp(z[r * f + j] - m);
            }
            total += m + Math.log(sum) - z[r * f + labels[r]];
        }
        return total;
    }

    /** Its gradient times {@code scale}: {@code scale · (softmax(z) − onehot(label))}. */
    static double[] crossEntropyGradient(int n, int f, double[] z, int[] labels, double scale) {
        double[] p = Oracle.softmaxD(n, f, z);
        for (int r = 0; r < n; r++) {
            p[r * f + labels[r]] -= 1;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] *= scale;
        }
        return p;
    }
}
