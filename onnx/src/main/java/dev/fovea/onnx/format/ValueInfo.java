package dev.fovea.onnx.format;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A graph input or output ({@code ValueInfoProto} with a tensor type): its name, element type and shape.
 *
 * @param name     the value's name
 * @param elemType the element type ({@link OnnxDataType#UNDEFINED} when the file gives none)
 * @param dims     the shape, or null when the file gives none (unknown rank)
 */
public record ValueInfo(String name, OnnxDataType elemType, List<OnnxDim> dims) {
    public ValueInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(elemType, "elemType");
        dims = dims == null ? null : List.copyOf(dims);
    }

    /** A value of a fixed shape. */
    public static ValueInfo of(String name, OnnxDataType elemType, long... dims) {
        return new ValueInfo(name, elemType, Arrays.stream(dims).mapToObj(OnnxDim::of).toList());
    }

    /** Whether the file gives the shape (even with symbolic dimensions). */
    public boolean hasShape() {
        return dims != null;
    }

    @Override
    public String toString() {
        return name + " " + elemType + " " + (dims == null ? "[unknown shape]" : dims.toString());
    }
}
