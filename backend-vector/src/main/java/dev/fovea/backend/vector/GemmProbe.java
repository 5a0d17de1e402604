package dev.fovea.backend.vector;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One GEMM micro-kernel alone on a small problem, for the kernel benchmark in {@code bench/}
 * ({@code GemmKernelBenchmark}, on the class path: this module exports nothing, so the class is not part of
 * Fovea's API). {@code C[rows × columns] = A[rows × depth] · B[depth × columns]} with B packed in {@link Gemm#NR}
 * panels; A is laid out as the named kernel reads it, prepared once, so that {@link #run} times the kernel only.
 */
public final class GemmProbe {
    /**
     * The kernels: {@code kernel8x2} (8 rows through row pointers, runs), {@code packed12x2} (12 rows from one
     * packed stream: A packed once here, outside the timing), {@code skinny4x2} (4 rows, the whole depth per call:
     * the batch-1 dense path, here on 4 rows).
     */
    public static final List<String> KERNELS = List.of("kernel8x2", "packed12x2", "skinny4x2");

    private final String kernel;
    private final int rows;
    private final int depth;
    private final int columns;
    private final Gemm.Packed b;
    private final float[] a;
    private final float[] aPacked;
    private final int[] ptr;
    private final Gemm.Runs runs;
    private final float[] c;

    private GemmProbe(String kernel, int rows, int depth, int columns) {
        if (!KERNELS.contains(kernel)) {
            throw new IllegalArgumentException("kernel '" + kernel + "': expected one of " + KERNELS);
        }
        if (rows < 1 || depth < 1 || columns < 1) {
            throw new IllegalArgumentException("rows " + rows + ", depth " + depth + ", columns " + columns
                    + ": each must be ≥ 1");
        }
        this.kernel = kernel;
        this.rows = rows;
        this.depth = depth;
        this.columns = columns;
        SplittableRandom rnd = new SplittableRandom(7);
        a = new float[rows * depth];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] w = new float[depth * columns];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextDouble(-1, 1);
        }
        b = new Gemm.Packed(1, depth, columns, (float[]) null);
        b.fill(w, 0, Gemm.index(depth, kk -> kk * columns), Gemm.index(columns, kl -> kl));
        ptr = Gemm.index(rows + Gemm.PACK_SLACK, m -> m < rows ? m * depth : 0);
        aPacked = new float[Gemm.packedSize(rows, depth)];
        Gemm.packA(a, ptr, Gemm.index(depth, kk -> kk), rows, depth, aPacked);
        runs = new Gemm.Runs(1, new int[] {0}, new int[] {depth});
        c = new float[(rows + Gemm.PMR) * b.kgPad];
    }

    /** A probe of {@code kernel} (one of {@link #KERNELS}) on random data of these dimensions. */
    public static GemmProbe create(String kernel, int rows, int depth, int columns) {
        return new GemmProbe(kernel, rows, depth, columns);
    }

    /** Floating-point operations of one {@link #run}: {@code 2 · rows · depth · columns}. */
    public long flops() {
        return 2L * rows * depth * columns;
    }

    /** The whole product with the probe's kernel; returns one element of C (so that the work is not dead). */
    public float run() {
        int ldo = b.kgPad;
        switch (kernel) {
            case "kernel8x2" -> Gemm.multiply(b, runs, a, ptr, rows, c, ldo);
            case "packed12x2" -> Gemm.multiplyPacked(b, aPacked, rows, c, ldo);
            default -> {
                for (int j = 0; j < b.panels(); j++) {
                    for (int m = 0; m < rows; m += Gemm.SKINNY) {
                        int tile = Math.min(Gemm.SKINNY, rows - m);
                        if (b.panelWidth[j] == Gemm.NR) {
                            Gemm.skinny4x2(a, m * depth, depth, tile, depth, b.data, b.panelOff[j], c,
                                    m * ldo + b.panelCol[j], ldo);
                        } else {
                            Gemm.skinny4x1(a, m * depth, depth, tile, depth, b.data, b.panelOff[j], c,
                                    m * ldo + b.panelCol[j], ldo);
                        }
                    }
                }
            }
        }
        return c[0];
    }

    /** The largest difference between this probe's C and the same product summed in double precision. */
    public double maxError() {
        run();
        double worst = 0;
        // Reference from the packed weights, so that it needs no copy of the original matrix.
        for (int m = 0; m < rows; m++) {
            for (int col = 0; col < columns; col++) {
                int j = 0;
                while (b.panelCol[j] + b.panelWidth[j] <= col) {
                    j++;
                }
                int width = b.panelWidth[j];
                double sum = 0;
                for (int kk = 0; kk < depth; kk++) {
                    sum += (double) a[m * depth + kk] * b.data[b.panelOff[j] + kk * width + col - b.panelCol[j]];
                }
                worst = Math.max(worst, Math.abs(sum - c[m * b.kgPad + col]));
            }
        }
        return worst;
    }
}
