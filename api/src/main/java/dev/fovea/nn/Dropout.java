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
                if (dst == null) {
                    return x;
                }
                run.engine().copy(x, dst);
                return dst;
            }
        };
    }
}
