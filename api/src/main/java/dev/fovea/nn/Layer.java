package dev.fovea.nn;

import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.Objects;

/**
 * A layer specification: immutable, no weights, no shapes until a model is built. Layers are configured with
 * "with" methods that return a new layer, e.g. {@code Conv2D.of(32, 3).activation(Activation.RELU)}.
 * Building a model turns each layer into a node with inferred shapes and validated parameters.
 */
public abstract class Layer {
    private final String name;

    Layer(String name) {
        this.name = name;
    }

    /** The name given by the user, or null for an automatic Keras-style name ({@code conv2d_1}). */
    public String name() {
        return name;
    }

    /** The type shown in summaries, as Keras names it ({@code Conv2D}, {@code MaxPooling2D}, ...). */
    public abstract String type();

    /** Prefix of automatic names ({@code conv2d}, {@code max_pooling2d}, ...). */
    abstract String autoNamePrefix();

    /** Infers shapes, validates every parameter and returns the built node; throws {@code ValidationException}. */
    abstract Node build(String nodeName, Shape input, Layout layout, Namer namer);

    /**
     * Builds the node of a layer applied to {@code inputs} in a graph. One-input layers get
     * {@link #build(String, Shape, Layout, Namer)}; layers that merge tensors override this.
     */
    Node build(String nodeName, List<Shape> inputs, Layout layout, Namer namer) {
        if (inputs.size() != 1) {
            throw new ValidationException(subject(type(), nodeName), List.of(new ValidationException.Violation(
                    "inputs", type() + " takes one input, got " + inputs.size() + ": " + inputs)), "");
        }
        return build(nodeName, inputs.getFirst(), layout, namer);
    }

    /**
     * Applies this layer to tensors of a graph under construction (Keras' functional style):
     * {@code Value y = Conv2D.of(64, 3).apply(x)}. Shapes are inferred and checked now; a problem throws a
     * {@code ValidationException} naming this layer.
     */
    public Value apply(Value... inputs) {
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.length == 0) {
            throw new IllegalArgumentException(type() + ": apply needs at least one input tensor");
        }
        return inputs[0].graph().apply(this, inputs);
    }

    /** The subject of validation messages: {@code Conv2D 'conv2d_1'}. */
    static String subject(String type, String name) {
        return type + " '" + name + "'";
    }
}
