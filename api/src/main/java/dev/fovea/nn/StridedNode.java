package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.List;

/**
 * A node whose forward pass hands its inputs to backend ops, which address activations through their strides: it
 * reads strided views (a channel slice of a concatenation's buffer) as they are ({@link #readsStridedViews}).
 */
abstract class StridedNode extends Node {
    StridedNode(String name, Layer layer, Shape input, Shape output) {
        super(name, layer, input, output);
    }

    StridedNode(String name, Layer layer, List<Shape> inputs, Shape output) {
        super(name, layer, inputs, output);
    }

    @Override
    final boolean readsStridedViews() {
        return true;
    }
}
