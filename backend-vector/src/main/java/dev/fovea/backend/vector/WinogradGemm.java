package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import jdk.incubator.vector.FloatVector;

/**
 * The micro-kernels of {@link Winograd}'s 36 products: {@code C[m][0..W) = Σ_ch A[m][ch] · B[ch][0..W)} for
 * {@link #ROWS} rows of A stored {@code lda} apart (one tile's transformed input per row, channels contiguous) and a
 * panel B of {@code W} = 4, 2 or 1 vectors per reduction step. The 6 × 4-vector shape keeps 24 accumulators, 4 loads
 * of B and 6 broadcasts of A per 24 FMAs: with Winograd's short reductions (the input channels) and contiguous
 * rows, it ran faster than {@link Gemm#kernel8x2}'s 8 × 2 (16 accumulators) on the same products.
 */
final class WinogradGemm {
    /** Rows of A per kernel call. */
    static final int ROWS = 6;

    private WinogradGemm() {
    }

    /** Dispatch on the panel width {@code width} (4, 2 or 1 vectors). */
    static void kernel(int width, float[] a, int aOff, int lda, int depth, float[] b, int bOff, float[] c, int cOff,
                       int ldc) {
        if (width == 4 * V) {
            kernel6x4(a, aOff, lda, depth, b, bOff, c, cOff, ldc);
        } else if (width == 2 * V) {
            kernel6x2(a, aOff, lda, depth, b, bOff, c, cOff, ldc);
        } else {
            kernel6x1(a, aOff, lda, depth, b, bOff, c, cOff, ldc);
        }
    }

    /** Six rows × four vectors: the main kernel. Rows are stored at {@code c[cOff + i·ldc]}, overwriting. */
    static void kernel6x4(float[] a, int aOff, int lda, int depth, float[] b, int bOff, float[] c, int cOff,
                          int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c43 = z;
        FloatVector c50 = z, c51 = z, c52 = z, c53 = z;
        int a0 = aOff;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int bk = bOff;
        for (int k = 0; k < depth; k++, bk += 4 * V) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * V);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * V);
            FloatVector s = FloatVector.broadcast(F, a[a0 + k]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01); c02 = s.fma(b2, c02); c03 = s.fma(b3, c03);
            s = FloatVector.broadcast(F, a[a1 + k]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11); c12 = s.fma(b2, c12); c13 = s.fma(b3, c13);
            s = FloatVector.broadcast(F, a[a2 + k]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21); c22 = s.fma(b2, c22); c23 = s.fma(b3, c23);
            s = FloatVector.broadcast(F, a[a3 + k]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31); c32 = s.fma(b2, c32); c33 = s.fma(b3, c33);
            s = FloatVector.broadcast(F, a[a4 + k]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41); c42 = s.fma(b2, c42); c43 = s.fma(b3, c43);
            s = FloatVector.broadcast(F, a[a5 + k]);
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

    /** Six rows × two vectors (a last panel of 2 vectors, or 32 filters at 512 bits). */
    static void kernel6x2(float[] a, int aOff, int lda, int depth, float[] b, int bOff, float[] c, int cOff,
                          int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int a0 = aOff;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int bk = bOff;
        for (int k = 0; k < depth; k++, bk += 2 * V) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s = FloatVector.broadcast(F, a[a0 + k]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[a1 + k]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[a2 + k]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[a3 + k]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[a4 + k]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, a[a5 + k]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
        }
        int o = cOff;
        c00.intoArray(c, o); c01.intoArray(c, o + V);
        o += ldc;
        c10.intoArray(c, o); c11.intoArray(c, o + V);
        o += ldc;
        c20.intoArray(c, o); c21.intoArray(c, o + V);
        o += ldc;
        c30.intoArray(c, o); c31.intoArray(c, o + V);
        o += ldc;
        c40.intoArray(c, o); c41.intoArray(c, o + V);
        o += ldc;
        c50.intoArray(c, o); c51.intoArray(c, o + V);
    }

    /** Six rows × one vector (a last panel of one vector). */
    static void kernel6x1(float[] a, int aOff, int lda, int depth, float[] b, int bOff, float[] c, int cOff,
                          int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z;
        int a0 = aOff;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int bk = bOff;
        for (int k = 0; k < depth; k++, bk += V) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            c0 = FloatVector.broadcast(F, a[a0 + k]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[a1 + k]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[a2 + k]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[a3 + k]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[a4 + k]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[a5 + k]).fma(b0, c5);
        }
        int o = cOff;
        c0.intoArray(c, o);
        c1.intoArray(c, o + ldc);
        c2.intoArray(c, o + 2 * ldc);
        c3.intoArray(c, o + 3 * ldc);
        c4.intoArray(c, o + 4 * ldc);
        c5.intoArray(c, o + 5 * ldc);
    }
}
