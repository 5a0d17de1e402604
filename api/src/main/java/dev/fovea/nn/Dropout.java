package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** Drops inputs with probability {@code rate} while training; the identity at inference (no copy). */
public final class Dropout extends Layer {
    private final double rate;

    private Dropout(String name, double rate) {
        super(name);
        this.rate = rate;
    }

    public static Dropout of(double rate) {
        return new Dropout(null, rate);
    }

    public Dropout name(String name) {
        return new Dropout(name, rate);
    }

    public double rate() {
        return rate;
    }

    /** {@code y = x ⊙ mask} (mask in {@code x}'s storage order) through host copies: no backend op needed. */
    private static void multiply(Run run, Tensor x, float[] mask, Tensor y) {
        try (dev.fovea.tensor.TensorScope s = new dev.fovea.tensor.TensorScope()) {
            Tensor hx = s.allocate(x.shape(), x.layout());
            run.engine().copy(x, hx);
            float[] v = hx.toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= mask[i];
            }
            hx.copyFrom(v);
            run.engine().copy(hx, y);
        }
    }

    @Override
    public String type() {
        return "Dropout";
    }

    @Override
    String autoNamePrefix() {
        return "dropout";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        v.check(rate >= 0 && rate < 1, "rate", "rate " + rate + " must be in [0, 1)");
        v.throwIfAny("input " + input);
        return new Node(nodeName, this, input, input) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                if (run.isTraining() && rate > 0) {
                    return forwardTraining(run, x, dst);
                }
                if (dst == null) {
                    return x;
                }
                run.engine().copy(x, dst);
                return dst;
            }

            /** Inverted dropout: keeps each input with probability 1 − rate, scaled by 1 / (1 − rate). */
            private Tensor forwardTraining(Run run, Tensor x, Tensor dst) {
                float[] mask = new float[Math.toIntExact(x.shape().elementCount())];
                float keep = (float) (1 / (1 - rate));
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = run.random().nextDouble() < rate ? 0 : keep;
                }
                run.save(this, mask);
                Tensor y = dst != null ? dst : run.allocate(output);
                multiply(run, x, mask, y);
                return y;
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                float[] mask = (float[]) run.saved(this);
                if (mask == null) {
                    return dy;
                }
                Tensor dx = run.allocate(input);
                multiply(run, dy, mask, dx);
                return dx;
            }
        };
    }
}
