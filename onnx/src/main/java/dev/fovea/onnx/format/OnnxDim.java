package dev.fovea.onnx.format;

/**
 * One dimension of a graph input's or output's shape ({@code TensorShapeProto.Dimension}): a number, or a
 * symbolic name such as {@code "batch"} (empty when the file gives neither, an anonymous unknown size).
 */
public sealed interface OnnxDim {
    /** A dimension of known size. */
    record Fixed(long size) implements OnnxDim {
        public Fixed {
            if (size < 0) {
                throw new IllegalArgumentException("dimension size " + size + " is negative");
            }
        }

        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    /** A dimension whose size is named, not given ({@code dim_param}); an empty name is an unnamed unknown. */
    record Symbolic(String name) implements OnnxDim {
        public Symbolic {
            java.util.Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return name.isEmpty() ? "?" : name;
        }
    }

    /** A dimension of size {@code size}. */
    static OnnxDim of(long size) {
        return new Fixed(size);
    }

    /** A symbolic dimension called {@code name}. */
    static OnnxDim of(String name) {
        return new Symbolic(name);
    }
}
