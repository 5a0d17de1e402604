package dev.fovea.models;

import dev.fovea.nn.Model;
import dev.fovea.op.Activation;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Layout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Named networks, each built fresh with seeded weights: {@code ModelZoo.build("mnist-cnn", 0)}.
 * The seed models are NHWC, like the Keras notebooks they come from.
 */
public final class ModelZoo {
    private static final Map<String, LongFunction<Model>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("mnist-cnn", ModelZoo::mnistCnn);
        MODELS.put("fashion-cnn", ModelZoo::fashionCnn);
    }

    private ModelZoo() {
    }

    /** The zoo's model names, in a stable order. */
    public static Set<String> names() {
        return MODELS.keySet();
    }

    /** Builds the named model with weights initialized from {@code seed}. */
    public static Model build(String name, long seed) {
        LongFunction<Model> f = MODELS.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: "
                    + String.join(", ", MODELS.keySet()));
        }
        return f.apply(seed);
    }

    /** Seed 001's Keras MNIST CNN (93,322 parameters). */
    public static Model mnistCnn(long seed) {
        return Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("mnist-cnn").seed(seed)
                .add(Conv2D.of(32, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Flatten.create())
                .add(Dense.of(64).activation(Activation.RELU))
                .add(Dense.of(10).softmax())
                .build();
    }

    /** Seed 003's Fashion-MNIST CNN (243,786 parameters). */
    public static Model fashionCnn(long seed) {
        return Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("fashion-cnn").seed(seed)
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(128).activation(Activation.RELU))
                .add(Dense.of(10).softmax())
                .build();
    }
}
