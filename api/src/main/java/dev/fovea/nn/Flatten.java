package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * {@code [N, C, H, W]} → {@code [N, C·H·W]} in the model's storage order: an NHWC model flattens in
 * (h, w, c) order as Keras does, an NCHW model in (c, h, w) order as PyTorch does. Costs no copy.
 */
public final class Flatten extends Layer {
    private Flatten(String name) {
        super(name);
    }

    public static Flatten create() {
        return new Flatten(null);
    }

    public Flatten name(String name) {
        return new Flatten(name);
    }

    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    String autoNamePrefix() {
        return "flatten";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        v.check(input.rank() >= 2, "input", "input must have a batch and at least one more axis, got " + input);
        v.throwIfAny("input " + input);
        Shape out = Shape.of(input.n(), Math.toIntExact(input.perItem()));
        return new Node(nodeName, this, input, out) {
            @Override
            boolean isGlobal() {
                return true;
            }

            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor flat = x.flatten();
                if (dst == null) {
                    return flat;
                }
                run.engine().copy(flat, dst);
                return dst;
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor flat = dy;
                if (!dy.isContiguous()) {
                    flat = run.allocate(output);
                    run.engine().copy(dy, flat);
                }
                // The flattened features are the input's storage order, so the same memory is the input's gradient.
                return flat.reshape(x.shape(), x.layout());
            }
        };
    }
}
