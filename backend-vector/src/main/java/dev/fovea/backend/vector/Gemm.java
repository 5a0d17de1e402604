package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import java.lang.foreign.MemorySegment;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Register-blocked GEMM micro-kernels over packed panels, shared by convolution and dense layers:
 * {@code C[m, n] = Σ_k A[m, k] · B[k, n]} where rows of A are pixels (or batch items) read through row
 * pointers, and B is the weight matrix packed in panels of {@link #NR} columns ({@code [k][NR]}, zero-padded).
 * Generated shape: 8 rows × 2 vectors (the calibration's winner; bench/RESULTS.md).
 */
final class Gemm {
    /** Rows of A per tile. */
    static final int MR = 8;
    /** Columns of the main panel: two vectors. */
    static final int NR = 2 * V;

    private Gemm() {
    }

    /** {@code {f(0), f(1), ..., f(n − 1)}}: the index maps of {@link Packed#fill(float[], int, int[], int[])}. */
    static int[] index(int n, java.util.function.IntUnaryOperator f) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = f.applyAsInt(i);
        }
        return a;
    }

    /** Reduction depth per cache block: a {@code KC × NR} panel slice is 32 KiB and stays in L1. */
    static final int KC = 8192 / NR;

    /**
     * The weight matrix of each group, {@code B[kk, kl]} ({@code kk < depth}, {@code kl < kg}), packed once at
     * plan time into column panels of {@link #NR} (the last one {@link Simd#V} wide when that covers the
     * remainder), each stored as {@code [kk][width]} with zero columns past {@code kg}.
     */
    static final class Packed {
        final int groups;
        final int depth;
        final int kg;
        /** Columns per group in the output tile: the panels' widths summed (≥ kg, a multiple of V). */
        final int kgPad;
        final int[] panelCol;
        final int[] panelWidth;
        /** Start of panel j of group g in {@link #data}: {@code panelOff[g · panels + j]}. */
        final int[] panelOff;
        final float[] data;

        /**
         * The panel layout, its data in {@code storage} when that is large enough (a per-thread buffer: weights
         * packed for one call), else in a new array; fill it with {@link #fill}.
         */
        Packed(int groups, int depth, int kg, float[] storage) {
            this.groups = groups;
            this.depth = depth;
            this.kg = kg;
            int full = kg / NR;
            int rest = kg - full * NR;
            int panels = full + (rest == 0 ? 0 : 1);
            panelCol = new int[panels];
            panelWidth = new int[panels];
            int col = 0;
            for (int j = 0; j < panels; j++) {
                int width = j < full ? NR : (rest <= V ? V : NR);
                panelCol[j] = col;
                panelWidth[j] = width;
                col += width;
            }
            kgPad = col;
            panelOff = new int[groups * panels];
            int off = 0;
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < panels; j++) {
                    panelOff[g * panels + j] = off;
                    off += depth * panelWidth[j];
                }
            }
            data = storage != null && storage.length >= off ? storage : new float[off];
        }

        /** Floats of packed data for these dimensions. */
        static int size(int groups, int depth, int kg) {
            int full = kg / NR;
            int rest = kg - full * NR;
            int kgPad = full * NR + (rest == 0 ? 0 : rest <= V ? V : NR);
            return Math.toIntExact((long) groups * depth * kgPad);
        }

        /**
         * (Re)packs from a flat array without a call per element: {@code B_g[kk][kl] = w[g·groupStride + rowIndex[kk]
         * + colIndex[kl]]}.
         */
        void fill(float[] w, int groupStride, int[] rowIndex, int[] colIndex) {
            int panels = panels();
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < panels; j++) {
                    int off = panelOff[g * panels + j];
                    int width = panelWidth[j];
                    int col = panelCol[j];
                    int valid = Math.min(width, kg - col);
                    for (int kk = 0; kk < depth; kk++) {
                        int src = g * groupStride + rowIndex[kk];
                        int dst = off + kk * width;
                        for (int c = 0; c < valid; c++) {
                            data[dst + c] = w[src + colIndex[col + c]];
                        }
                        for (int c = valid; c < width; c++) {
                            data[dst + c] = 0f;
                        }
                    }
                }
            }
        }

        int panels() {
            return panelCol.length;
        }
    }

    /**
     * How the reduction walks A: runs of contiguous elements (offset from a row pointer, length), the same
     * lengths for every group, offsets per group; grouped into cache blocks of at most {@link #KC} elements.
     */
    static final class Runs {
        final int perGroup;
        final int[] off;
        final int[] len;
        /** Reduction index at the start of run r (within a group). */
        final int[] kkStart;
        /** Run index where cache block b starts; one extra entry at the end. */
        final int[] blockStart;

        /**
         * @param offsets run offsets of group g at {@code [g · lengths.length + r]}
         * @param lengths run lengths; runs longer than {@link #KC} are split
         */
        Runs(int groups, int[] offsets, int[] lengths) {
            int n = 0;
            for (int l : lengths) {
                n += Math.ceilDiv(l, KC);
            }
            perGroup = n;
            off = new int[groups * n];
            len = new int[groups * n];
            kkStart = new int[n + 1];
            for (int g = 0; g < groups; g++) {
                int i = 0;
                int kk = 0;
                for (int r = 0; r < lengths.length; r++) {
                    for (int done = 0; done < lengths[r]; done += KC) {
                        off[g * n + i] = offsets[g * lengths.length + r] + done;
                        len[g * n + i] = Math.min(KC, lengths[r] - done);
                        kkStart[i] = kk;
                        kk += len[g * n + i];
                        i++;
                    }
                }
                kkStart[n] = kk;
            }
            int[] starts = new int[n + 1];
            int blocks = 0;
            int acc = 0;
            for (int i = 0; i < n; i++) {
                if (i == 0 || acc + len[i] > KC) {
                    starts[blocks++] = i;
                    acc = 0;
                }
                acc += len[i];
            }
            starts[blocks] = n;
            blockStart = java.util.Arrays.copyOf(starts, blocks + 1);
        }
    }

    /**
     * {@code out[m, g·kgPad + kl] = Σ_kk A[m, kk] · B_g[kk, kl]} for {@code m < rows}: row m of A is read at
     * {@code a[ptr[m] + run offset + i]}. Loops: group, cache block, panel, row tile, so that a block of a panel
     * stays in L1 while the tiles sweep over it; for few rows, group, panel, cache block, row tile.
     */
    static void multiply(Packed b, Runs runs, float[] a, int[] ptr, int rows, float[] out, int ldo) {
        int panels = b.panels();
        int blocks = runs.blockStart.length - 1;
        int split = firstSeven(rows);
        // Few rows (a 7×7 image at batch 1, a small batch of a dense layer): each panel walks its whole depth before
        // the next, one stream of weights the prefetcher follows, and the few rows of A stay in cache. Many rows:
        // each depth block goes through every panel while its block of A is in cache.
        boolean panelOuter = rows <= PANEL_OUTER_ROWS;
        for (int g = 0; g < b.groups; g++) {
            if (panelOuter) {
                for (int j = 0; j < panels; j++) {
                    for (int blk = 0; blk < blocks; blk++) {
                        panelBlock(b, runs, g, j, blk, a, ptr, rows, split, out, ldo);
                    }
                }
            } else {
                for (int blk = 0; blk < blocks; blk++) {
                    for (int j = 0; j < panels; j++) {
                        panelBlock(b, runs, g, j, blk, a, ptr, rows, split, out, ldo);
                    }
                }
            }
        }
    }

    /**
     * Rows of A up to which {@link #multiply} takes the panels one by one over the whole depth: a 7×7 image at batch
     * 1, where it was measured; a training batch of 64 keeps the other order.
     */
    private static final int PANEL_OUTER_ROWS = 49;

    /**
     * {@link #multiply}'s panel {@code j} of group {@code g} over depth block {@code blk}, for all {@code rows} rows:
     * 8-row tiles up to row {@code split}, 7-row tiles from there ({@link #firstSeven}; one-vector panels take 8-row
     * tiles throughout).
     */
    private static void panelBlock(Packed b, Runs runs, int g, int j, int blk, float[] a, int[] ptr, int rows,
            int split, float[] out, int ldo) {
        int rs = runs.blockStart[blk];
        int r0 = g * runs.perGroup + rs;
        int r1 = g * runs.perGroup + runs.blockStart[blk + 1];
        boolean accumulate = blk > 0;
        int width = b.panelWidth[j];
        int bOff = b.panelOff[g * b.panels() + j] + runs.kkStart[rs] * width;
        int col = g * b.kgPad + b.panelCol[j];
        int sevens = width == NR ? split : rows;
        for (int m = 0; m < rows; ) {
            int tile = Math.min(m < sevens ? MR : 7, rows - m);
            if (m >= sevens) {
                kernel7x2(a, ptr, m, tile, runs.off, runs.len, r0, r1, b.data, bOff, out, m * ldo + col, ldo,
                        accumulate);
            } else if (width == NR) {
                kernel8x2(a, ptr, m, tile, runs.off, runs.len, r0, r1, b.data, bOff, out, m * ldo + col, ldo,
                        accumulate);
            } else {
                kernel8x1(a, ptr, m, tile, runs.off, runs.len, r0, r1, b.data, bOff, out, m * ldo + col, ldo,
                        accumulate);
            }
            m += tile;
        }
    }

    /**
     * Where a block of {@code rows} rows switches from 8-row tiles to 7-row ones ({@link #kernel7x2}): the rows split
     * as {@code 8a + 7b} with the fewest 7-row tiles, when such a split exists and the last 8-row tile would
     * otherwise be short; {@code rows} (none of 7) otherwise.
     */
    static int firstSeven(int rows) {
        int sevens = (MR - rows % MR) % MR;
        return sevens > 0 && 7 * sevens <= rows ? rows - 7 * sevens : rows;
    }

    /**
     * The main micro-kernel: an 8-row × {@link #NR}-column tile, 16 accumulators (2 vector loads of B and
     * 8 broadcasts of A per 16 FMAs). Row {@code i < rows} of A starts at {@code a[ptr[pBase + i]]}; the
     * reduction walks runs {@code r0..r1}: {@code runLen[r]} contiguous elements at row start {@code + runOff[r]},
     * against consecutive {@code NR}-float rows of the packed panel {@code b} from {@code bOff}. Tile row
     * {@code i} is stored at {@code c[cOff + i·ldc]} ({@code NR} floats), added to what is there when
     * {@code accumulate}. Rows past {@code rows} repeat the last row and store the same values to the same place: no
     * branch on {@code rows} that C2 could compile as a trap (a short tile first met after compilation sent this,
     * the hottest kernel, back to unoptimized code for half a second).
     */
    static void kernel8x2(float[] a, int[] ptr, int pBase, int rows, int[] runOff, int[] runLen, int r0, int r1,
            float[] b, int bOff, float[] c, int cOff, int ldc, boolean accumulate) {
        int last = rows - 1;
        int a0 = ptr[pBase];
        int a1 = ptr[pBase + Math.min(1, last)];
        int a2 = ptr[pBase + Math.min(2, last)];
        int a3 = ptr[pBase + Math.min(3, last)];
        int a4 = ptr[pBase + Math.min(4, last)];
        int a5 = ptr[pBase + Math.min(5, last)];
        int a6 = ptr[pBase + Math.min(6, last)];
        int a7 = ptr[pBase + Math.min(7, last)];
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        FloatVector c70;
        FloatVector c71;
        if (accumulate) {
            int o0 = cOff;
            int o1 = cOff + Math.min(1, last) * ldc;
            int o2 = cOff + Math.min(2, last) * ldc;
            int o3 = cOff + Math.min(3, last) * ldc;
            int o4 = cOff + Math.min(4, last) * ldc;
            int o5 = cOff + Math.min(5, last) * ldc;
            int o6 = cOff + Math.min(6, last) * ldc;
            int o7 = cOff + Math.min(7, last) * ldc;
            c00 = FloatVector.fromArray(F, c, o0);
            c01 = FloatVector.fromArray(F, c, o0 + 1 * V);
            c10 = FloatVector.fromArray(F, c, o1);
            c11 = FloatVector.fromArray(F, c, o1 + 1 * V);
            c20 = FloatVector.fromArray(F, c, o2);
            c21 = FloatVector.fromArray(F, c, o2 + 1 * V);
            c30 = FloatVector.fromArray(F, c, o3);
            c31 = FloatVector.fromArray(F, c, o3 + 1 * V);
            c40 = FloatVector.fromArray(F, c, o4);
            c41 = FloatVector.fromArray(F, c, o4 + 1 * V);
            c50 = FloatVector.fromArray(F, c, o5);
            c51 = FloatVector.fromArray(F, c, o5 + 1 * V);
            c60 = FloatVector.fromArray(F, c, o6);
            c61 = FloatVector.fromArray(F, c, o6 + 1 * V);
            c70 = FloatVector.fromArray(F, c, o7);
            c71 = FloatVector.fromArray(F, c, o7 + 1 * V);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z;
            c01 = z;
            c10 = z;
            c11 = z;
            c20 = z;
            c21 = z;
            c30 = z;
            c31 = z;
            c40 = z;
            c41 = z;
            c50 = z;
            c51 = z;
            c60 = z;
            c61 = z;
            c70 = z;
            c71 = z;
        }
        int bi = bOff;
        for (int r = r0; r < r1; r++) {
            int o = runOff[r];
            int len = runLen[r];
            int x0 = a0 + o;
            int x1 = a1 + o;
            int x2 = a2 + o;
            int x3 = a3 + o;
            int x4 = a4 + o;
            int x5 = a5 + o;
            int x6 = a6 + o;
            int x7 = a7 + o;
            for (int k = 0; k < len; k++) {
                int bk = bi + k * NR;
                FloatVector b0 = FloatVector.fromArray(F, b, bk);
                FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * V);
                FloatVector s;
                s = FloatVector.broadcast(F, a[x0 + k]);
                c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
                s = FloatVector.broadcast(F, a[x1 + k]);
                c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
                s = FloatVector.broadcast(F, a[x2 + k]);
                c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
                s = FloatVector.broadcast(F, a[x3 + k]);
                c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
                s = FloatVector.broadcast(F, a[x4 + k]);
                c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
                s = FloatVector.broadcast(F, a[x5 + k]);
                c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
                s = FloatVector.broadcast(F, a[x6 + k]);
                c60 = s.fma(b0, c60); c61 = s.fma(b1, c61);
                s = FloatVector.broadcast(F, a[x7 + k]);
                c70 = s.fma(b0, c70); c71 = s.fma(b1, c71);
            }
            bi += len * NR;
        }
        // Offsets computed here, not kept in registers through the loop (W5 took 8.0–10.4 ms instead of 5.5–5.9 so).
        int o0 = cOff;
        int o1 = cOff + Math.min(1, last) * ldc;
        int o2 = cOff + Math.min(2, last) * ldc;
        int o3 = cOff + Math.min(3, last) * ldc;
        int o4 = cOff + Math.min(4, last) * ldc;
        int o5 = cOff + Math.min(5, last) * ldc;
        int o6 = cOff + Math.min(6, last) * ldc;
        int o7 = cOff + Math.min(7, last) * ldc;
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + 1 * V);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + 1 * V);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + 1 * V);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + 1 * V);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + 1 * V);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + 1 * V);
        c60.intoArray(c, o6);
        c61.intoArray(c, o6 + 1 * V);
        c70.intoArray(c, o7);
        c71.intoArray(c, o7 + 1 * V);
    }

    /**
     * {@link #kernel8x2} for 7 rows (14 accumulators): seven rows cost seven eighths of an 8-row call, so a block of
     * 49 pixels (a 7×7 image at batch 1) takes seven of these instead of six 8-row calls and one for its last
     * pixel. Same products in the same order per row as {@link #kernel8x2}.
     */
    static void kernel7x2(float[] a, int[] ptr, int pBase, int rows, int[] runOff, int[] runLen, int r0, int r1,
            float[] b, int bOff, float[] c, int cOff, int ldc, boolean accumulate) {
        int last = rows - 1;
        int a0 = ptr[pBase];
        int a1 = ptr[pBase + Math.min(1, last)];
        int a2 = ptr[pBase + Math.min(2, last)];
        int a3 = ptr[pBase + Math.min(3, last)];
        int a4 = ptr[pBase + Math.min(4, last)];
        int a5 = ptr[pBase + Math.min(5, last)];
        int a6 = ptr[pBase + Math.min(6, last)];
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        if (accumulate) {
            int o0 = cOff;
            int o1 = cOff + Math.min(1, last) * ldc;
            int o2 = cOff + Math.min(2, last) * ldc;
            int o3 = cOff + Math.min(3, last) * ldc;
            int o4 = cOff + Math.min(4, last) * ldc;
            int o5 = cOff + Math.min(5, last) * ldc;
            int o6 = cOff + Math.min(6, last) * ldc;
            c00 = FloatVector.fromArray(F, c, o0);
            c01 = FloatVector.fromArray(F, c, o0 + 1 * V);
            c10 = FloatVector.fromArray(F, c, o1);
            c11 = FloatVector.fromArray(F, c, o1 + 1 * V);
            c20 = FloatVector.fromArray(F, c, o2);
            c21 = FloatVector.fromArray(F, c, o2 + 1 * V);
            c30 = FloatVector.fromArray(F, c, o3);
            c31 = FloatVector.fromArray(F, c, o3 + 1 * V);
            c40 = FloatVector.fromArray(F, c, o4);
            c41 = FloatVector.fromArray(F, c, o4 + 1 * V);
            c50 = FloatVector.fromArray(F, c, o5);
            c51 = FloatVector.fromArray(F, c, o5 + 1 * V);
            c60 = FloatVector.fromArray(F, c, o6);
            c61 = FloatVector.fromArray(F, c, o6 + 1 * V);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z;
            c01 = z;
            c10 = z;
            c11 = z;
            c20 = z;
            c21 = z;
            c30 = z;
            c31 = z;
            c40 = z;
            c41 = z;
            c50 = z;
            c51 = z;
            c60 = z;
            c61 = z;
        }
        int bi = bOff;
        for (int r = r0; r < r1; r++) {
            int o = runOff[r];
            int len = runLen[r];
            int x0 = a0 + o;
            int x1 = a1 + o;
            int x2 = a2 + o;
            int x3 = a3 + o;
            int x4 = a4 + o;
            int x5 = a5 + o;
            int x6 = a6 + o;
            for (int k = 0; k < len; k++) {
                int bk = bi + k * NR;
                FloatVector b0 = FloatVector.fromArray(F, b, bk);
                FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * V);
                FloatVector s;
                s = FloatVector.broadcast(F, a[x0 + k]);
                c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
                s = FloatVector.broadcast(F, a[x1 + k]);
                c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
                s = FloatVector.broadcast(F, a[x2 + k]);
                c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
                s = FloatVector.broadcast(F, a[x3 + k]);
                c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
                s = FloatVector.broadcast(F, a[x4 + k]);
                c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
                s = FloatVector.broadcast(F, a[x5 + k]);
                c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
                s = FloatVector.broadcast(F, a[x6 + k]);
                c60 = s.fma(b0, c60); c61 = s.fma(b1, c61);
            }
            bi += len * NR;
        }
        // Offsets computed here, not kept in registers through the loop (W5 took 8.0–10.4 ms instead of 5.5–5.9 so).
        int o0 = cOff;
        int o1 = cOff + Math.min(1, last) * ldc;
        int o2 = cOff + Math.min(2, last) * ldc;
        int o3 = cOff + Math.min(3, last) * ldc;
        int o4 = cOff + Math.min(4, last) * ldc;
        int o5 = cOff + Math.min(5, last) * ldc;
        int o6 = cOff + Math.min(6, last) * ldc;
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + 1 * V);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + 1 * V);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + 1 * V);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + 1 * V);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + 1 * V);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + 1 * V);
        c60.intoArray(c, o6);
        c61.intoArray(c, o6 + 1 * V);
    }

    /**
     * The narrow micro-kernel for a last panel of at most {@link Simd#V} columns: 8 rows × 1 vector, as
     * {@link #kernel8x2} otherwise (panel rows of {@code V} floats).
     */
    static void kernel8x1(float[] a, int[] ptr, int pBase, int rows, int[] runOff, int[] runLen, int r0, int r1,
            float[] b, int bOff, float[] c, int cOff, int ldc, boolean accumulate) {
        int last = rows - 1;
        int a0 = ptr[pBase];
        int a1 = ptr[pBase + Math.min(1, last)];
        int a2 = ptr[pBase + Math.min(2, last)];
        int a3 = ptr[pBase + Math.min(3, last)];
        int a4 = ptr[pBase + Math.min(4, last)];
        int a5 = ptr[pBase + Math.min(5, last)];
        int a6 = ptr[pBase + Math.min(6, last)];
        int a7 = ptr[pBase + Math.min(7, last)];
        FloatVector c00;
        FloatVector c10;
        FloatVector c20;
        FloatVector c30;
        FloatVector c40;
        FloatVector c50;
        FloatVector c60;
        FloatVector c70;
        if (accumulate) {
            int o0 = cOff;
            int o1 = cOff + Math.min(1, last) * ldc;
            int o2 = cOff + Math.min(2, last) * ldc;
            int o3 = cOff + Math.min(3, last) * ldc;
            int o4 = cOff + Math.min(4, last) * ldc;
            int o5 = cOff + Math.min(5, last) * ldc;
            int o6 = cOff + Math.min(6, last) * ldc;
            int o7 = cOff + Math.min(7, last) * ldc;
            c00 = FloatVector.fromArray(F, c, o0);
            c10 = FloatVector.fromArray(F, c, o1);
            c20 = FloatVector.fromArray(F, c, o2);
            c30 = FloatVector.fromArray(F, c, o3);
            c40 = FloatVector.fromArray(F, c, o4);
            c50 = FloatVector.fromArray(F, c, o5);
            c60 = FloatVector.fromArray(F, c, o6);
            c70 = FloatVector.fromArray(F, c, o7);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z;
            c10 = z;
            c20 = z;
            c30 = z;
            c40 = z;
            c50 = z;
            c60 = z;
            c70 = z;
        }
        int bi = bOff;
        for (int r = r0; r < r1; r++) {
            int o = runOff[r];
            int len = runLen[r];
            int x0 = a0 + o;
            int x1 = a1 + o;
            int x2 = a2 + o;
            int x3 = a3 + o;
            int x4 = a4 + o;
            int x5 = a5 + o;
            int x6 = a6 + o;
            int x7 = a7 + o;
            for (int k = 0; k < len; k++) {
                int bk = bi + k * V;
                FloatVector b0 = FloatVector.fromArray(F, b, bk);
                FloatVector s;
                s = FloatVector.broadcast(F, a[x0 + k]);
                c00 = s.fma(b0, c00);
                s = FloatVector.broadcast(F, a[x1 + k]);
                c10 = s.fma(b0, c10);
                s = FloatVector.broadcast(F, a[x2 + k]);
                c20 = s.fma(b0, c20);
                s = FloatVector.broadcast(F, a[x3 + k]);
                c30 = s.fma(b0, c30);
                s = FloatVector.broadcast(F, a[x4 + k]);
                c40 = s.fma(b0, c40);
                s = FloatVector.broadcast(F, a[x5 + k]);
                c50 = s.fma(b0, c50);
                s = FloatVector.broadcast(F, a[x6 + k]);
                c60 = s.fma(b0, c60);
                s = FloatVector.broadcast(F, a[x7 + k]);
                c70 = s.fma(b0, c70);
            }
            bi += len * V;
        }
        // Offsets computed here, not kept in registers through the loop (W5 took 8.0–10.4 ms instead of 5.5–5.9 so).
        int o0 = cOff;
        int o1 = cOff + Math.min(1, last) * ldc;
        int o2 = cOff + Math.min(2, last) * ldc;
        int o3 = cOff + Math.min(3, last) * ldc;
        int o4 = cOff + Math.min(4, last) * ldc;
        int o5 = cOff + Math.min(5, last) * ldc;
        int o6 = cOff + Math.min(6, last) * ldc;
        int o7 = cOff + Math.min(7, last) * ldc;
        c00.intoArray(c, o0);
        c10.intoArray(c, o1);
        c20.intoArray(c, o2);
        c30.intoArray(c, o3);
        c40.intoArray(c, o4);
        c50.intoArray(c, o5);
        c60.intoArray(c, o6);
        c70.intoArray(c, o7);
    }

    /**
     * {@link #kernel8x2} for rows of A held whole, {@link #KC} floats apart (a 1×1 convolution's gathered pixels: row
     * {@code i} is {@code a[aOff + i·KC + k]}, {@code k < depth ≤ KC}; rows {@code rows .. 7} are read too, whatever
     * they hold, and not stored), finished in registers: bias {@code bias[biasOff ..]} added, the sum clamped to
     * {@code [lo, hi]} (NaN stays NaN, as {@link Math#max}) and row {@code i < rows} stored straight to native
     * {@code y} at element {@code yBase + yRow[yr0 + i]}, {@link #NR} floats, instead of through a tile and a pass of
     * its own. Same products in the same order as {@link #kernel8x2}. The fixed row stride puts every row at a
     * constant displacement from one index: with a stride passed in, C2 computed each row's address every step (an
     * instruction per broadcast), and the kernel ran at 130 GFLOP/s in cache instead of 161–164.
     */
    static void kernel8x2Store(float[] a, int aOff, int rows, int depth, float[] b, int bOff,
            MemorySegment y, long yBase, int[] yRow, int yr0, float[] bias, int biasOff, float lo, float hi) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z;
        FloatVector c01 = z;
        FloatVector c10 = z;
        FloatVector c11 = z;
        FloatVector c20 = z;
        FloatVector c21 = z;
        FloatVector c30 = z;
        FloatVector c31 = z;
        FloatVector c40 = z;
        FloatVector c41 = z;
        FloatVector c50 = z;
        FloatVector c51 = z;
        FloatVector c60 = z;
        FloatVector c61 = z;
        FloatVector c70 = z;
        FloatVector c71 = z;
        for (int k = 0; k < depth; k++) {
            int ak = aOff + k;
            int bk = bOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[ak]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[ak + 1 * KC]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[ak + 2 * KC]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[ak + 3 * KC]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[ak + 4 * KC]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, a[ak + 5 * KC]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
            s = FloatVector.broadcast(F, a[ak + 6 * KC]);
            c60 = s.fma(b0, c60); c61 = s.fma(b1, c61);
            s = FloatVector.broadcast(F, a[ak + 7 * KC]);
            c70 = s.fma(b0, c70); c71 = s.fma(b1, c71);
        }
        // Bias and clamp written out here (ReLU: [0, ∞), ReLU6: [0, 6]; as Epilogue.clamp): a call C2 did not inline
        // boxed the vectors.
        FloatVector bias0 = FloatVector.fromArray(F, bias, biasOff);
        FloatVector bias1 = FloatVector.fromArray(F, bias, biasOff + V);
        {
            c00 = c00.add(bias0);
            c00 = c00.blend(lo, c00.compare(LE, lo));
            c00.blend(hi, c00.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0]) * 4, ORDER);
            c01 = c01.add(bias1);
            c01 = c01.blend(lo, c01.compare(LE, lo));
            c01.blend(hi, c01.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0] + V) * 4, ORDER);
        }
        if (rows > 1) {
            c10 = c10.add(bias0);
            c10 = c10.blend(lo, c10.compare(LE, lo));
            c10.blend(hi, c10.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 1]) * 4, ORDER);
            c11 = c11.add(bias1);
            c11 = c11.blend(lo, c11.compare(LE, lo));
            c11.blend(hi, c11.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 1] + V) * 4, ORDER);
        }
        if (rows > 2) {
            c20 = c20.add(bias0);
            c20 = c20.blend(lo, c20.compare(LE, lo));
            c20.blend(hi, c20.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 2]) * 4, ORDER);
            c21 = c21.add(bias1);
            c21 = c21.blend(lo, c21.compare(LE, lo));
            c21.blend(hi, c21.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 2] + V) * 4, ORDER);
        }
        if (rows > 3) {
            c30 = c30.add(bias0);
            c30 = c30.blend(lo, c30.compare(LE, lo));
            c30.blend(hi, c30.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 3]) * 4, ORDER);
            c31 = c31.add(bias1);
            c31 = c31.blend(lo, c31.compare(LE, lo));
            c31.blend(hi, c31.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 3] + V) * 4, ORDER);
        }
        if (rows > 4) {
            c40 = c40.add(bias0);
            c40 = c40.blend(lo, c40.compare(LE, lo));
            c40.blend(hi, c40.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 4]) * 4, ORDER);
            c41 = c41.add(bias1);
            c41 = c41.blend(lo, c41.compare(LE, lo));
            c41.blend(hi, c41.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 4] + V) * 4, ORDER);
        }
        if (rows > 5) {
            c50 = c50.add(bias0);
            c50 = c50.blend(lo, c50.compare(LE, lo));
            c50.blend(hi, c50.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 5]) * 4, ORDER);
            c51 = c51.add(bias1);
            c51 = c51.blend(lo, c51.compare(LE, lo));
            c51.blend(hi, c51.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 5] + V) * 4, ORDER);
        }
        if (rows > 6) {
            c60 = c60.add(bias0);
            c60 = c60.blend(lo, c60.compare(LE, lo));
            c60.blend(hi, c60.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 6]) * 4, ORDER);
            c61 = c61.add(bias1);
            c61 = c61.blend(lo, c61.compare(LE, lo));
            c61.blend(hi, c61.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 6] + V) * 4, ORDER);
        }
        if (rows > 7) {
            c70 = c70.add(bias0);
            c70 = c70.blend(lo, c70.compare(LE, lo));
            c70.blend(hi, c70.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 7]) * 4, ORDER);
            c71 = c71.add(bias1);
            c71 = c71.blend(lo, c71.compare(LE, lo));
            c71.blend(hi, c71.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 7] + V) * 4, ORDER);
        }
    }

    /**
     * {@link #kernel8x2Store} for a panel of one vector ({@link Simd#V} floats per panel row): 8 rows × 1 vector,
     * columns stored where {@code last} is set. Same products in the same order as {@link #kernel8x1}. (A mask on
     * {@link #kernel8x2Store}'s second vector made that method too large for C1, "out of virtual registers", and it
     * stayed at a tier without Vector API intrinsics: a pass 15× slower.)
     */
    static void kernel8x1Store(float[] a, int aOff, int rows, int depth, float[] b, int bOff,
            MemorySegment y, long yBase, int[] yRow, int yr0, float[] bias, int biasOff, float lo, float hi,
            VectorMask<Float> last) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c0 = z;
        FloatVector c1 = z;
        FloatVector c2 = z;
        FloatVector c3 = z;
        FloatVector c4 = z;
        FloatVector c5 = z;
        FloatVector c6 = z;
        FloatVector c7 = z;
        for (int k = 0; k < depth; k++) {
            int ak = aOff + k;
            FloatVector b0 = FloatVector.fromArray(F, b, bOff + k * V);
            c0 = FloatVector.broadcast(F, a[ak]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[ak + 1 * KC]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[ak + 2 * KC]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[ak + 3 * KC]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[ak + 4 * KC]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[ak + 5 * KC]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, a[ak + 6 * KC]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, a[ak + 7 * KC]).fma(b0, c7);
        }
        FloatVector bias0 = FloatVector.fromArray(F, bias, biasOff);
        c0 = c0.add(bias0);
            c0 = c0.blend(lo, c0.compare(LE, lo));
            c0.blend(hi, c0.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0]) * 4, ORDER, last);
        if (rows > 1) {
            c1 = c1.add(bias0);
            c1 = c1.blend(lo, c1.compare(LE, lo));
            c1.blend(hi, c1.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 1]) * 4, ORDER, last);
        }
        if (rows > 2) {
            c2 = c2.add(bias0);
            c2 = c2.blend(lo, c2.compare(LE, lo));
            c2.blend(hi, c2.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 2]) * 4, ORDER, last);
        }
        if (rows > 3) {
            c3 = c3.add(bias0);
            c3 = c3.blend(lo, c3.compare(LE, lo));
            c3.blend(hi, c3.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 3]) * 4, ORDER, last);
        }
        if (rows > 4) {
            c4 = c4.add(bias0);
            c4 = c4.blend(lo, c4.compare(LE, lo));
            c4.blend(hi, c4.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 4]) * 4, ORDER, last);
        }
        if (rows > 5) {
            c5 = c5.add(bias0);
            c5 = c5.blend(lo, c5.compare(LE, lo));
            c5.blend(hi, c5.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 5]) * 4, ORDER, last);
        }
        if (rows > 6) {
            c6 = c6.add(bias0);
            c6 = c6.blend(lo, c6.compare(LE, lo));
            c6.blend(hi, c6.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 6]) * 4, ORDER, last);
        }
        if (rows > 7) {
            c7 = c7.add(bias0);
            c7 = c7.blend(lo, c7.compare(LE, lo));
            c7.blend(hi, c7.compare(GE, hi)).intoMemorySegment(y, (yBase + yRow[yr0 + 7]) * 4, ORDER, last);
        }
    }

    /** Rows of A a {@link #skinny4x2} call takes at most: a batch this small multiplies by column panels instead. */
    static final int SKINNY = 4;

    /**
     * A GEMM of at most {@link #SKINNY} rows of A (a dense layer at batch 1–4) against one {@link #NR}-wide panel
     * over the whole depth: every weight is read once for all rows, so the panel streams at memory speed. Row
     * {@code i < rows} of A is {@code a[aOff + i·lda + k]}; tile row {@code i} goes to {@code c[cOff + i·ldc]}.
     * Products are summed in the same order as {@link #kernel8x2}'s, so a batch of one gives the same results as a
     * larger batch. Rows past {@code rows} compute a copy of row 0 and are not stored.
     */
    static void skinny4x2(float[] a, int aOff, int lda, int rows, int depth, float[] b, int bOff, float[] c,
            int cOff, int ldc) {
        int a0 = aOff;
        int a1 = aOff + (rows > 1 ? 1 : 0) * lda;
        int a2 = aOff + (rows > 2 ? 2 : 0) * lda;
        int a3 = aOff + (rows > 3 ? 3 : 0) * lda;
        FloatVector z = FloatVector.zero(F);
        FloatVector c0a = z;
        FloatVector c0b = z;
        FloatVector c1a = z;
        FloatVector c1b = z;
        FloatVector c2a = z;
        FloatVector c2b = z;
        FloatVector c3a = z;
        FloatVector c3b = z;
        for (int k = 0; k < depth; k++) {
            int bk = bOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + k]);
            c0a = s.fma(b0, c0a); c0b = s.fma(b1, c0b);
            s = FloatVector.broadcast(F, a[a1 + k]);
            c1a = s.fma(b0, c1a); c1b = s.fma(b1, c1b);
            s = FloatVector.broadcast(F, a[a2 + k]);
            c2a = s.fma(b0, c2a); c2b = s.fma(b1, c2b);
            s = FloatVector.broadcast(F, a[a3 + k]);
            c3a = s.fma(b0, c3a); c3b = s.fma(b1, c3b);
        }
        {
            int o = cOff;
            c0a.intoArray(c, o);
            c0b.intoArray(c, o + V);
        }
        if (rows > 1) {
            int o = cOff + 1 * ldc;
            c1a.intoArray(c, o);
            c1b.intoArray(c, o + V);
        }
        if (rows > 2) {
            int o = cOff + 2 * ldc;
            c2a.intoArray(c, o);
            c2b.intoArray(c, o + V);
        }
        if (rows > 3) {
            int o = cOff + 3 * ldc;
            c3a.intoArray(c, o);
            c3b.intoArray(c, o + V);
        }
    }

    /** As {@link #skinny4x2} for a last panel of at most {@link Simd#V} columns (panel rows of {@code V} floats). */
    static void skinny4x1(float[] a, int aOff, int lda, int rows, int depth, float[] b, int bOff, float[] c,
            int cOff, int ldc) {
        int a0 = aOff;
        int a1 = aOff + (rows > 1 ? 1 : 0) * lda;
        int a2 = aOff + (rows > 2 ? 2 : 0) * lda;
        int a3 = aOff + (rows > 3 ? 3 : 0) * lda;
        FloatVector z = FloatVector.zero(F);
        FloatVector c0a = z;
        FloatVector c1a = z;
        FloatVector c2a = z;
        FloatVector c3a = z;
        for (int k = 0; k < depth; k++) {
            int bk = bOff + k * V;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + k]);
            c0a = s.fma(b0, c0a);
            s = FloatVector.broadcast(F, a[a1 + k]);
            c1a = s.fma(b0, c1a);
            s = FloatVector.broadcast(F, a[a2 + k]);
            c2a = s.fma(b0, c2a);
            s = FloatVector.broadcast(F, a[a3 + k]);
            c3a = s.fma(b0, c3a);
        }
        {
            int o = cOff;
            c0a.intoArray(c, o);
        }
        if (rows > 1) {
            int o = cOff + 1 * ldc;
            c1a.intoArray(c, o);
        }
        if (rows > 2) {
            int o = cOff + 2 * ldc;
            c2a.intoArray(c, o);
        }
        if (rows > 3) {
            int o = cOff + 3 * ldc;
            c3a.intoArray(c, o);
        }
    }

    /**
     * Rows per tile of the packed-A kernels: 12 rows × 2 vectors are 24 accumulators of AVX-512's 32 registers.
     * Taller than {@link #MR} because A is one sequential stream here (bench/RESULTS.md: kernel A/B).
     */
    static final int PMR = 12;
    /** Slack past the last row pointer that {@link #packA} reads (whole index vectors). */
    static final int PACK_SLACK = PMR + V;

    /** Floats of A packed by {@link #packA} for {@code rows} rows of {@code depth} elements, with a vector of slack. */
    static int packedSize(int rows, int depth) {
        return Math.toIntExact((long) Math.ceilDiv(rows, PMR) * PMR * depth + V);
    }

    /**
     * Packs rows {@code 0 .. rows − 1} of A as tiles of {@link #PMR} rows, each stored {@code [kk][PMR]} (one
     * sequential stream for the kernel): {@code dst[(t·depth + kk)·PMR + i] = src[ptr[t·PMR + i] + off[kk]]}.
     * Each column of a tile is one vector gather (or {@code PMR / V} of them). Rows past {@code rows} are zeros (their
     * results are never stored); {@code ptr} needs {@link #PACK_SLACK} entries past {@code rows} that point inside
     * {@code src} too (the gather range-checks masked-off lanes as well).
     */
    static void packA(float[] src, int[] ptr, int[] off, int rows, int depth, float[] dst) {
        for (int m = 0; m < rows; m += PMR) {
            int tileBase = m * depth;
            int valid = Math.min(PMR, rows - m);
            for (int i0 = 0; i0 < PMR; i0 += V) {
                VectorMask<Float> lanes = F.indexInRange(i0, PMR);
                VectorMask<Float> real = F.indexInRange(i0, valid);
                for (int kk = 0; kk < depth; kk++) {
                    FloatVector v = FloatVector.fromArray(F, src, off[kk], ptr, m + i0, real);
                    v.intoArray(dst, tileBase + kk * PMR + i0, lanes);
                }
            }
        }
    }

    /**
     * {@code out[m, kl] = Σ_kk A[m, kk] · B[kk, kl]} for one group, A packed by {@link #packA}: loops cache block,
     * panel, tile, as {@link #multiply}.
     */
    static void multiplyPacked(Packed b, float[] a, int rows, float[] out, int ldo) {
        multiplyPacked(b, 0, b.panels(), a, rows, out, ldo, 0);
    }

    /**
     * As {@link #multiplyPacked(Packed, float[], int, float[], int)} for panels {@code j0 .. j1 − 1} only, panel
     * {@code j} stored at column {@code panelCol[j] − col0} of {@code out}.
     */
    static void multiplyPacked(Packed b, int j0, int j1, float[] a, int rows, float[] out, int ldo, int col0) {
        if (b.groups != 1) {
            throw new IllegalArgumentException("packed A takes one group, got " + b.groups);
        }
        int depth = b.depth;
        for (int kk0 = 0; kk0 < depth; kk0 += KC) {
            int len = Math.min(KC, depth - kk0);
            boolean accumulate = kk0 > 0;
            for (int j = j0; j < j1; j++) {
                int width = b.panelWidth[j];
                int bOff = b.panelOff[j] + kk0 * width;
                int col = b.panelCol[j] - col0;
                for (int m = 0; m < rows; m += PMR) {
                    int tile = Math.min(PMR, rows - m);
                    int aOff = m * depth + kk0 * PMR;
                    if (width == NR) {
                        packed12x2(a, aOff, len, b.data, bOff, out, m * ldo + col, ldo, tile, accumulate);
                    } else {
                        packed12x1(a, aOff, len, b.data, bOff, out, m * ldo + col, ldo, tile, accumulate);
                    }
                }
            }
        }
    }

    /**
     * The packed-A micro-kernel: a {@link #PMR}-row × {@link #NR}-column tile, 24 accumulators (2 vector loads of B
     * and 12 broadcasts of A per 24 FMAs). A is read at {@code a[aOff + k·PMR + i]} for {@code k < depth}, B at
     * consecutive {@code NR}-float rows from {@code bOff}; tile row {@code i < rows} is stored at
     * {@code c[cOff + i·ldc]}, added to what is there when {@code accumulate}.
     */
    static void packed12x2(float[] a, int aOff, int depth, float[] b, int bOff, float[] c, int cOff, int ldc, int rows,
            boolean accumulate) {
        FloatVector c0a; FloatVector c0b;
        FloatVector c1a; FloatVector c1b;
        FloatVector c2a; FloatVector c2b;
        FloatVector c3a; FloatVector c3b;
        FloatVector c4a; FloatVector c4b;
        FloatVector c5a; FloatVector c5b;
        FloatVector c6a; FloatVector c6b;
        FloatVector c7a; FloatVector c7b;
        FloatVector c8a; FloatVector c8b;
        FloatVector c9a; FloatVector c9b;
        FloatVector c10a; FloatVector c10b;
        FloatVector c11a; FloatVector c11b;
        if (accumulate) {
            int o0 = cOff;
            c0a = FloatVector.fromArray(F, c, o0); c0b = FloatVector.fromArray(F, c, o0 + V);
            int o1 = cOff + (rows > 1 ? 1 : 0) * ldc;
            c1a = FloatVector.fromArray(F, c, o1); c1b = FloatVector.fromArray(F, c, o1 + V);
            int o2 = cOff + (rows > 2 ? 2 : 0) * ldc;
            c2a = FloatVector.fromArray(F, c, o2); c2b = FloatVector.fromArray(F, c, o2 + V);
            int o3 = cOff + (rows > 3 ? 3 : 0) * ldc;
            c3a = FloatVector.fromArray(F, c, o3); c3b = FloatVector.fromArray(F, c, o3 + V);
            int o4 = cOff + (rows > 4 ? 4 : 0) * ldc;
            c4a = FloatVector.fromArray(F, c, o4); c4b = FloatVector.fromArray(F, c, o4 + V);
            int o5 = cOff + (rows > 5 ? 5 : 0) * ldc;
            c5a = FloatVector.fromArray(F, c, o5); c5b = FloatVector.fromArray(F, c, o5 + V);
            int o6 = cOff + (rows > 6 ? 6 : 0) * ldc;
            c6a = FloatVector.fromArray(F, c, o6); c6b = FloatVector.fromArray(F, c, o6 + V);
            int o7 = cOff + (rows > 7 ? 7 : 0) * ldc;
            c7a = FloatVector.fromArray(F, c, o7); c7b = FloatVector.fromArray(F, c, o7 + V);
            int o8 = cOff + (rows > 8 ? 8 : 0) * ldc;
            c8a = FloatVector.fromArray(F, c, o8); c8b = FloatVector.fromArray(F, c, o8 + V);
            int o9 = cOff + (rows > 9 ? 9 : 0) * ldc;
            c9a = FloatVector.fromArray(F, c, o9); c9b = FloatVector.fromArray(F, c, o9 + V);
            int o10 = cOff + (rows > 10 ? 10 : 0) * ldc;
            c10a = FloatVector.fromArray(F, c, o10); c10b = FloatVector.fromArray(F, c, o10 + V);
            int o11 = cOff + (rows > 11 ? 11 : 0) * ldc;
            c11a = FloatVector.fromArray(F, c, o11); c11b = FloatVector.fromArray(F, c, o11 + V);
        } else {
            FloatVector z = FloatVector.zero(F);
            c0a = z; c0b = z;
            c1a = z; c1b = z;
            c2a = z; c2b = z;
            c3a = z; c3b = z;
            c4a = z; c4b = z;
            c5a = z; c5b = z;
            c6a = z; c6b = z;
            c7a = z; c7b = z;
            c8a = z; c8b = z;
            c9a = z; c9b = z;
            c10a = z; c10b = z;
            c11a = z; c11b = z;
        }
        for (int k = 0; k < depth; k++) {
            int ak = aOff + k * PMR;
            int bk = bOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[ak + 0]);
            c0a = s.fma(b0, c0a); c0b = s.fma(b1, c0b);
            s = FloatVector.broadcast(F, a[ak + 1]);
            c1a = s.fma(b0, c1a); c1b = s.fma(b1, c1b);
            s = FloatVector.broadcast(F, a[ak + 2]);
            c2a = s.fma(b0, c2a); c2b = s.fma(b1, c2b);
            s = FloatVector.broadcast(F, a[ak + 3]);
            c3a = s.fma(b0, c3a); c3b = s.fma(b1, c3b);
            s = FloatVector.broadcast(F, a[ak + 4]);
            c4a = s.fma(b0, c4a); c4b = s.fma(b1, c4b);
            s = FloatVector.broadcast(F, a[ak + 5]);
            c5a = s.fma(b0, c5a); c5b = s.fma(b1, c5b);
            s = FloatVector.broadcast(F, a[ak + 6]);
            c6a = s.fma(b0, c6a); c6b = s.fma(b1, c6b);
            s = FloatVector.broadcast(F, a[ak + 7]);
            c7a = s.fma(b0, c7a); c7b = s.fma(b1, c7b);
            s = FloatVector.broadcast(F, a[ak + 8]);
            c8a = s.fma(b0, c8a); c8b = s.fma(b1, c8b);
            s = FloatVector.broadcast(F, a[ak + 9]);
            c9a = s.fma(b0, c9a); c9b = s.fma(b1, c9b);
            s = FloatVector.broadcast(F, a[ak + 10]);
            c10a = s.fma(b0, c10a); c10b = s.fma(b1, c10b);
            s = FloatVector.broadcast(F, a[ak + 11]);
            c11a = s.fma(b0, c11a); c11b = s.fma(b1, c11b);
        }
        c0a.intoArray(c, cOff + 0 * ldc); c0b.intoArray(c, cOff + 0 * ldc + V);
        if (rows > 1) {
            c1a.intoArray(c, cOff + 1 * ldc); c1b.intoArray(c, cOff + 1 * ldc + V);
        }
        if (rows > 2) {
            c2a.intoArray(c, cOff + 2 * ldc); c2b.intoArray(c, cOff + 2 * ldc + V);
        }
        if (rows > 3) {
            c3a.intoArray(c, cOff + 3 * ldc); c3b.intoArray(c, cOff + 3 * ldc + V);
        }
        if (rows > 4) {
            c4a.intoArray(c, cOff + 4 * ldc); c4b.intoArray(c, cOff + 4 * ldc + V);
        }
        if (rows > 5) {
            c5a.intoArray(c, cOff + 5 * ldc); c5b.intoArray(c, cOff + 5 * ldc + V);
        }
        if (rows > 6) {
            c6a.intoArray(c, cOff + 6 * ldc); c6b.intoArray(c, cOff + 6 * ldc + V);
        }
        if (rows > 7) {
            c7a.intoArray(c, cOff + 7 * ldc); c7b.intoArray(c, cOff + 7 * ldc + V);
        }
        if (rows > 8) {
            c8a.intoArray(c, cOff + 8 * ldc); c8b.intoArray(c, cOff + 8 * ldc + V);
        }
        if (rows > 9) {
            c9a.intoArray(c, cOff + 9 * ldc); c9b.intoArray(c, cOff + 9 * ldc + V);
        }
        if (rows > 10) {
            c10a.intoArray(c, cOff + 10 * ldc); c10b.intoArray(c, cOff + 10 * ldc + V);
        }
        if (rows > 11) {
            c11a.intoArray(c, cOff + 11 * ldc); c11b.intoArray(c, cOff + 11 * ldc + V);
        }
    }

    /** As {@link #packed12x2} for a last panel of at most {@link Simd#V} columns (panel rows of {@code V} floats). */
    static void packed12x1(float[] a, int aOff, int depth, float[] b, int bOff, float[] c, int cOff, int ldc, int rows,
            boolean accumulate) {
        FloatVector c0a;
        FloatVector c1a;
        FloatVector c2a;
        FloatVector c3a;
        FloatVector c4a;
        FloatVector c5a;
        FloatVector c6a;
        FloatVector c7a;
        FloatVector c8a;
        FloatVector c9a;
        FloatVector c10a;
        FloatVector c11a;
        if (accumulate) {
            int o0 = cOff;
            c0a = FloatVector.fromArray(F, c, o0);
            int o1 = cOff + (rows > 1 ? 1 : 0) * ldc;
            c1a = FloatVector.fromArray(F, c, o1);
            int o2 = cOff + (rows > 2 ? 2 : 0) * ldc;
            c2a = FloatVector.fromArray(F, c, o2);
            int o3 = cOff + (rows > 3 ? 3 : 0) * ldc;
            c3a = FloatVector.fromArray(F, c, o3);
            int o4 = cOff + (rows > 4 ? 4 : 0) * ldc;
            c4a = FloatVector.fromArray(F, c, o4);
            int o5 = cOff + (rows > 5 ? 5 : 0) * ldc;
            c5a = FloatVector.fromArray(F, c, o5);
            int o6 = cOff + (rows > 6 ? 6 : 0) * ldc;
            c6a = FloatVector.fromArray(F, c, o6);
            int o7 = cOff + (rows > 7 ? 7 : 0) * ldc;
            c7a = FloatVector.fromArray(F, c, o7);
            int o8 = cOff + (rows > 8 ? 8 : 0) * ldc;
            c8a = FloatVector.fromArray(F, c, o8);
            int o9 = cOff + (rows > 9 ? 9 : 0) * ldc;
            c9a = FloatVector.fromArray(F, c, o9);
            int o10 = cOff + (rows > 10 ? 10 : 0) * ldc;
            c10a = FloatVector.fromArray(F, c, o10);
            int o11 = cOff + (rows > 11 ? 11 : 0) * ldc;
            c11a = FloatVector.fromArray(F, c, o11);
        } else {
            FloatVector z = FloatVector.zero(F);
            c0a = z;
            c1a = z;
            c2a = z;
            c3a = z;
            c4a = z;
            c5a = z;
            c6a = z;
            c7a = z;
            c8a = z;
            c9a = z;
            c10a = z;
            c11a = z;
        }
        for (int k = 0; k < depth; k++) {
            int ak = aOff + k * PMR;
            int bk = bOff + k * V;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector s;
            s = FloatVector.broadcast(F, a[ak + 0]);
            c0a = s.fma(b0, c0a);
            s = FloatVector.broadcast(F, a[ak + 1]);
            c1a = s.fma(b0, c1a);
            s = FloatVector.broadcast(F, a[ak + 2]);
            c2a = s.fma(b0, c2a);
            s = FloatVector.broadcast(F, a[ak + 3]);
            c3a = s.fma(b0, c3a);
            s = FloatVector.broadcast(F, a[ak + 4]);
            c4a = s.fma(b0, c4a);
            s = FloatVector.broadcast(F, a[ak + 5]);
            c5a = s.fma(b0, c5a);
            s = FloatVector.broadcast(F, a[ak + 6]);
            c6a = s.fma(b0, c6a);
            s = FloatVector.broadcast(F, a[ak + 7]);
            c7a = s.fma(b0, c7a);
            s = FloatVector.broadcast(F, a[ak + 8]);
            c8a = s.fma(b0, c8a);
            s = FloatVector.broadcast(F, a[ak + 9]);
            c9a = s.fma(b0, c9a);
            s = FloatVector.broadcast(F, a[ak + 10]);
            c10a = s.fma(b0, c10a);
            s = FloatVector.broadcast(F, a[ak + 11]);
            c11a = s.fma(b0, c11a);
        }
        c0a.intoArray(c, cOff + 0 * ldc);
        if (rows > 1) {
            c1a.intoArray(c, cOff + 1 * ldc);
        }
        if (rows > 2) {
            c2a.intoArray(c, cOff + 2 * ldc);
        }
        if (rows > 3) {
            c3a.intoArray(c, cOff + 3 * ldc);
        }
        if (rows > 4) {
            c4a.intoArray(c, cOff + 4 * ldc);
        }
        if (rows > 5) {
            c5a.intoArray(c, cOff + 5 * ldc);
        }
        if (rows > 6) {
            c6a.intoArray(c, cOff + 6 * ldc);
        }
        if (rows > 7) {
            c7a.intoArray(c, cOff + 7 * ldc);
        }
        if (rows > 8) {
            c8a.intoArray(c, cOff + 8 * ldc);
        }
        if (rows > 9) {
            c9a.intoArray(c, cOff + 9 * ldc);
        }
        if (rows > 10) {
            c10a.intoArray(c, cOff + 10 * ldc);
        }
        if (rows > 11) {
            c11a.intoArray(c, cOff + 11 * ldc);
        }
    }

    /** The reduction depth {@link #smallDepth} takes: its weights stay in registers (2 × 9 vectors). */
    static final int SMALL_DEPTH = 9;

    /**
     * A reduction of exactly {@link #SMALL_DEPTH} elements against one {@link #NR}-wide panel (a first layer on one
     * channel: 3×3 × 1 → 32 filters), weight-stationary: the panel's rows stay in registers and a pixel costs 9
     * broadcasts and 18 FMAs, without kernel8x2's per-tile set-up, which dominates at this depth (its GEMM ran at
     * 35–45 % of peak here). Element {@code d} of pixel {@code m} is {@code a[ptr[m] + off[d]]}; row {@code m} of
     * the result goes to {@code out[m·ldo .. m·ldo + NR)}. The same products are summed in the same order as
     * {@link #kernel8x2}, so results are identical. {@code rows} is rounded up to 4: {@code ptr} and {@code out}
     * need that slack.
     */
    static void smallDepth(Packed b, int[] off, float[] a, int[] ptr, int rows, float[] out, int ldo) {
        float[] w = b.data;
        int o = b.panelOff[0];
        FloatVector w00 = FloatVector.fromArray(F, w, o);
        FloatVector w01 = FloatVector.fromArray(F, w, o + V);
        FloatVector w10 = FloatVector.fromArray(F, w, o + 1 * NR);
        FloatVector w11 = FloatVector.fromArray(F, w, o + 1 * NR + V);
        FloatVector w20 = FloatVector.fromArray(F, w, o + 2 * NR);
        FloatVector w21 = FloatVector.fromArray(F, w, o + 2 * NR + V);
        FloatVector w30 = FloatVector.fromArray(F, w, o + 3 * NR);
        FloatVector w31 = FloatVector.fromArray(F, w, o + 3 * NR + V);
        FloatVector w40 = FloatVector.fromArray(F, w, o + 4 * NR);
        FloatVector w41 = FloatVector.fromArray(F, w, o + 4 * NR + V);
        FloatVector w50 = FloatVector.fromArray(F, w, o + 5 * NR);
        FloatVector w51 = FloatVector.fromArray(F, w, o + 5 * NR + V);
        FloatVector w60 = FloatVector.fromArray(F, w, o + 6 * NR);
        FloatVector w61 = FloatVector.fromArray(F, w, o + 6 * NR + V);
        FloatVector w70 = FloatVector.fromArray(F, w, o + 7 * NR);
        FloatVector w71 = FloatVector.fromArray(F, w, o + 7 * NR + V);
        FloatVector w80 = FloatVector.fromArray(F, w, o + 8 * NR);
        FloatVector w81 = FloatVector.fromArray(F, w, o + 8 * NR + V);
        int f0 = off[0];
        int f1 = off[1];
        int f2 = off[2];
        int f3 = off[3];
        int f4 = off[4];
        int f5 = off[5];
        int f6 = off[6];
        int f7 = off[7];
        int f8 = off[8];
        for (int m = 0; m < rows; m += 4) {
            for (int i = 0; i < 4; i++) {
                int p = ptr[m + i];
                FloatVector x = FloatVector.broadcast(F, a[p + f0]);
                FloatVector c0 = x.mul(w00);
                FloatVector c1 = x.mul(w01);
                x = FloatVector.broadcast(F, a[p + f1]);
                c0 = x.fma(w10, c0);
                c1 = x.fma(w11, c1);
                x = FloatVector.broadcast(F, a[p + f2]);
                c0 = x.fma(w20, c0);
                c1 = x.fma(w21, c1);
                x = FloatVector.broadcast(F, a[p + f3]);
                c0 = x.fma(w30, c0);
                c1 = x.fma(w31, c1);
                x = FloatVector.broadcast(F, a[p + f4]);
                c0 = x.fma(w40, c0);
                c1 = x.fma(w41, c1);
                x = FloatVector.broadcast(F, a[p + f5]);
                c0 = x.fma(w50, c0);
                c1 = x.fma(w51, c1);
                x = FloatVector.broadcast(F, a[p + f6]);
                c0 = x.fma(w60, c0);
                c1 = x.fma(w61, c1);
                x = FloatVector.broadcast(F, a[p + f7]);
                c0 = x.fma(w70, c0);
                c1 = x.fma(w71, c1);
                x = FloatVector.broadcast(F, a[p + f8]);
                c0 = x.fma(w80, c0);
                c1 = x.fma(w81, c1);
                int dst = (m + i) * ldo;
                c0.intoArray(out, dst);
                c1.intoArray(out, dst + V);
            }
        }
    }
}
