package dev.fovea.onnx.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor ({@code TensorProto}): an initializer, or the value of a {@code TENSOR} attribute.
 *
 * <p>The values are in row-major order and held by type: {@code floats} for the float types (FLOAT, and
 * FLOAT16, BFLOAT16 and DOUBLE converted to float), {@code longs} for the integer types (INT64, INT32, INT16,
 * INT8, UINT32, UINT16, UINT8, BOOL as 0/1); the other array is null. {@link #dataType()} keeps the type of the
 * file, which the writer encodes the values back into.
 *
 * <p>The value arrays are not copied (weights can be hundreds of megabytes): a tensor is only as immutable as
 * its caller leaves them. The dimensions are copied.
 *
 * @param name     the tensor's name (an initializer's name is the value it defines)
 * @param dataType the element type in the file
 * @param dims     the shape; empty for a scalar
 * @param floats   the values of a float type, else null
 * @param longs    the values of an integer type, else null
 */
public record OnnxTensor(String name, OnnxDataType dataType, long[] dims, float[] floats, long[] longs) {
    public OnnxTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(dims, "dims");
        dims = dims.clone();
        if (!dataType.isSupported()) {
            throw new IllegalArgumentException("tensor '" + name + "': data type " + dataType + " is not supported");
        }
        if (dataType.isFloat() != (floats != null) || dataType.isInteger() != (longs != null)) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + dataType + " must hold "
                    + (dataType.isFloat() ? "floats" : "longs") + " (and only those)");
        }
        long count = elementCount(name, dims);
        int length = floats != null ? floats.length : longs.length;
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has dims " + Arrays.toString(dims) + " ("
                    + count + " elements) but " + length + " values");
        }
        if (longs != null && dataType != OnnxDataType.INT64) {
            long min = dataType.minValue();
            long max = dataType.maxValue();
            for (int i = 0; i < longs.length; i++) {
                if (longs[i] < min || longs[i] > max) {
                    throw new IllegalArgumentException("tensor '" + name + "' value " + longs[i] + " at index " + i
                            + " is out of range for " + dataType + " [" + min + ", " + max + "]");
                }
            }
        }
    }

    /** A FLOAT tensor. */
    public static OnnxTensor ofFloats(String name, long[] dims, float... values) {
        return new OnnxTensor(name, OnnxDataType.FLOAT, dims, values, null);
    }

    /** An INT64 tensor. */
    public static OnnxTensor ofLongs(String name, long[] dims, long... values) {
        return new OnnxTensor(name, OnnxDataType.INT64, dims, null, values);
    }

    /** A tensor of {@code dataType} (a float type) holding {@code values}. */
    public static OnnxTensor ofFloats(String name, OnnxDataType dataType, long[] dims, float... values) {
        return new OnnxTensor(name, dataType, dims, values, null);
    }

    /** A tensor of {@code dataType} (an integer type) holding {@code values}. */
    public static OnnxTensor ofLongs(String name, OnnxDataType dataType, long[] dims, long... values) {
        return new OnnxTensor(name, dataType, dims, null, values);
    }

    /** The same values under another name. */
    public OnnxTensor withName(String newName) {
        return new OnnxTensor(newName, dataType, dims, floats, longs);
    }

    /** The shape (a copy). */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The rank: the number of dimensions (0 for a scalar). */
    public int rank() {
        return dims.length;
    }

    /** The number of elements: the product of the dimensions (1 for a scalar). */
    public long elementCount() {
        return floats != null ? floats.length : longs.length;
    }

    /** Whether the values are held as {@link #floats()}. */
    public boolean isFloat() {
        return floats != null;
    }

    /** Bytes the values take in the file's encoding ({@code raw_data}). */
    public long byteSize() {
        return elementCount() * dataType.byteSize();
    }

    /**
     * The product of {@code dims}, checked: a negative dimension or an overflowing product is refused (a file
     * can claim any dimensions).
     */
    static long elementCount(String tensor, long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + tensor + "' has a negative dimension in "
                        + Arrays.toString(dims));
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + tensor + "' dims " + Arrays.toString(dims)
                        + " overflow a 64-bit element count", e);
            }
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && name.equals(t.name) && dataType == t.dataType
                && Arrays.equals(dims, t.dims) && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dataType, Arrays.hashCode(dims), Arrays.hashCode(floats), Arrays.hashCode(longs));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(' ').append(dataType).append(' ').append(Arrays.toString(dims));
        int n = (int) Math.min(elementCount(), 8);
        s.append(" {");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(floats != null ? Float.toString(floats[i]) : Long.toString(longs[i]));
        }
        return s.append(elementCount() > n ? ", ...}" : "}").toString();
    }
}
