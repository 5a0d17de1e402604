package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import jdk.incubator.vector.FloatVector;

/**
 * A 9-element reduction ({@link Gemm#smallDepth}: 3×3 on one channel, filters in one {@link Gemm#NR}-wide panel)
 * with a 2×2, stride-2 max pooling done in registers: the four convolution pixels under a pooled pixel are computed
 * and their max stored, so the convolution's output never reaches memory (MNIST's first layer: 22 MB written and
 * read back per batch of 256 when pooled from a tile). The products are summed in {@link Gemm#smallDepth}'s order,
 * and the max is {@link Math#max}'s (NaN wins), so results equal pooling its output; the bias and a clamp (ReLU,
 * ReLU6) commute with the max and are added to the pooled values.
 */
final class SmallDepthPool {
    private SmallDepthPool() {
    }

    /**
     * For each of {@code images} images (convolution pixel pointers {@code perImage} apart in {@code ptr}, rows of
     * {@code q} pixels, the task's first convolution row at index 0) and pooled rows {@code 0 .. rows}, columns
     * {@code 0 .. outQ}: the max over convolution pixels (2·i + a, 2·j + b) into {@code out[((img·rows + i)·outQ +
     * j)·ldo ..]} ({@link Gemm#NR} floats). {@code convRow0} is the convolution row of pooled row 0, relative to
     * the task's first. Then {@code min(max(v + bias, lo), hi)} ({@code bias}: {@link Gemm#NR} floats).
     */
    static void maxPool(Gemm.Packed b, int[] off, float[] a, int[] ptr, int images, int perImage, int q, int convRow0,
                        int rows, int outQ, float[] bias, float lo, float hi, float[] out, int ldo) {
        FloatVector b0 = FloatVector.fromArray(F, bias, 0);
        FloatVector b1 = FloatVector.fromArray(F, bias, V);
        float[] w = b.data;
        int o = b.panelOff[0];
        FloatVector w00 = FloatVector.fromArray(F, w, o);
        FloatVector w01 = FloatVector.fromArray(F, w, o + V);
        FloatVector w10 = FloatVector.fromArray(F, w, o + 1 * Gemm.NR);
        FloatVector w11 = FloatVector.fromArray(F, w, o + 1 * Gemm.NR + V);
        FloatVector w20 = FloatVector.fromArray(F, w, o + 2 * Gemm.NR);
        FloatVector w21 = FloatVector.fromArray(F, w, o + 2 * Gemm.NR + V);
        FloatVector w30 = FloatVector.fromArray(F, w, o + 3 * Gemm.NR);
        FloatVector w31 = FloatVector.fromArray(F, w, o + 3 * Gemm.NR + V);
        FloatVector w40 = FloatVector.fromArray(F, w, o + 4 * Gemm.NR);
        FloatVector w41 = FloatVector.fromArray(F, w, o + 4 * Gemm.NR + V);
        FloatVector w50 = FloatVector.fromArray(F, w, o + 5 * Gemm.NR);
        FloatVector w51 = FloatVector.fromArray(F, w, o + 5 * Gemm.NR + V);
        FloatVector w60 = FloatVector.fromArray(F, w, o + 6 * Gemm.NR);
        FloatVector w61 = FloatVector.fromArray(F, w, o + 6 * Gemm.NR + V);
        FloatVector w70 = FloatVector.fromArray(F, w, o + 7 * Gemm.NR);
        FloatVector w71 = FloatVector.fromArray(F, w, o + 7 * Gemm.NR + V);
        FloatVector w80 = FloatVector.fromArray(F, w, o + 8 * Gemm.NR);
        FloatVector w81 = FloatVector.fromArray(F, w, o + 8 * Gemm.NR + V);
        int f0 = off[0];
        int f1 = off[1];
        int f2 = off[2];
        int f3 = off[3];
        int f4 = off[4];
        int f5 = off[5];
        int f6 = off[6];
        int f7 = off[7];
        int f8 = off[8];
        // max(−∞, v) is v for every v, NaN included.
        FloatVector low = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int dst = 0;
        for (int img = 0; img < images; img++) {
            for (int i = 0; i < rows; i++) {
                int row = img * perImage + (convRow0 + 2 * i) * q;
                for (int j = 0; j < outQ; j++, dst += ldo) {
                    FloatVector m0 = low;
                    FloatVector m1 = low;
                    for (int cell = 0; cell < 4; cell++) {
                        int p = ptr[row + (cell >> 1) * q + 2 * j + (cell & 1)];
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
                        m0 = m0.max(c0);
                        m1 = m1.max(c1);
                    }
                    // Clamped as Epilogue.clamp does, written out like the kernel around it.
                    m0 = m0.add(b0);
                    m1 = m1.add(b1);
                    m0 = m0.blend(lo, m0.compare(LE, lo));
                    m1 = m1.blend(lo, m1.compare(LE, lo));
                    m0.blend(hi, m0.compare(GE, hi)).intoArray(out, dst);
                    m1.blend(hi, m1.compare(GE, hi)).intoArray(out, dst + V);
                }
            }
        }
    }
}
