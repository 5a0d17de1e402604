package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.V;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The packed-A and skinny kernels against {@link Gemm#multiply} (the 8-row kernel, and the 7-row one for the
 * last rows when they split so): every tail of rows, a narrow last panel, a depth across cache blocks, both of
 * {@link Gemm#multiply}'s loop orders. They sum the same products in the same order, so the results must be
 * equal to the last bit, not only close.
 */
class GemmTest {
    private static final int[] ROWS = {1, 2, 5, 11, 12, 13, 14, 24, 31, 49, 70};
    private static final int[] DEPTHS = {1, 3, 147, Gemm.KC + 5};

    /** Columns: below a vector, one vector, one full panel, a panel and a narrow one, two panels and a few. */
    private static int[] columns() {
        return new int[] {3, V, Gemm.NR, Gemm.NR + V - 1, 2 * Gemm.NR + 3};
    }

    @Test
    void packedKernelEqualsTheEightRowKernelForEveryTail() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int rows : ROWS) {
            for (int depth : DEPTHS) {
                for (int cols : columns()) {
                    // A scattered through a larger array: rows at shuffled pointers, elements at reversed offsets
                    // (im2col's taps), and the pointers past the last row left at 0, as callers keep them.
                    int stride = depth + 7;
                    float[] src = Oracle.random(rnd, (long) (rows + 2) * stride, 1.0);
                    int[] ptr = new int[rows + Gemm.PACK_SLACK];
                    for (int m = 0; m < rows; m++) {
                        ptr[m] = ((m * 5) % rows + 1) * stride;
                    }
                    int[] off = new int[depth];
                    for (int kk = 0; kk < depth; kk++) {
                        off[kk] = depth - 1 - kk;
                    }
                    Gemm.Packed b = packed(rnd, depth, cols);
                    float[] tiles = new float[Gemm.packedSize(rows, depth)];
                    Gemm.packA(src, ptr, off, rows, depth, tiles);
                    float[] actual = new float[(rows + Gemm.PMR) * b.kgPad];
                    Gemm.multiplyPacked(b, tiles, rows, actual, b.kgPad);

                    // The same A gathered row by row for the 8-row kernel.
                    float[] a = new float[rows * depth];
                    for (int m = 0; m < rows; m++) {
                        for (int kk = 0; kk < depth; kk++) {
                            a[m * depth + kk] = src[ptr[m] + off[kk]];
                        }
                    }
                    float[] expected = eightRow(b, a, rows, depth);
                    String where = "rows " + rows + ", depth " + depth + ", columns " + cols + ", V " + V;
                    assertArrayEquals(Arrays.copyOf(expected, rows * b.kgPad), Arrays.copyOf(actual, rows * b.kgPad),
                            where);
                    assertNearReference(a, b, rows, depth, cols, actual, where);
                }
            }
        }
    }

    @Test
    void rowsSplitIntoEightsThenSevensWhereThatSavesATile() {
        for (int rows = 1; rows <= 300; rows++) {
            int split = Gemm.firstSeven(rows);
            String where = "rows " + rows + ", 7-row tiles from " + split;
            if (split < rows) {
                assertTrue(rows % Gemm.MR != 0, where);
                assertEquals(0, split % Gemm.MR, where);
                assertEquals(0, (rows - split) % 7, where);
                assertTrue(rows - split < 7 * Gemm.MR, where);
            }
            // Every count from 42 on is 8a + 7b (41 is the largest that is not).
            assertTrue(rows % Gemm.MR == 0 || rows < 42 || split < rows, where);
        }
        assertEquals(0, Gemm.firstSeven(49));
        assertEquals(168, Gemm.firstSeven(196));
        assertEquals(17, Gemm.firstSeven(17)); // 8 + 8 + 1: no split into eights and sevens
    }

    @Test
    void skinnyKernelEqualsTheEightRowKernel() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int rows = 1; rows <= Gemm.SKINNY; rows++) {
            for (int depth : DEPTHS) {
                for (int cols : columns()) {
                    Gemm.Packed b = packed(rnd, depth, cols);
                    float[] a = Oracle.random(rnd, (long) rows * depth, 1.0);
                    float[] actual = new float[rows * b.kgPad];
                    for (int j = 0; j < b.panels(); j++) {
                        if (b.panelWidth[j] == Gemm.NR) {
                            Gemm.skinny4x2(a, 0, depth, rows, depth, b.data, b.panelOff[j], actual, b.panelCol[j],
                                    b.kgPad);
                        } else {
                            Gemm.skinny4x1(a, 0, depth, rows, depth, b.data, b.panelOff[j], actual, b.panelCol[j],
                                    b.kgPad);
                        }
                    }
                    float[] expected = eightRow(b, a, rows, depth);
                    assertArrayEquals(Arrays.copyOf(expected, rows * b.kgPad), actual,
                            "rows " + rows + ", depth " + depth + ", columns " + cols + ", V " + V);
                }
            }
        }
    }

    /** Batches of 1–4 split the columns, larger ones the rows: each item equals itself in a batch of 40. */
    @Test
    void smallBatchDenseEqualsTheSameRowsInALargeBatch() {
        int f = 300;
        int u = 2 * Gemm.NR + 5;
        SplittableRandom rnd = new SplittableRandom(13);
        float[] w = Oracle.random(rnd, (long) f * u, 0.5);
        float[] bias = Oracle.random(rnd, u, 0.5);
        float[] xs = Oracle.random(rnd, 40L * f, 1.0);
        try (WorkerPool pool = new WorkerPool(2); TensorScope scope = new TensorScope()) {
            float[] big = dense(scope, pool, xs, 40, f, u, w, bias);
            for (int n : new int[] {1, 2, 3, 4, 5, 8, 13, 16, 17}) {
                float[] small = dense(scope, pool, Arrays.copyOf(xs, n * f), n, f, u, w, bias);
                assertArrayEquals(Arrays.copyOf(big, n * u), small, "batch " + n);
            }
        }
    }

    @Test
    void packedMultiplyTakesOneGroupOnly() {
        Gemm.Packed two = new Gemm.Packed(2, 4, 4, (float[]) null);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.multiplyPacked(two, new float[64], 1, new float[64], 8));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void probeRunsEveryKernelCorrectly() {
        for (String kernel : GemmProbe.KERNELS) {
            GemmProbe probe = GemmProbe.create(kernel, 29, 147, Gemm.NR + 3);
            assertEquals(2L * 29 * 147 * (Gemm.NR + 3), probe.flops());
            assertTrue(probe.maxError() < 1e-3, kernel + ": error " + probe.maxError());
        }
        assertThrows(IllegalArgumentException.class, () -> GemmProbe.create("kernel9x9", 8, 8, 8));
    }

    private static float[] dense(TensorScope scope, WorkerPool pool, float[] xs, int n, int f, int u, float[] w,
            float[] bias) {
        DenseDescriptor op = DenseDescriptor.create("dense", Shape.of(n, f), u, true, Activation.RELU);
        Tensor x = scope.fromArray(xs, op.input(), Layout.NCHW);
        Tensor y = scope.allocate(op.output(), Layout.NCHW);
        try (DensePlan plan = new DensePlan(op, w, bias, pool)) {
            plan.execute(x, y);
        }
        return y.toArray();
    }

    private static Gemm.Packed packed(SplittableRandom rnd, int depth, int cols) {
        float[] w = Oracle.random(rnd, (long) depth * cols, 1.0);
        Gemm.Packed b = new Gemm.Packed(1, depth, cols, (float[]) null);
        b.fill(w, 0, Gemm.index(depth, kk -> kk * cols), Gemm.index(cols, kl -> kl));
        return b;
    }

    private static float[] eightRow(Gemm.Packed b, float[] a, int rows, int depth) {
        int[] ptr = Gemm.index(rows + Gemm.MR, m -> m < rows ? m * depth : 0);
        float[] out = new float[(rows + Gemm.MR) * b.kgPad];
        Gemm.multiply(b, new Gemm.Runs(1, new int[] {0}, new int[] {depth}), a, ptr, rows, out, b.kgPad);
        return out;
    }

    /** An independent check of the shared result: a double-precision sum from the packed weights. */
    private static void assertNearReference(float[] a, Gemm.Packed b, int rows, int depth, int cols, float[] c,
            String where) {
        for (int m = 0; m < rows; m++) {
            for (int col = 0; col < cols; col++) {
                int j = 0;
                while (b.panelCol[j] + b.panelWidth[j] <= col) {
                    j++;
                }
                double sum = 0;
                for (int kk = 0; kk < depth; kk++) {
                    sum += (double) a[m * depth + kk]
                            * b.data[b.panelOff[j] + kk * b.panelWidth[j] + col - b.panelCol[j]];
                }
                float got = c[m * b.kgPad + col];
                assertTrue(Math.abs(got - sum) <= 1e-4 * (1 + Math.sqrt(depth)) * (1 + Math.abs(sum)),
                        where + ": C[" + m + ", " + col + "] = " + got + ", expected " + sum);
            }
        }
    }
}
