package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Transposing copies (NCHW ↔ NHWC), blocked: a matrix whose rows are dense in the source and whose columns are dense
 * in the destination goes through tiles of at most {@link #AREA} floats in a per-thread buffer, read a source row and
 * written a destination run at a time with vector loads and stores (one run for the whole tile where its rows or
 * runs are adjacent, as with 3 channels); the transposition itself happens inside the L1-resident tiles. Walking
 * either side element by element with a stride cost a cache miss or a bounds-checked access per float.
 */
final class Transpose {
    /** Tile side when both sides are long: a tile as read and one transposed (8 KiB together) stay in L1. */
    static final int TILE = 32;
    /** Floats per tile; a short side is taken whole and the other grows to fill the area. */
    static final int AREA = TILE * TILE;
    /** Floats per task of a pooled copy, about: enough to pay for a hand-off. */
    private static final int TASK_FLOATS = 1 << 14;

    private Transpose() {
    }

    /** Tile rows for a {@code rows × cols} matrix. */
    private static int tileRows(int rows, int cols) {
        return rows < TILE ? rows : cols < TILE ? Math.min(rows, AREA / cols) : TILE;
    }

    /** Tile columns for a {@code rows × cols} matrix. */
    private static int tileCols(int rows, int cols) {
        return cols < TILE ? cols : rows < TILE ? Math.min(cols, AREA / rows) : TILE;
    }

    /**
     * {@code dst[dOff + j·dStride + i] = src[sOff + i·sStride + j]} for {@code i < rows}, {@code j < cols}: source run
     * {@code i} holds row {@code i}, destination run {@code j} column {@code j}; offsets and strides count floats.
     */
    static void matrix(MemorySegment src, long sOff, long sStride, MemorySegment dst, long dOff, long dStride,
                       int rows, int cols) {
        if (rows == 1 && dStride == 1) {
            MemorySegment.copy(src, sOff * 4, dst, dOff * 4, cols * 4L);
            return;
        }
        float[] tiles = Scratch.get().tiles;
        int ri = tileRows(rows, cols);
        int cj = tileCols(rows, cols);
        for (int i0 = 0; i0 < rows; i0 += ri) {
            int r = Math.min(ri, rows - i0);
            for (int j0 = 0; j0 < cols; j0 += cj) {
                int c = Math.min(cj, cols - j0);
                tile(src, sOff + i0 * sStride + j0, sStride, r, c, tiles);
                long d = dOff + j0 * dStride + i0;
                if (dStride == r) {
                    store(tiles, AREA, dst, d, r * c); // the runs are adjacent: one run
                } else {
                    for (int j = 0; j < c; j++) {
                        store(tiles, AREA + j * r, dst, d + j * dStride, r);
                    }
                }
            }
        }
    }

    /** {@link #matrix} into a heap array (the gathers of the convolutions' channels-first inputs). */
    static void matrix(MemorySegment src, long sOff, long sStride, float[] dst, int dOff, int dStride, int rows,
                       int cols) {
        float[] tiles = Scratch.get().tiles;
        int ri = tileRows(rows, cols);
        int cj = tileCols(rows, cols);
        for (int i0 = 0; i0 < rows; i0 += ri) {
            int r = Math.min(ri, rows - i0);
            for (int j0 = 0; j0 < cols; j0 += cj) {
                int c = Math.min(cj, cols - j0);
                tile(src, sOff + i0 * sStride + j0, sStride, r, c, tiles);
                int d = dOff + j0 * dStride + i0;
                if (dStride == r) {
                    System.arraycopy(tiles, AREA, dst, d, r * c);
                } else {
                    for (int j = 0; j < c; j++) {
                        System.arraycopy(tiles, AREA + j * r, dst, d + j * dStride, r);
                    }
                }
            }
        }
    }

    /**
     * Reads {@code r} source rows of {@code c} floats (row {@code i} at {@code at + i·stride}) into the first tile as
     * {@code [r][c]}, then writes their transpose into the second, from {@link #AREA}, as {@code [c][r]}.
     */
    private static void tile(MemorySegment src, long at, long stride, int r, int c, float[] tiles) {
        if (stride == c) {
            load(src, at, tiles, 0, r * c); // the rows are adjacent: one run
        } else {
            for (int i = 0; i < r; i++) {
                load(src, at + i * stride, tiles, i * c, c);
            }
        }
        // The longer side innermost, so that short sides (3 channels) do not cost a loop each.
        if (r <= c) {
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    tiles[AREA + j * r + i] = tiles[i * c + j];
                }
            }
        } else {
            for (int j = 0; j < c; j++) {
                for (int i = 0; i < r; i++) {
                    tiles[AREA + j * r + i] = tiles[i * c + j];
                }
            }
        }
    }

    /** {@code n} floats from float {@code at} of {@code src} into {@code out} from {@code to}. */
    private static void load(MemorySegment src, long at, float[] out, int to, int n) {
        long s = at * 4;
        int k = 0;
        for (; k + V <= n; k += V) {
            FloatVector.fromMemorySegment(F, src, s + k * 4L, ORDER).intoArray(out, to + k);
        }
        for (; k < n; k++) {
            out[to + k] = src.get(FLOAT, s + k * 4L);
        }
    }

    /** {@code n} floats of {@code in} from {@code from} into {@code dst} from float {@code at}. */
    private static void store(float[] in, int from, MemorySegment dst, long at, int n) {
        long d = at * 4;
        int k = 0;
        for (; k + V <= n; k += V) {
            FloatVector.fromArray(F, in, from + k).intoMemorySegment(dst, d + k * 4L, ORDER);
        }
        for (; k < n; k++) {
            dst.set(FLOAT, d + k * 4L, in[from + k]);
        }
    }

    /**
     * A 4-D transposing copy: matrices of {@code rows × cols} (columns dense in the source, rows in the destination),
     * one per index of the outer axes, each cut into bands of {@code rowBand × colBand} for the tasks.
     */
    private record Copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, int rows, int cols,
                        long srcRow, long dstCol, int[] outer, long[] srcOuter, long[] dstOuter, int rowBand,
                        int colBand) {
        int rowBands() {
            return Math.ceilDiv(rows, rowBand);
        }

        int colBands() {
            return Math.ceilDiv(cols, colBand);
        }

        void band(int task) {
            int perMatrix = rowBands() * colBands();
            int index = task / perMatrix;
            int i0 = task % perMatrix / colBands() * rowBand;
            int j0 = task % colBands() * colBand;
            long s = srcOffset + i0 * srcRow + j0;
            long d = dstOffset + i0 + j0 * dstCol;
            for (int a = outer.length - 1; a >= 0; a--) {
                int at = index % outer[a];
                index /= outer[a];
                s += at * srcOuter[a];
                d += at * dstOuter[a];
            }
            matrix(src, s, srcRow, dst, d, dstCol, Math.min(rowBand, rows - i0), Math.min(colBand, cols - j0));
        }
    }

    private static final WorkerPool.Body BAND = (task, ctx) -> ((Copy) ctx).band(task);

    /**
     * Copies {@code src} into {@code dst} (host tensors of one logical 4-D shape) as blocked transposes when some
     * axis is dense (stride 1) in {@code src} and some axis in {@code dst} (the same one: runs copied whole); returns
     * false, copying nothing, otherwise.
     */
    static boolean copy(Tensor src, Tensor dst, WorkerPool pool) {
        int[] dims = dst.shape().dims();
        int cols = -1; // the axis dense in src
        int rows = -1; // the axis dense in dst
        for (int a = 0; a < 4; a++) {
            if (dims[a] > 1 && src.stride(a) == 1) {
                cols = a;
            }
            if (dims[a] > 1 && dst.stride(a) == 1) {
                rows = a;
            }
        }
        if (cols < 0 || rows < 0) {
            return false;
        }
        // One axis dense in both (a single channel): a matrix of one row, copied in runs.
        boolean oneRow = cols == rows;
        // Grow the two axes by the axes that continue them in both tensors (NCHW's H and W are one axis of H·W).
        long colSize = dims[cols];
        long rowSize = oneRow ? 1 : dims[rows];
        long srcRow = oneRow ? 0 : src.stride(rows);
        long dstCol = dst.stride(cols);
        boolean[] used = new boolean[4];
        used[cols] = true;
        used[rows] = true;
        for (boolean grew = true; grew; ) {
            grew = false;
            for (int a = 0; a < 4; a++) {
                if (used[a]) {
                    continue;
                }
                if (dims[a] == 1 || (src.stride(a) == colSize && dst.stride(a) == colSize * dstCol)) {
                    colSize *= dims[a];
                } else if (!oneRow && src.stride(a) == rowSize * srcRow && dst.stride(a) == rowSize) {
                    rowSize *= dims[a];
                } else {
                    continue;
                }
                used[a] = true;
                grew = true;
            }
        }
        if (colSize > Integer.MAX_VALUE || rowSize > Integer.MAX_VALUE) {
            return false;
        }
        int outerCount = 0;
        for (boolean u : used) {
            outerCount += u ? 0 : 1;
        }
        int[] outer = new int[outerCount];
        long[] srcOuter = new long[outerCount];
        long[] dstOuter = new long[outerCount];
        long matrices = 1;
        for (int a = 0, o = 0; a < 4; a++) {
            if (!used[a]) {
                outer[o] = dims[a];
                srcOuter[o] = src.stride(a);
                dstOuter[o] = dst.stride(a);
                matrices *= dims[a];
                o++;
            }
        }
        // Bands of about TASK_FLOATS: a short side whole (up to 128), the other as long as that leaves room for.
        int rowBand;
        int colBand;
        if (rowSize <= colSize) {
            rowBand = (int) Math.min(rowSize, 4 * TILE);
            colBand = (int) Math.min(colSize, Math.max(TILE, TASK_FLOATS / rowBand));
        } else {
            colBand = (int) Math.min(colSize, 4 * TILE);
            rowBand = (int) Math.min(rowSize, Math.max(TILE, TASK_FLOATS / colBand));
        }
        Copy c = new Copy(src.buffer(), src.offset(), dst.buffer(), dst.offset(), (int) rowSize, (int) colSize, srcRow,
                dstCol, outer, srcOuter, dstOuter, rowBand, colBand);
        long tasks = matrices * c.rowBands() * c.colBands();
        if (tasks > Integer.MAX_VALUE) {
            return false;
        }
        pool.run((int) tasks, BAND, c, WorkerPool.bytesWork(8 * dst.shape().elementCount()));
        return true;
    }
}
