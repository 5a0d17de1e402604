package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * One tensor of a layer's weights: its name within the layer ({@code kernel}, {@code bias}), logical shape,
 * initializer and fans, and whether an optimizer learns it ({@code false} for state a layer updates itself, such as
 * batch normalization's moving mean and variance).
 */
record Param(String name, Shape shape, Initializer initializer, int fanIn, int fanOut, boolean trainable) {
    Param(String name, Shape shape, Initializer initializer, int fanIn, int fanOut) {
        this(name, shape, initializer, fanIn, fanOut, true);
    }
}
