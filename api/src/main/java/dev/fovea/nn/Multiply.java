package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryOp;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.Objects;

/**
 * The element-wise product of two tensors, with broadcasting along size-1 axes (squeeze-and-excitation scales
 * each channel by a {@code [N, C, 1, 1]} gate) and an optional fused activation:
 * {@code Multiply.create().apply(features, gate)}.
 */
public final class Multiply extends Layer {
    private final Activation activation;

    private Multiply(String name, Activation activation) {
        super(name);
        this.activation = activation;
    }

    public static Multiply create() {
        return new Multiply(null, Activation.NONE);
    }

    public Multiply activation(Activation a) {
        return new Multiply(name(), Objects.requireNonNull(a, "activation"));
    }

    public Multiply name(String name) {
        return new Multiply(name, activation);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return "Multiply";
    }

    @Override
    String autoNamePrefix() {
        return "multiply";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        return build(nodeName, List.of(input), layout, namer);
    }

    @Override
    Node build(String nodeName, List<Shape> inputs, Layout layout, Namer namer) {
        return BinaryNode.build(this, nodeName, BinaryOp.MUL, activation, inputs, layout);
    }
}
