package dev.fovea.train;

import dev.fovea.engine.Engine;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;

/**
 * A loss over a batch: its mean over the batch, and the gradient with respect to the model's output.
 *
 * <ul>
 *   <li>{@link #softmaxCrossEntropy()}: integer labels; fused with a model's final softmax (the model's output
 *       is taken before its softmax, and the gradient is {@code (softmax − onehot) / N}). A model without a final
 *       softmax has its output taken as logits (Keras' {@code from_logits=True}).</li>
 *   <li>{@link #meanSquaredError()}: {@code mean((y − t)²)} over all elements, with float targets {@code [N, F]}
 *       or, given labels, one-hot targets; on the model's actual output (after any softmax).</li>
 * </ul>
 */
public interface Loss {
    /** Whether the model's output should stop before a final softmax. */
    boolean wantsLogits();

    /**
     * The mean loss of {@code output} ({@code [N, F]}, engine memory) against the batch's targets; writes
     * {@code dL/d output} into {@code dOutput} unless it is null.
     */
    double compute(Engine engine, Tensor output, Targets targets, Tensor dOutput);

    /** Labels ({@code int[N]}) or float targets ({@code [N·F]}, row-major); one of them non-null. */
    record Targets(int[] labels, float[] values) {
    }

    static Loss softmaxCrossEntropy() {
        return new Loss() {
            @Override
            public boolean wantsLogits() {
                return true;
            }

            @Override
            public double compute(Engine engine, Tensor output, Targets targets, Tensor dOutput) {
                Violations v = new Violations("softmax cross-entropy");
                v.check(targets.labels() != null, "labels", "softmax cross-entropy needs integer labels");
                v.check(output.shape().rank() == 2, "output", "model output must be [N, classes], got "
                        + output.shape());
                v.throwIfAny("");
                int n = output.shape().n();
                return engine.softmaxCrossEntropy(output, targets.labels(), 1f / n, dOutput) / n;
            }

            @Override
            public String toString() {
                return "softmax cross-entropy";
            }
        };
    }

    static Loss meanSquaredError() {
        return new Loss() {
            @Override
            public boolean wantsLogits() {
                return false;
            }

            @Override
            public double compute(Engine engine, Tensor output, Targets targets, Tensor dOutput) {
                int n = output.shape().n();
                int f = Math.toIntExact(output.shape().perItem());
                try (TensorScope s = new TensorScope()) {
                    Tensor host = s.allocate(output.shape(), output.layout());
                    engine.copy(output, host);
                    float[] y = host.toArray();
                    float[] t = targets.values();
                    if (t == null) {
                        t = new float[n * f];
                        for (int i = 0; i < n; i++) {
                            int label = targets.labels()[i];
                            if (label < 0 || label >= f) {
                                throw new IllegalArgumentException("mean squared error: label " + label + " of row "
                                        + i + " is outside [0, " + f + ")");
                            }
                            t[i * f + label] = 1;
                        }
                    }
                    if (t.length != y.length) {
                        throw new IllegalArgumentException("mean squared error: " + t.length + " targets for an output"
                                + " of " + y.length + " values " + output.shape());
                    }
                    double sum = 0;
                    float[] d = new float[y.length];
                    for (int i = 0; i < y.length; i++) {
                        double e = (double) y[i] - t[i];
                        sum += e * e;
                        d[i] = (float) (2 * e / y.length);
                    }
                    if (dOutput != null) {
                        Tensor hd = s.allocate(output.shape(), output.layout());
                        hd.copyFrom(d);
                        engine.copy(hd, dOutput);
                    }
                    return sum / y.length;
                }
            }

            @Override
            public String toString() {
                return "mean squared error";
            }
        };
    }
}
