package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Fully connected layer {@code y = act(x · W + b)}; weights {@code kernel [F, U]} (Keras order), {@code bias [U]}.
 * With {@link #softmax()} the output is the row-wise softmax of {@code x · W + b} (Keras' {@code activation='softmax'}).
 *
 * <pre>{@code
 * Dense.of(64).activation(Activation.RELU)
 * Dense.of(10).softmax()
 * }</pre>
 */
public final class Dense extends Layer {
    private final int units;
    private final boolean bias;
    private final Activation activation;
    private final Initializer kernelInitializer;
    private final boolean softmax;

    private Dense(String name, int units, boolean bias, Activation activation, Initializer init, boolean softmax) {
        super(name);
        this.units = units;
        this.bias = bias;
        this.activation = activation;
        this.kernelInitializer = init;
        this.softmax = softmax;
    }

    public static Dense of(int units) {
        return new Dense(null, units, true, Activation.NONE, Initializer.GLOROT_UNIFORM, false);
    }

    /** An element-wise activation after the bias (replaces {@link #softmax()}). */
    public Dense activation(Activation a) {
        return new Dense(name(), units, bias, a, kernelInitializer, false);
    }

    /** Softmax over the units after the bias: class probabilities. */
    public Dense softmax() {
        return new Dense(name(), units, bias, Activation.NONE, kernelInitializer, true);
    }

    public Dense useBias(boolean b) {
        return new Dense(name(), units, b, activation, kernelInitializer, softmax);
    }

    public Dense kernelInitializer(Initializer init) {
        return new Dense(name(), units, bias, activation, init, softmax);
    }

    public Dense name(String name) {
        return new Dense(name, units, bias, activation, kernelInitializer, softmax);
    }

    /** Whether the output is a softmax. */
    public boolean isSoftmax() {
        return softmax;
    }

    public int units() {
        return units;
    }

    public boolean useBias() {
        return bias;
    }

    /** The fused activation (NONE when {@link #isSoftmax()}). */
    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return "Dense";
    }

    @Override
    String autoNamePrefix() {
        return "dense";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        DenseDescriptor d = DenseDescriptor.create(subject(type(), nodeName), input, units, bias, activation);
        return new DenseNode(nodeName, this, d, kernelInitializer, softmax);
    }

    static final class DenseNode extends Node {
        final DenseDescriptor descriptor;
        final boolean softmax;
        private final Initializer init;
        private final Node owner;

        DenseNode(String name, Layer layer, DenseDescriptor d, Initializer init, boolean softmax) {
            this(name, layer, d, init, softmax, null);
        }

        private DenseNode(String name, Layer layer, DenseDescriptor d, Initializer init, boolean softmax, Node owner) {
            super(name, layer, d.input(), d.output());
            this.descriptor = d;
            this.init = init;
            this.softmax = softmax;
            this.owner = owner == null ? this : owner;
        }

        @Override
        Node weightsOwner() {
            return owner;
        }

        /** The layer computing the logits ({@code x · W + b}), with this layer's weights. */
        @Override
        Node withoutSoftmax() {
            return softmax ? new DenseNode(name, layer, descriptor, init, false, owner) : null;
        }

        @Override
        List<Param> params() {
            if (owner != this) {
                return List.of();
            }
            List<Param> ps = new ArrayList<>();
            ps.add(new Param("kernel", descriptor.weightShape(), init, descriptor.input().c(), descriptor.units()));
            if (descriptor.bias()) {
                ps.add(new Param("bias", Shape.of(descriptor.units()), Initializer.ZEROS, 1, 1));
            }
            return ps;
        }

        @Override
        boolean isGlobal() {
            return true;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            Tensor logits = softmax ? run.allocate(output) : y;
            List<Tensor> w = run.weights(this);
            run.plan(this, () -> run.engine().planDense(descriptor.withBatch(run.batch()), w.get(0),
                    descriptor.bias() ? w.get(1) : null)).execute(x, logits);
            if (softmax) {
                run.engine().softmaxForward(logits, y);
            }
            return y;
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
            DenseDescriptor d = descriptor.withBatch(run.batch());
            Tensor dz = dy;
            if (softmax) {
                dz = run.allocate(output);
                run.engine().softmaxBackward(y, dy, dz);
            } else if (d.activation() != Activation.NONE) {
                dz = run.allocate(output);
                run.engine().activationBackward(d.activation(), y, dy, dz);
            }
            Tensor dx = needDx ? run.allocate(input) : null;
            run.engine().denseBackward(d, run.weights(this).get(0), x, dz, dx, grads.get(0),
                    d.bias() ? grads.get(1) : null);
            return dx;
        }
    }
}
