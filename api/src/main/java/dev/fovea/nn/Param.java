package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * One learnable tensor of a layer: its name within the layer ({@code kernel}, {@code bias}), logical shape,
 * initializer and fans.
 */
record Param(String name, Shape shape, Initializer initializer, int fanIn, int fanOut) {
}
