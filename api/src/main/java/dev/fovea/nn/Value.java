package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * A tensor of a graph under construction: a model input or the output of a layer applied with
 * {@link Layer#apply}. It carries the shape inferred so far (batch 1); the data flows only when the built model
 * runs.
 *
 * <pre>{@code
 * Graph g = Graph.builder("block", Layout.NHWC);
 * Value x = g.input("image", Input.image(32, 32, 16));
 * Value y = Conv2D.of(16, 3).padding(Padding.SAME).activation(Activation.RELU).apply(x);
 * Value z = Add.create().activation(Activation.RELU).apply(x, y);   // a residual connection
 * Model model = g.outputs(z).build();
 * }</pre>
 */
public final class Value {
    private final Graph graph;
    private final int index;
    private final String producer;
    private final Shape shape;

    Value(Graph graph, int index, String producer, Shape shape) {
        this.graph = graph;
        this.index = index;
        this.producer = producer;
        this.shape = shape;
    }

    /** The logical shape for a batch of 1: {@code [1, C, H, W]} for images. */
    public Shape shape() {
        return shape;
    }

    /** The name of the layer (or model input) that produces this tensor. */
    public String name() {
        return producer;
    }

    Graph graph() {
        return graph;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return "Value[" + producer + " " + shape + "]";
    }
}
