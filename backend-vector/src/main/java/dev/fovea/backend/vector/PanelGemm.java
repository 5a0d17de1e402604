package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import jdk.incubator.vector.FloatVector;

/**
 * A weight matrix {@code B[kk][col]} ({@code kk < depth}, {@code col < cols}) packed once at plan time for a GEMM
 * whose A is row-major ({@code lda} floats per row): a 1×1 convolution's pixels, or a convolution's im2col rows.
 * Panels of {@link #NR} columns, then the rest in panels of {@code 2V} or {@code V}, each stored {@code [kk][width]}
 * with zero columns past {@code cols}. The micro-kernel holds an {@link #MR} × {@link #NR} tile in 24 vector
 * registers (6 broadcasts and 4 loads per 24 FMAs; the 8 × 2-vector {@link Gemm} kernel takes 8 and 2 per 16); the
 * reduction is blocked by {@link #KC} so that a panel's slice stays in L1 while the tiles sweep over it.
 */
final class PanelGemm {
    /** Rows of A per micro-tile. */
    static final int MR = 6;
    /** Columns of a full panel: four vectors. */
    static final int NR = 4 * V;
    /** Reduction depth per cache block: a {@code KC × NR} panel slice is 32 KiB. */
    static final int KC = 8192 / NR;

    final int depth;
    final int cols;
    /** Columns of all panels together: {@code cols} rounded up to whole vectors. */
    final int colsPad;
    final int[] panelCol;
    final int[] panelWidth;
    final int[] panelOff;
    final float[] data;

    /** Packs {@code B[kk][col] = w[col · depth + rowIndex[kk]]}. */
    PanelGemm(float[] w, int depth, int cols, int[] rowIndex) {
        this.depth = depth;
        this.cols = cols;
        int full = cols / NR;
        int count = full;
        for (int rest = cols - full * NR; rest > 0; rest -= rest > V ? 2 * V : V) {
            count++;
        }
        panelCol = new int[count];
        panelWidth = new int[count];
        panelOff = new int[count];
        int col = 0;
        int off = 0;
        for (int j = 0; j < count; j++) {
            int width = j < full ? NR : (cols - col > V ? 2 * V : V);
            panelCol[j] = col;
            panelWidth[j] = width;
            panelOff[j] = off;
            col += width;
            off += depth * width;
        }
        colsPad = col;
        data = new float[off];
        for (int j = 0; j < count; j++) {
            int valid = Math.min(panelWidth[j], cols - panelCol[j]);
            for (int kk = 0; kk < depth; kk++) {
                for (int i = 0; i < valid; i++) {
                    data[panelOff[j] + kk * panelWidth[j] + i] = w[(panelCol[j] + i) * depth + rowIndex[kk]];
                }
            }
        }
    }

    int panels() {
        return panelCol.length;
    }

