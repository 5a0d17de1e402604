package dev.fovea.onnx.format;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node attribute's value ({@code AttributeProto}), one record per supported type. Graph-valued attributes
 * (the bodies of {@code If}, {@code Loop}, {@code Scan}), sparse tensors, type protos and lists of tensors or
 * graphs are refused when the file is read.
 */
public sealed interface OnnxAttribute {
    /** A {@code FLOAT} attribute ({@code f}). */
    record FloatValue(float value) implements OnnxAttribute {
    }

    /** An {@code INT} attribute ({@code i}). */
    record IntValue(long value) implements OnnxAttribute {
    }

    /** A {@code STRING} attribute ({@code s}), decoded as UTF-8. */
    record StringValue(String value) implements OnnxAttribute {
        public StringValue {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A {@code TENSOR} attribute ({@code t}), e.g. the value of a {@code Constant} node. */
    record TensorValue(OnnxTensor value) implements OnnxAttribute {
        public TensorValue {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A {@code FLOATS} attribute ({@code floats}); the array is copied both ways. */
    record FloatsValue(float[] values) implements OnnxAttribute {
        public FloatsValue {
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FloatsValue f && Arrays.equals(values, f.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    /** An {@code INTS} attribute ({@code ints}); the array is copied both ways. */
    record IntsValue(long[] values) implements OnnxAttribute {
        public IntsValue {
            values = values.clone();
        }

        @Override
        public long[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IntsValue v && Arrays.equals(values, v.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    /** A {@code STRINGS} attribute ({@code strings}), each decoded as UTF-8. */
    record StringsValue(List<String> values) implements OnnxAttribute {
        public StringsValue {
            values = List.copyOf(values);
        }
    }

    /** The attribute type's name in ONNX ({@code FLOAT}, {@code INTS}, ...), for messages. */
    default String typeName() {
        return switch (this) {
            case FloatValue f -> "FLOAT";
            case IntValue i -> "INT";
            case StringValue s -> "STRING";
            case TensorValue t -> "TENSOR";
            case FloatsValue f -> "FLOATS";
            case IntsValue i -> "INTS";
            case StringsValue s -> "STRINGS";
        };
    }
}
