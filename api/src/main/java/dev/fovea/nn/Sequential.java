package dev.fovea.nn;

import dev.fovea.tensor.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link Model} from layers applied in order; branching parts are {@link Concat} layers
 * (e.g. {@link Inception} modules).
 *
 * <pre>{@code
 * Model model = Sequential.builder(Input.image(28, 28, 1), Layout.NHWC)
 *         .add(Conv2D.of(32, 3).activation(Activation.RELU))
 *         .add(Pooling2D.max(2))
 *         .add(Flatten.create())
 *         .add(Dense.of(10))
 *         .add(Softmax.create())
 *         .build();
 * }</pre>
 */
public final class Sequential {
    private final Input input;
    private final Layout layout;
    private final List<Layer> layers = new ArrayList<>();
    private String name = "sequential";
    private long seed;

    private Sequential(Input input, Layout layout) {
        this.input = input;
        this.layout = layout;
    }

    /** A model taking {@code input} items stored in {@code layout} (NHWC for Keras-style models). */
    public static Sequential builder(Input input, Layout layout) {
        return new Sequential(Objects.requireNonNull(input, "input"), Objects.requireNonNull(layout, "layout"));
    }

    public Sequential add(Layer layer) {
        layers.add(Objects.requireNonNull(layer, "layer"));
        return this;
    }

    public Sequential name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Seed of the weight initialization (default 0): the same seed gives the same weights. */
    public Sequential seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Infers every shape, validates every layer (a {@code ValidationException} names the first broken layer
     * with all its problems), allocates and initializes the weights.
     */
    public Model build() {
        Graph g = Graph.builder(name, layout);
        Value v = g.input("input", input);
        for (Layer layer : layers) {
            v = layer.apply(v);
        }
        if (layers.isEmpty()) {
            throw new dev.fovea.op.ValidationException("model '" + name + "'", java.util.List.of(
                    new dev.fovea.op.ValidationException.Violation("layers", "has no layers")), "");
        }
        return g.outputs(v).seed(seed).build();
    }
}
