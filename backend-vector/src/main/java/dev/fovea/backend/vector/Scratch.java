package dev.fovea.backend.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread working buffers, grown on demand and then reused, so kernels never allocate after warm-up.
 * Each thread runs one task at a time, so one set per thread is enough even with concurrent plans.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** One vector of floats: the tail of a line for loops without masks ({@link VectorMath#sigmoidInPlace}). */
    private final float[] tail = new float[Simd.V];
    /** Gathered input (padded rows in NHWC order, or im2col rows). */
    float[] input = new float[0];
    /**
     * Gathered input in native memory on a cache-line boundary. A float[]'s data starts wherever the garbage
     * collector put the array, so vector loads from it split cache lines in some runs and not in others (measured:
     * the depthwise kernel 25 % slower split than aligned).
     */
    private MemorySegment aligned = MemorySegment.NULL;
    /** A second input buffer (im2col from the gathered rows). */
    float[] columns = new float[0];
    /** Output tile before the epilogue and the store. */
    float[] output = new float[0];
    /** A pooled output tile (convolution fused with pooling). */
    float[] pooled = new float[0];
    /** Row pointers of the current tile block. */
    int[] pointers = new int[0];
    /** A transposed operand (backward passes: {@code dyᵀ}, {@code xᵀ}). */
    float[] transposed = new float[0];
    /** One packed panel slice (backward filter). */
    float[] panel = new float[0];
    /** Packed weights made for one call (backward data). */
    float[] packed = new float[0];
    /** Partial sums of the tasks of one call, reduced by the caller (owned by the calling thread). */
    float[] partials = new float[0];
    /** Two tiles of a blocked transpose ({@link Transpose}): as read, and transposed. */
    final float[] tiles = new float[2 * Transpose.AREA];
    /** A single run (offset, length) for a GEMM over one contiguous reduction. */
    final int[] runOff = new int[1];
    final int[] runLen = new int[1];

    static Scratch get() {
        return LOCAL.get();
    }

    float[] tail() {
        return tail;
    }

    float[] input(int size) {
        if (input.length < size) {
            input = new float[grow(size)];
        }
        return input;
    }

    /** {@code floats} floats of native memory, 64-byte aligned, freed when the thread's buffers are dropped. */
    MemorySegment aligned(long floats) {
        if (aligned.byteSize() < floats * 4) {
            aligned = Arena.ofAuto().allocate(grow((int) floats) * 4L, 64);
        }
        return aligned;
    }

    float[] columns(int size) {
        if (columns.length < size) {
            columns = new float[grow(size)];
        }
        return columns;
    }

    float[] output(int size) {
        if (output.length < size) {
            output = new float[grow(size)];
        }
        return output;
    }

    float[] pooled(int size) {
        if (pooled.length < size) {
            pooled = new float[grow(size)];
        }
        return pooled;
    }

    float[] transposed(int size) {
        if (transposed.length < size) {
            transposed = new float[grow(size)];
        }
        return transposed;
    }

    float[] panel(int size) {
        if (panel.length < size) {
            panel = new float[grow(size)];
        }
        return panel;
    }

    float[] packed(int size) {
        if (packed.length < size) {
            packed = new float[grow(size)];
        }
        return packed;
    }

    float[] partials(int size) {
        if (partials.length < size) {
            partials = new float[grow(size)];
        }
        return partials;
    }

    int[] pointers(int size) {
        if (pointers.length < size) {
            pointers = new int[grow(size)];
        }
        return pointers;
    }

    /** Rounds up so that sizes that differ a little between plans do not reallocate each time. */
    private static int grow(int size) {
        return (int) Math.min(Integer.MAX_VALUE - 64, (long) size + (size >> 3) + 64);
    }
}
