package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.HostCopy;
import dev.fovea.tensor.Positions;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax and copies over tensors of any strides (activations: {@link Pointwise#activation}). Copies walk both
 * tensors in the destination's storage order, one line (the innermost storage axis) at a time: a line whose
 * elements are adjacent in both tensors is copied in bulk, any other line element by element.
 */
final class Elementwise {
    private Elementwise() {
    }

    /** The line walk of copy. */
    private interface LineOp {
        /** {@code count} elements from {@code xi} (stride {@code xStride}) to {@code yi} (stride {@code yStride}). */
        void line(MemorySegment xs, long xi, long xStride, MemorySegment ys, long yi, long yStride, int count);
    }

    private static void forEachLine(Tensor x, Tensor y, LineOp op) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int rank = y.shape().rank();
        int[] dims = y.shape().dims();
        long total = y.shape().elementCount();
        if (x.isContiguous() && y.isContiguous() && (x.layout() == y.layout() || rank != 4)
                && total <= Integer.MAX_VALUE) {
            op.line(xs, x.offset(), 1, ys, y.offset(), 1, (int) total);
            return;
        }
        int[] ord = y.layout().storageOrder(rank);
        int inner = ord[rank - 1];
        int count = dims[inner];
        int[] pos = new int[rank];
        for (long done = 0; done < total; done += count) {
            op.line(xs, Positions.index(x, pos), x.stride(inner), ys, Positions.index(y, pos), y.stride(inner), count);
            Positions.next(pos, dims, ord, rank - 1); // the innermost axis is the line
        }
    }

    /** A dense copy split into blocks of this many bytes between the pool's threads. */
    static final long COPY_BLOCK_BYTES = 1 << 20;

    /** The source, destination and length of a dense copy split between threads. */
    private record Bulk(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
    }

    /** One block of a {@link Bulk} copy. */
    private static final WorkerPool.Body BULK_BLOCK = (task, ctx) -> {
        Bulk b = (Bulk) ctx;
        long start = task * COPY_BLOCK_BYTES;
        MemorySegment.copy(b.src(), b.srcOffset() + start, b.dst(), b.dstOffset() + start,
                Math.min(COPY_BLOCK_BYTES, b.bytes() - start));
    };

    /**
     * Copies between host tensors of one logical shape, any layouts and strides; a large dense copy (the batch
     * going into or out of a model) uses every thread of {@code pool}, since one core alone does not reach the
     * memory bandwidth.
     */
    static void copy(Tensor src, Tensor dst, WorkerPool pool) {
        if (!src.isHost() || !dst.isHost()) {
            HostCopy.copy(src, dst);
            return;
        }
        long bytes = dst.shape().elementCount() * 4;
        if (bytes > COPY_BLOCK_BYTES && src.isContiguous() && dst.isContiguous()
                && (src.layout() == dst.layout() || dst.shape().rank() != 4)) {
            Bulk b = new Bulk(src.buffer(), src.offset() * 4, dst.buffer(), dst.offset() * 4, bytes);
            pool.run(Math.toIntExact((bytes + COPY_BLOCK_BYTES - 1) / COPY_BLOCK_BYTES), BULK_BLOCK, b,
                    WorkerPool.bytesWork(2 * bytes));
            return;
        }
        int rank = dst.shape().rank();
        int inner = dst.layout().storageOrder(rank)[rank - 1];
        if (src.stride(inner) != 1) {
            if (rank != 4) {
                HostCopy.copy(src, dst);
            } else if (!Transpose.copy(src, dst, pool)) {
                transpose4(src, dst);
            }
            return;
        }
        forEachLine(src, dst, (xs, xi, xst, ys, yi, yst, count) -> {
            if (xst == 1 && yst == 1) {
                MemorySegment.copy(xs, xi * 4, ys, yi * 4, (long) count * 4);
            } else {
                for (int i = 0; i < count; i++) {
                    ys.setAtIndex(FLOAT, yi + i * yst, xs.getAtIndex(FLOAT, xi + i * xst));
                }
            }
        });
    }

    /**
     * An axis permutation ({@code y}'s axis i is {@code x}'s axis {@code perm[i]}): a copy along lines of {@code y}'s
     * memory, reading {@code x} through its permuted strides; lines dense in both (ShuffleNet's channel
     * shuffle moves whole image rows) are block copies.
     */
    static void transpose(TransposeDescriptor op, Tensor x, Tensor y, WorkerPool pool) {
        int[] perm = op.perm();
        long[] xs = x.strides();
        long[] permuted = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            permuted[i] = xs[perm[i]];
        }
        // Walked in y's memory order (its axes by falling stride), or in x's when that gives longer lines: a channel
        // shuffle of channels-last tensors writes runs of g elements but reads runs of C/g.
        Shape out = op.output();
        long[] ys = y.strides();
        long[][] strides = {permuted, ys};
        long[] base = {x.offset(), y.offset()};
        Lines lines = new Lines(out.dims(), memoryOrder(ys), strides, base);
        Lines byInput = new Lines(out.dims(), memoryOrder(permuted), strides, base);
        if (byInput.lineLength() > lines.lineLength()) {
            lines = byInput;
        }
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        long xi = lines.inner(0);
        long yi = lines.inner(1);
        lines.run(pool, (at, st, rows, n) -> {
            for (int r = 0; r < rows; r++) {
                long a = at[0] + r * st[0];
                long b = at[1] + r * st[1];
                if (xi == 1 && yi == 1) {
                    MemorySegment.copy(xm, a * 4, ym, b * 4, (long) n * 4);
                } else {
                    for (int i = 0; i < n; i++) {
                        ym.setAtIndex(FLOAT, b + i * yi, xm.getAtIndex(FLOAT, a + i * xi));
                    }
                }
            }
        });
    }

    /** The axes of a tensor with these strides, outermost first in memory (by falling stride). */
    private static int[] memoryOrder(long[] strides) {
        Integer[] axes = new Integer[strides.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        Arrays.sort(axes, (a, b) -> Long.compare(strides[b], strides[a]));
        int[] order = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            order[i] = axes[i];
        }
        return order;
    }

    /**
     * A 4-D copy whose innermost destination axis is strided in the source and that {@link Transpose} does not take
     * (no axis dense in the source): four nested loops in the destination's storage order, so the writes are
     * sequential.
     */
    private static void transpose4(Tensor src, Tensor dst) {
        MemorySegment xs = src.buffer();
        MemorySegment ys = dst.buffer();
        int[] ord = dst.layout().storageOrder(4);
        int[] dims = dst.shape().dims();
        int a0 = ord[0];
        int a1 = ord[1];
        int a2 = ord[2];
        int a3 = ord[3];
        for (int i0 = 0; i0 < dims[a0]; i0++) {
            for (int i1 = 0; i1 < dims[a1]; i1++) {
                long x1 = src.offset() + i0 * src.stride(a0) + i1 * src.stride(a1);
                long y1 = dst.offset() + i0 * dst.stride(a0) + i1 * dst.stride(a1);
                for (int i2 = 0; i2 < dims[a2]; i2++) {
                    long x2 = x1 + i2 * src.stride(a2);
                    long y2 = y1 + i2 * dst.stride(a2);
                    long xs3 = src.stride(a3);
                    long ys3 = dst.stride(a3);
                    for (int i3 = 0; i3 < dims[a3]; i3++) {
                        ys.setAtIndex(FLOAT, y2 + i3 * ys3, xs.getAtIndex(FLOAT, x2 + i3 * xs3));
                    }
                }
            }
        }
    }

    /** Row-wise softmax of contiguous {@code [N, F]} tensors, the row maximum subtracted first. */
    static void softmax(Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int n = x.shape().n();
        int f = x.shape().c();
        int main = f - f % V;
        VectorMask<Float> tail = F.indexInRange(main, f);
        for (int i = 0; i < n; i++) {
            long xo = (x.offset() + (long) i * f) * 4;
            long yo = (y.offset() + (long) i * f) * 4;
            FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < main; j += V) {
                mx = mx.max(FloatVector.fromMemorySegment(F, xs, xo + j * 4L, ORDER));
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            for (int j = main; j < f; j++) {
                max = Math.max(max, xs.getAtIndex(FLOAT, x.offset() + (long) i * f + j));
            }
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < f; j += V) {
                VectorMask<Float> m = j < main ? F.maskAll(true) : tail;
                FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(F, xs, xo + j * 4L, ORDER, m).sub(max));
                e.intoMemorySegment(ys, yo + j * 4L, ORDER, m);
                sum = sum.add(e, m);
            }
            float scale = 1f / VectorMath.sumLanes(sum);
            for (int j = 0; j < f; j += V) {
                VectorMask<Float> m = j < main ? F.maskAll(true) : tail;
                FloatVector.fromMemorySegment(F, ys, yo + j * 4L, ORDER, m).mul(scale)
                        .intoMemorySegment(ys, yo + j * 4L, ORDER, m);
            }
        }
    }
}
