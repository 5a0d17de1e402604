package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.List;

/**
 * One layer of a built model's graph ({@link Model#graph()}): its name, its configuration, the names of the
 * tensors it reads and the shapes (batch 1) it reads and writes.
 */
public record GraphLayer(String name, Layer layer, List<String> inputs, List<Shape> inputShapes, Shape output) {
    public GraphLayer {
        inputs = List.copyOf(inputs);
        inputShapes = List.copyOf(inputShapes);
    }
}
