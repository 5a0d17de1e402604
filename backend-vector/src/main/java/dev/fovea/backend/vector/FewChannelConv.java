package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import jdk.incubator.vector.FloatVector;

/**
 * Direct convolution for layers with few input channels (a network's first layer: 7×7 stride 2, 3 → 64), where a
 * kernel row's contiguous run is only {@code S·C} floats and a GEMM's per-tile set-up or an im2col copy of every
 * patch costs as much as the products.
 *
 * <p>Six output pixels × four vectors of filters are held in 24 accumulators; each reduction element
 * {@code (r, s, c)} is one broadcast per pixel, read straight from {@link ConvPlan}'s zero-padded channels-last
 * rows at {@code in[ptr[m] + off(t)]}, against four vectors of the weights {@code [t][kPad]} (zero past the last
 * filter), which stay in L1 across all pixels. Filters past the last full four-vector block take a one-vector
 * kernel. Output row {@code m} goes to {@code out[m·ldo + col]}, all {@code kPad} columns written.
 *
 * <pre>{@code
 * FewChannelConv conv = new FewChannelConv(geometry, weights);     // [K, C, R, S] packed once
 * conv.multiply(in, rowPtr, pixels, tile, conv.kPad);              // a task's pixels into its output tile
 * }</pre>
 */
final class FewChannelConv {
    /** Input channels up to which a convolution takes this kernel. */
    static final int MAX_CHANNELS = 4;
    /** Output pixels per register block. */
    static final int PIXELS = 6;
    /** Filter vectors per register block. */
    static final int VECTORS = 4;
    /** The most weight floats one block of filters may read per pixel block: 40 KB, within a core's 48 KB L1. */
    static final int L1_WEIGHTS = 10 * 1024;

    /**
     * Whether {@code op} is a convolution this kernel takes: one group, at most {@link #MAX_CHANNELS} input
     * channels, a reduction deeper than {@link Gemm#smallDepth}'s (which keeps its weights in registers), at least
     * one full block of {@link #VECTORS} vectors of filters (fewer leave the FMA units idle) whose weights fit
     * {@link #L1_WEIGHTS} (AlexNet's 11×11 stem, 93 KB, ran slower from L2 than the GEMM).
     */
    static boolean applies(ConvolutionDescriptor op) {
        int c = op.input().c();
        int depth = op.kernelH() * op.kernelW() * c;
        return op.groups() == 1 && c <= MAX_CHANNELS && depth > Gemm.SMALL_DEPTH
                && op.filters() >= VECTORS * V && depth * VECTORS * V <= L1_WEIGHTS;
    }

    /** Weights {@code [(r·S + s)·C + c][kPad]}, zero past the last filter. */
    private final float[] weights;
    /** Columns per weight row: the filters rounded up to whole vectors. */
    final int kPad;
    /** Offsets of the reduction's runs from a pixel's pointer into the gathered rows. */
    private final int[] runOff;
    /** Floats per run: a kernel row's {@code S·C} without horizontal dilation, else a tap's {@code C}. */
    private final int runLen;

    /** @param wts the filters {@code [K, C, R, S]} of convolution {@code g} */
    FewChannelConv(ConvGeometry g, float[] wts) {
        kPad = Math.ceilDiv(g.k, V) * V;
        weights = new float[g.depth * kPad];
        for (int f = 0; f < g.k; f++) {
            for (int ch = 0; ch < g.c; ch++) {
                for (int t = 0; t < g.r * g.s; t++) {
                    weights[(t * g.c + ch) * kPad + f] = wts[(f * g.c + ch) * g.r * g.s + t];
                }
            }
        }
        boolean rows = g.dw == 1;
        runLen = rows ? g.s * g.c : g.c;
        runOff = Gemm.index(rows ? g.r : g.r * g.s, t -> rows ? g.tapOffset(t, 0) : g.tapOffset(t / g.s, t % g.s));
    }

