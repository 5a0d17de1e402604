package dev.fovea.tensor;

/**
 * Walks the logical positions of a shape in a chosen axis order and turns a position into an element index: the
 * one strided N-d walker that tensors, the default host ops and the backends share.
 *
 * <pre>{@code
 * int[] pos = new int[rank];
 * for (long k = 0; k < shape.elementCount(); k++) {
 *     visit(Positions.index(x, pos), Positions.index(y, pos));
 *     Positions.next(pos, shape.dims());
 * }
 * }</pre>
 */
public final class Positions {
    private Positions() {
    }

    /**
     * Moves {@code pos} to the next position over the axes {@code order[0 .. axes)}, {@code order[axes − 1]}
     * fastest (other axes stay put); returns false when it wrapped around to the first position.
     */
    public static boolean next(int[] pos, int[] dims, int[] order, int axes) {
        for (int j = axes - 1; j >= 0; j--) {
            int a = order[j];
            if (++pos[a] < dims[a]) {
                return true;
            }
            pos[a] = 0;
        }
        return false;
    }

    /** {@link #next(int[], int[], int[], int)} over every axis of {@code order}. */
    public static boolean next(int[] pos, int[] dims, int[] order) {
        return next(pos, dims, order, order.length);
    }

    /** {@link #next(int[], int[], int[], int)} in logical order: the last axis fastest. */
    public static boolean next(int[] pos, int[] dims) {
        for (int a = dims.length - 1; a >= 0; a--) {
            if (++pos[a] < dims[a]) {
                return true;
            }
            pos[a] = 0;
        }
        return false;
    }

    /** {@code offset + Σ pos[a]·strides[a]}. */
    public static long index(long offset, long[] strides, int[] pos) {
        long i = offset;
        for (int a = 0; a < pos.length; a++) {
            i += pos[a] * strides[a];
        }
        return i;
    }

    /** The element index of logical position {@code pos} in {@code t}'s buffer. */
    public static long index(Tensor t, int[] pos) {
        long i = t.offset();
        for (int a = 0; a < pos.length; a++) {
            i += pos[a] * t.stride(a);
        }
        return i;
    }
}
