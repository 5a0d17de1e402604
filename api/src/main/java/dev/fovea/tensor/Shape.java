package dev.fovea.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The logical dimensions of a tensor. A 4-D activation is always {@code [N, C, H, W]} here, whatever its
 * storage {@link Layout}; a 2-D one is {@code [N, F]}. Immutable.
 *
 * <pre>{@code Shape x = Shape.of(8, 3, 224, 224); // N=8, C=3, H=W=224 }</pre>
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions; every dimension must be positive. */
    public static Shape of(int... dims) {
        if (dims.length == 0 || dims.length > 8) {
            throw new IllegalArgumentException("shape rank must be 1..8, got " + dims.length);
        }
        long count = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got " + Arrays.toString(dims));
            }
            // Checked so that elementCount() and byte sizes (4 per element) never wrap around.
            if (count > (Long.MAX_VALUE / 8) / d) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than 2^60 elements");
            }
            count *= d;
        }
        return new Shape(dims.clone());
    }

    /** A 4-D activation shape in logical order. */
    public static Shape nchw(int n, int c, int h, int w) {
        return of(n, c, h, w);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Batch size: the first dimension. */
    public int n() {
        return dims[0];
    }

    /** Channels of a 4-D shape (or features of a 2-D one). */
    public int c() {
        return dims[1];
    }

    public int h() {
        requireRank(4);
        return dims[2];
    }

    public int w() {
        requireRank(4);
        return dims[3];
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements per batch item ({@code C·H·W} for a 4-D shape). */
    public long perItem() {
        return elementCount() / dims[0];
    }

    /** The same shape with another first dimension. */
    public Shape withBatch(int n) {
        int[] d = dims.clone();
        d[0] = n;
        return of(d);
    }

    /** The same shape with dimension {@code axis} replaced. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis] = size;
        return of(d);
    }

    private void requireRank(int rank) {
        if (dims.length != rank) {
            throw new IllegalStateException("shape " + this + " is not " + rank + "-D");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [1, 3, 32, 32]}: logical order. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
