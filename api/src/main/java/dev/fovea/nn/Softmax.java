package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** Row-wise softmax over the features of a {@code [N, F]} input (after Flatten/Dense). */
public final class Softmax extends Layer {
    private Softmax(String name) {
        super(name);
    }

    public static Softmax create() {
        return new Softmax(null);
    }

    public Softmax name(String name) {
        return new Softmax(name);
    }

    @Override
    public String type() {
        return "Softmax";
    }

    @Override
    String autoNamePrefix() {
        return "softmax";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        v.check(input.rank() == 2, "input", "input must be 2-D [N, F] (add a Flatten layer), got " + input);
        v.throwIfAny("input " + input);
        return new Node(nodeName, this, input, input) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().softmaxForward(x, y);
                return y;
            }

            /** The identity: a fused softmax cross-entropy loss takes this layer's input as its logits. */
            @Override
            Node withoutSoftmax() {
                return new Node(name, layer, input, output) {
                    @Override
                    Tensor forward(Run run, Tensor x, Tensor dst) {
                        if (dst == null) {
                            return x;
                        }
                        run.engine().copy(x, dst);
                        return dst;
                    }

                    @Override
                    Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads,
                                    boolean needDx) {
                        return needDx ? dy : null;
                    }
                };
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor dx = run.allocate(output);
                run.engine().softmaxBackward(y, dy, dx);
                return dx;
            }
        };
    }
}