    /**
     * {@code tile[m · ldt + col − panelCol[j0]] = Σ_kk a[m · lda + kk] · B[kk][col]} for {@code m < rows} (a multiple
     * of {@link #MR}) and the columns of panels {@code j0 .. j1 − 1}. Loops: cache block, panel, tile.
     */
    void multiply(float[] a, int lda, int rows, int j0, int j1, float[] tile, int ldt) {
        int col0 = panelCol[j0];
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int len = Math.min(KC, depth - k0);
            boolean first = k0 == 0;
            for (int j = j0; j < j1; j++) {
                int pw = panelWidth[j];
                int bOff = panelOff[j] + k0 * pw;
                int tOff = panelCol[j] - col0;
                for (int i = 0; i < rows; i += MR) {
                    int aOff = i * lda + k0;
                    int cOff = i * ldt + tOff;
                    if (pw == NR) {
                        kernel4(a, aOff, lda, len, data, bOff, tile, cOff, ldt, first);
                    } else if (pw == 2 * V) {
                        kernel2(a, aOff, lda, len, data, bOff, tile, cOff, ldt, first);
                    } else {
                        kernel1(a, aOff, lda, len, data, bOff, tile, cOff, ldt, first);
                    }
                }
            }
        }
    }

    /**
     * The main micro-kernel: {@code C[i][0, NR) (+)= Σ_{kk < len} A[i][kk] · B[kk][0, NR)} for the {@link #MR}
     * rows {@code i} of A at {@code a[aOff + i·lda]}, B the panel rows at {@code b[bOff + kk·NR]}, C at
     * {@code c[cOff + i·ldc]}; {@code first} starts from zero instead of adding to C.
     */
    static void kernel4(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        FloatVector c00;
        FloatVector c01;
        FloatVector c02;
        FloatVector c03;
        FloatVector c10;
        FloatVector c11;
        FloatVector c12;
        FloatVector c13;
        FloatVector c20;
        FloatVector c21;
        FloatVector c22;
        FloatVector c23;
        FloatVector c30;
        FloatVector c31;
        FloatVector c32;
        FloatVector c33;
        FloatVector c40;
        FloatVector c41;
        FloatVector c42;
        FloatVector c43;
        FloatVector c50;
        FloatVector c51;
        FloatVector c52;
        FloatVector c53;
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
            c40 = z; c41 = z; c42 = z; c43 = z;
            c50 = z; c51 = z; c52 = z; c53 = z;
        } else {
            int o = cOff;
            c00 = FloatVector.fromArray(F, c, o); c01 = FloatVector.fromArray(F, c, o + V);
            c02 = FloatVector.fromArray(F, c, o + 2 * V); c03 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c10 = FloatVector.fromArray(F, c, o); c11 = FloatVector.fromArray(F, c, o + V);
            c12 = FloatVector.fromArray(F, c, o + 2 * V); c13 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c20 = FloatVector.fromArray(F, c, o); c21 = FloatVector.fromArray(F, c, o + V);
            c22 = FloatVector.fromArray(F, c, o + 2 * V); c23 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c30 = FloatVector.fromArray(F, c, o); c31 = FloatVector.fromArray(F, c, o + V);
            c32 = FloatVector.fromArray(F, c, o + 2 * V); c33 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c40 = FloatVector.fromArray(F, c, o); c41 = FloatVector.fromArray(F, c, o + V);
            c42 = FloatVector.fromArray(F, c, o + 2 * V); c43 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c50 = FloatVector.fromArray(F, c, o); c51 = FloatVector.fromArray(F, c, o + V);
            c52 = FloatVector.fromArray(F, c, o + 2 * V); c53 = FloatVector.fromArray(F, c, o + 3 * V);
        }
        for (int kk = 0; kk < len; kk++) {
            int bk = bOff + kk * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * V);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01); c02 = s.fma(b2, c02); c03 = s.fma(b3, c03);
            s = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11); c12 = s.fma(b2, c12); c13 = s.fma(b3, c13);
            s = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21); c22 = s.fma(b2, c22); c23 = s.fma(b3, c23);
            s = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31); c32 = s.fma(b2, c32); c33 = s.fma(b3, c33);
            s = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41); c42 = s.fma(b2, c42); c43 = s.fma(b3, c43);
            s = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51); c52 = s.fma(b2, c52); c53 = s.fma(b3, c53);
        }
        int o = cOff;
        c00.intoArray(c, o); c01.intoArray(c, o + V); c02.intoArray(c, o + 2 * V); c03.intoArray(c, o + 3 * V);
        o += ldc;
        c10.intoArray(c, o); c11.intoArray(c, o + V); c12.intoArray(c, o + 2 * V); c13.intoArray(c, o + 3 * V);
        o += ldc;
        c20.intoArray(c, o); c21.intoArray(c, o + V); c22.intoArray(c, o + 2 * V); c23.intoArray(c, o + 3 * V);
        o += ldc;
        c30.intoArray(c, o); c31.intoArray(c, o + V); c32.intoArray(c, o + 2 * V); c33.intoArray(c, o + 3 * V);
        o += ldc;
        c40.intoArray(c, o); c41.intoArray(c, o + V); c42.intoArray(c, o + 2 * V); c43.intoArray(c, o + 3 * V);
        o += ldc;
        c50.intoArray(c, o); c51.intoArray(c, o + V); c52.intoArray(c, o + 2 * V); c53.intoArray(c, o + 3 * V);
    }

    /** {@link #kernel4} for a panel of two vectors (panel rows {@code 2V} floats apart). */
    static void kernel2(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
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
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
            c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        } else {
            c00 = FloatVector.fromArray(F, c, cOff); c01 = FloatVector.fromArray(F, c, cOff + V);
            c10 = FloatVector.fromArray(F, c, cOff + ldc); c11 = FloatVector.fromArray(F, c, cOff + ldc + V);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + V);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + V);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + V);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + V);
        }
        for (int kk = 0; kk < len; kk++) {
            int bk = bOff + kk * 2 * V;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + V);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + V);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + V);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + V);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + V);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + V);
    }

    /** {@link #kernel4} for a panel of one vector. */
    static void kernel1(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        FloatVector c0;
        FloatVector c1;
        FloatVector c2;
        FloatVector c3;
        FloatVector c4;
        FloatVector c5;
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z;
        } else {
            c0 = FloatVector.fromArray(F, c, cOff);
            c1 = FloatVector.fromArray(F, c, cOff + ldc);
            c2 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, cOff + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, cOff + 5 * ldc);
        }
        for (int kk = 0; kk < len; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * V);
            c0 = FloatVector.broadcast(F, a[a0 + kk]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[a1 + kk]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[a2 + kk]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[a3 + kk]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[a4 + kk]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[a5 + kk]).fma(b0, c5);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
    }
}
