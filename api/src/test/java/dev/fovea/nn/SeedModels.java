package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;

/**
 * The seed models, built here exactly as {@code models/ModelZoo.java} builds them (the api module cannot depend
 * on models).
 */
final class SeedModels {
    private SeedModels() {
    }

    /** Seed 001's Keras MNIST CNN: 93,322 parameters. */
    static Model mnistCnn(Layout layout) {
        return Sequential.builder(Input.image(28, 28, 1), layout).name("mnist-cnn").seed(0)
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

    /** Seed 003's Fashion-MNIST CNN: 243,786 parameters. */
    static Model fashionCnn(Layout layout) {
        return Sequential.builder(Input.image(28, 28, 1), layout).name("fashion-cnn").seed(0)
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
