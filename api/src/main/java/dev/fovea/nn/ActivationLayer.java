package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * A standalone element-wise activation ({@code ReLU} in summaries for {@link Activation#RELU}).
 *
 * <pre>{@code ActivationLayer.relu() }</pre>
 */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    private ActivationLayer(String name, Activation activation) {
        super(name);
        this.activation = activation;
    }

    public static ActivationLayer of(Activation activation) {
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        return new ActivationLayer(null, activation);
    }

    public static ActivationLayer relu() {
        return of(Activation.RELU);
    }

    public ActivationLayer name(String name) {
        return new ActivationLayer(name, activation);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return activation == Activation.RELU ? "ReLU" : "Activation";
    }

    @Override
    String autoNamePrefix() {
        return activation == Activation.RELU ? "re_lu" : "activation";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        return new ActivationNode(nodeName, this, input);
    }

    /** A standalone activation; a rewrite rule fuses it into the layer before it where that layer allows. */
    final class ActivationNode extends StridedNode {
        ActivationNode(String nodeName, Layer layer, Shape input) {
            super(nodeName, layer, input, input);
        }

        Activation activation() {
            return activation;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            run.engine().activationForward(activation, x, y);
            return y;
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
            if (!needDx) {
                return null;
            }
            Tensor dx = run.allocate(input);
            if (activation.hasOutputGradient()) {
                run.engine().activationBackward(activation, y, dy, dx);
            } else {
                run.engine().activationInputBackward(activation, x, dy, dx);
            }
            return dx;
        }
    }
}