    /**
     * {@code out[m·ldo + j] = Σ_t in[ptr[m] + off(t)] · weights[t·kPad + j]} for pixels {@code m < pixels}, columns
     * {@code j < kPad}: {@code ptr[m]} is pixel {@code m}'s corner in the gathered rows, and element
     * {@code t = i·runLen + u} of the reduction is at {@code off(t) = runOff[i] + u}.
     */
    void multiply(float[] in, int[] ptr, int pixels, float[] out, int ldo) {
        int full = kPad / (VECTORS * V) * (VECTORS * V);
        for (int m = 0; m < pixels; m += PIXELS) {
            int rows = Math.min(PIXELS, pixels - m);
            for (int col = 0; col < full; col += VECTORS * V) {
                block6x4(weights, kPad, col, runOff, runLen, in, ptr, m, rows, out, ldo);
            }
            for (int col = full; col < kPad; col += V) {
                block6x1(weights, kPad, col, runOff, runLen, in, ptr, m, rows, out, ldo);
            }
        }
    }

    /** Pixel {@code m + i}'s pointer, the block's last real one for rows past {@code rows} (computed, not stored). */
    private static int pointer(int[] ptr, int m, int i, int rows) {
        return ptr[m + Math.min(i, rows - 1)];
    }

    /** Pixels {@code m .. m + rows − 1} (rows ≤ 6) × filter columns {@code col .. col + 4V − 1}. */
    private static void block6x4(float[] w, int kPad, int col, int[] runOff, int runLen, float[] in, int[] ptr,
                                 int m, int rows, float[] out, int ldo) {
        int p0 = pointer(ptr, m, 0, rows);
        int p1 = pointer(ptr, m, 1, rows);
        int p2 = pointer(ptr, m, 2, rows);
        int p3 = pointer(ptr, m, 3, rows);
        int p4 = pointer(ptr, m, 4, rows);
        int p5 = pointer(ptr, m, 5, rows);
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z; FloatVector c01 = z; FloatVector c02 = z; FloatVector c03 = z;
        FloatVector c10 = z; FloatVector c11 = z; FloatVector c12 = z; FloatVector c13 = z;
        FloatVector c20 = z; FloatVector c21 = z; FloatVector c22 = z; FloatVector c23 = z;
        FloatVector c30 = z; FloatVector c31 = z; FloatVector c32 = z; FloatVector c33 = z;
        FloatVector c40 = z; FloatVector c41 = z; FloatVector c42 = z; FloatVector c43 = z;
        FloatVector c50 = z; FloatVector c51 = z; FloatVector c52 = z; FloatVector c53 = z;
        // Runs, so that the inner loop's indices are linear and C2 hoists their range checks.
        for (int run = 0; run < runOff.length; run++) {
            int d0 = runOff[run];
            int w0b = run * runLen * kPad + col;
            for (int u = 0; u < runLen; u++) {
                int d = d0 + u;
                int wb = w0b + u * kPad;
                FloatVector w0 = FloatVector.fromArray(F, w, wb);
                FloatVector w1 = FloatVector.fromArray(F, w, wb + V);
                FloatVector w2 = FloatVector.fromArray(F, w, wb + 2 * V);
                FloatVector w3 = FloatVector.fromArray(F, w, wb + 3 * V);
                FloatVector x;
                x = FloatVector.broadcast(F, in[p0 + d]);
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01); c02 = x.fma(w2, c02); c03 = x.fma(w3, c03);
                x = FloatVector.broadcast(F, in[p1 + d]);
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11); c12 = x.fma(w2, c12); c13 = x.fma(w3, c13);
                x = FloatVector.broadcast(F, in[p2 + d]);
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21); c22 = x.fma(w2, c22); c23 = x.fma(w3, c23);
                x = FloatVector.broadcast(F, in[p3 + d]);
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31); c32 = x.fma(w2, c32); c33 = x.fma(w3, c33);
                x = FloatVector.broadcast(F, in[p4 + d]);
                c40 = x.fma(w0, c40); c41 = x.fma(w1, c41); c42 = x.fma(w2, c42); c43 = x.fma(w3, c43);
                x = FloatVector.broadcast(F, in[p5 + d]);
                c50 = x.fma(w0, c50); c51 = x.fma(w1, c51); c52 = x.fma(w2, c52); c53 = x.fma(w3, c53);
            }
        }
        int o = m * ldo + col;
        c00.intoArray(out, o); c01.intoArray(out, o + V); c02.intoArray(out, o + 2 * V); c03.intoArray(out, o + 3 * V);
        if (rows > 1) {
            o += ldo;
            c10.intoArray(out, o); c11.intoArray(out, o + V); c12.intoArray(out, o + 2 * V);
            c13.intoArray(out, o + 3 * V);
        }
        if (rows > 2) {
            o += ldo;
            c20.intoArray(out, o); c21.intoArray(out, o + V); c22.intoArray(out, o + 2 * V);
            c23.intoArray(out, o + 3 * V);
        }
        if (rows > 3) {
            o += ldo;
            c30.intoArray(out, o); c31.intoArray(out, o + V); c32.intoArray(out, o + 2 * V);
            c33.intoArray(out, o + 3 * V);
        }
        if (rows > 4) {
            o += ldo;
            c40.intoArray(out, o); c41.intoArray(out, o + V); c42.intoArray(out, o + 2 * V);
            c43.intoArray(out, o + 3 * V);
        }
        if (rows > 5) {
            o += ldo;
            c50.intoArray(out, o); c51.intoArray(out, o + V); c52.intoArray(out, o + 2 * V);
            c53.intoArray(out, o + 3 * V);
        }
    }

    /** As {@link #block6x4} for one vector of filter columns from {@code col}. */
    private static void block6x1(float[] w, int kPad, int col, int[] runOff, int runLen, float[] in, int[] ptr,
                                 int m, int rows, float[] out, int ldo) {
        int p0 = pointer(ptr, m, 0, rows);
        int p1 = pointer(ptr, m, 1, rows);
        int p2 = pointer(ptr, m, 2, rows);
        int p3 = pointer(ptr, m, 3, rows);
        int p4 = pointer(ptr, m, 4, rows);
        int p5 = pointer(ptr, m, 5, rows);
        FloatVector z = FloatVector.zero(F);
        FloatVector c0 = z; FloatVector c1 = z; FloatVector c2 = z;
        FloatVector c3 = z; FloatVector c4 = z; FloatVector c5 = z;
        for (int run = 0; run < runOff.length; run++) {
            int d0 = runOff[run];
            int w0b = run * runLen * kPad + col;
            for (int u = 0; u < runLen; u++) {
                int d = d0 + u;
                FloatVector w0 = FloatVector.fromArray(F, w, w0b + u * kPad);
                c0 = FloatVector.broadcast(F, in[p0 + d]).fma(w0, c0);
                c1 = FloatVector.broadcast(F, in[p1 + d]).fma(w0, c1);
                c2 = FloatVector.broadcast(F, in[p2 + d]).fma(w0, c2);
                c3 = FloatVector.broadcast(F, in[p3 + d]).fma(w0, c3);
                c4 = FloatVector.broadcast(F, in[p4 + d]).fma(w0, c4);
                c5 = FloatVector.broadcast(F, in[p5 + d]).fma(w0, c5);
            }
        }
        int o = m * ldo + col;
        c0.intoArray(out, o);
        if (rows > 1) {
            c1.intoArray(out, o + ldo);
        }
        if (rows > 2) {
            c2.intoArray(out, o + 2 * ldo);
        }
        if (rows > 3) {
            c3.intoArray(out, o + 3 * ldo);
        }
        if (rows > 4) {
            c4.intoArray(out, o + 4 * ldo);
        }
        if (rows > 5) {
            c5.intoArray(out, o + 5 * ldo);
        }
    }
}
