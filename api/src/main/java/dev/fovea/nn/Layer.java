package dev.fovea.nn;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

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

    /** The subject of validation messages: {@code Conv2D 'conv2d_1'}. */
    static String subject(String type, String name) {
        return type + " '" + name + "'";
    }
}
