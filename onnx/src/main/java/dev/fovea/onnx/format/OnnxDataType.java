package dev.fovea.onnx.format;

/**
 * ONNX's {@code TensorProto.DataType}: the element types, with their codes in the file and their size in
 * {@code raw_data}. Fovea reads the float types ({@link #FLOAT}, {@link #FLOAT16}, {@link #BFLOAT16},
 * {@link #DOUBLE}, all converted to {@code float}) and the integer types up to 64 bits (as {@code long});
 * {@link #isSupported()} tells which.
 */
public enum OnnxDataType {
    UNDEFINED(0, 0),
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    COMPLEX64(14, 8),
    COMPLEX128(15, 16),
    BFLOAT16(16, 2);

    private final int code;
    private final int byteSize;

    OnnxDataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The code in the file ({@code TensorProto.data_type}, {@code TypeProto.Tensor.elem_type}). */
    public int code() {
        return code;
    }

    /** Bytes per element in {@code raw_data} and external data (0 for {@link #STRING} and {@link #UNDEFINED}). */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link OnnxTensor} holds this type's values as {@code float[]}. */
    public boolean isFloat() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    /** Whether {@link OnnxTensor} holds this type's values as {@code long[]}. */
    public boolean isInteger() {
        return switch (this) {
            case INT64, INT32, INT16, INT8, UINT32, UINT16, UINT8, BOOL -> true;
            default -> false;
        };
    }

    /** Whether {@link OnnxTensor} can hold values of this type (UINT64, strings and complex numbers it cannot). */
    public boolean isSupported() {
        return isFloat() || isInteger();
    }

    /** Smallest value an integer type holds (as a {@code long}). */
    long minValue() {
        return switch (this) {
            case INT64 -> Long.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT8 -> Byte.MIN_VALUE;
            default -> 0;
        };
    }

    /** Largest value an integer type holds (as a {@code long}). */
    long maxValue() {
        return switch (this) {
            case INT64 -> Long.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT8 -> Byte.MAX_VALUE;
            case UINT32 -> 0xFFFF_FFFFL;
            case UINT16 -> 0xFFFF;
            case UINT8 -> 0xFF;
            case BOOL -> 1;
            default -> throw new IllegalStateException(this + " is not an integer type");
        };
    }

    /** The type with file code {@code code}, or null when ONNX has none by that code known here. */
    public static OnnxDataType ofCode(int code) {
        for (OnnxDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
