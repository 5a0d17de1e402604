package dev.fovea.conformance;

import java.util.function.Function;

/**
 * Central finite differences in double, the backward cases' independent expectation. The loss is
 * {@code L = Σ_o f(v)_o · r_o} for a fixed {@code r}, which is exactly what a backward op receives as {@code dy}.
 * Each element of {@code v} moves by ±step and the two outputs are differenced element by element (outputs the
 * element does not reach cancel to exactly 0), over the step actually taken in double.
 *
 * <p>Exactness: for ops that are linear in {@code v} (convolution, dense, average pooling, max pooling away from
 * ties, ReLU away from 0) the difference quotient equals the derivative up to double rounding (about 1e-16
 * relative), so any step works and the cases use dyadic steps. For smooth ops (sigmoid, tanh, softmax,
 * cross-entropy) a step of 1e-4 leaves a truncation error of about step²·|f'''|/6 ≈ 1e-9.
 */
final class FiniteDifference {
    private FiniteDifference() {
    }

    /** {@code ∂L/∂v}; {@code v} is perturbed in place and restored. */
    static double[] gradient(double[] v, double step, double[] r, Function<double[], double[]> f) {
        double[] g = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double orig = v[i];
            v[i] = orig + step;
            double plus = v[i];
            double[] yp = f.apply(v);
            v[i] = orig - step;
            double minus = v[i];
            double[] ym = f.apply(v);
            v[i] = orig;
            double sum = 0;
            for (int o = 0; o < yp.length; o++) {
                double d = yp[o] - ym[o];
                if (d != 0) {
                    sum += d * r[o];
                }
            }
            g[i] = sum / (plus - minus);
        }
        return g;
    }
}
