package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryOp;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.Objects;

/**
 * The element-wise sum of two tensors (a residual connection), with broadcasting along size-1 axes and an
 * optional fused activation: {@code Add.create().activation(Activation.RELU).apply(shortcut, branch)}.
 */
public final class Add extends Layer {
    private final Activation activation;

    private Add(String name, Activation activation) {
        super(name);
        this.activation = activation;
    }

    public static Add create() {
        return new Add(null, Activation.NONE);
    }

    public Add activation(Activation a) {
        return new Add(name(), Objects.requireNonNull(a, "activation"));
    }

    public Add name(String name) {
        return new Add(name, activation);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return "Add";
    }

    @Override
    String autoNamePrefix() {
        return "add";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        return build(nodeName, List.of(input), layout, namer);
    }

    @Override
    Node build(String nodeName, List<Shape> inputs, Layout layout, Namer namer) {
        return BinaryNode.build(this, nodeName, BinaryOp.ADD, activation, inputs, layout);
    }
}
