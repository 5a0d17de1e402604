package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;

import dev.fovea.op.DenseDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A planned dense layer {@code y = act(x · W + b)}: the GEMM micro-kernels with batch items as rows.
 * A task copies a block of rows of {@code x} into a per-thread buffer, multiplies it by the packed weights and
 * stores with the fused bias and activation. A batch of at most {@link Gemm#SKINNY} rows (inference on one image)
 * is a matrix-vector product that streams the weights once: its tasks split the columns instead, each reading only
 * its panels with {@link Gemm#skinny4x2}, so both cores pull weights at once.
 */
final class DensePlan implements Plan, WorkerPool.Body {
    private static final int ROWS_PER_TASK = 64;

    private final WorkerPool pool;
    private final int n;
    private final int f;
    private final int u;
    private final int act;
    private final int tasks;
    private final int rowsPerTask;
    private final int[] ptr;
    private final Gemm.Packed packed;
    private final Gemm.Runs runs;
    private final float[] bias;
    private final long flops;
    /** Whether tasks split the columns (a batch of at most {@link Gemm#SKINNY} rows). */
    private final boolean skinny;
    /** Column tasks: task i computes panels {@code chunkPanel[i] .. chunkPanel[i + 1] − 1}. */
    private final int[] chunkPanel;

    DensePlan(DenseDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        this.pool = pool;
        n = op.input().n();
        f = op.input().c();
        u = op.units();
        act = Epilogue.code(op.activation());
        flops = op.flops();
        packed = new Gemm.Packed(1, f, u, (float[]) null);
        packed.fill(wts, 0, Gemm.index(f, kk -> kk * u), Gemm.index(u, kl -> kl));
        skinny = n <= Gemm.SKINNY;
        // Column tasks: a few per worker (claimed dynamically), one with a single worker.
        int panels = packed.panels();
        int chunks = pool.threads() == 1 ? 1 : Math.min(panels, 4 * pool.threads());
        chunkPanel = Gemm.index(chunks + 1, i -> (int) ((long) i * panels / chunks));
        int rows = Math.min(n, ROWS_PER_TASK);
        while (rows > Gemm.MR && Math.ceilDiv(n, rows) < 2 * pool.threads()) {
            rows = Math.max(Gemm.MR, rows / 2);
        }
        rowsPerTask = rows;
        tasks = skinny ? chunks : Math.ceilDiv(n, rows);
        ptr = new int[rows + Gemm.MR];
        for (int m = 0; m < rows; m++) {
            ptr[m] = m * f;
        }
        runs = new Gemm.Runs(1, new int[] {0}, new int[] {f});
        bias = b == null ? null : new float[packed.kgPad];
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, u);
        }
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Tensor[] io = {x, y};
        // A skinny batch is bound by reading the weights, not by its few FLOPs.
        pool.run(tasks, this, io, skinny ? Math.max(flops, WorkerPool.bytesWork(4L * f * u)) : flops);
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        Tensor x = io[0];
        Tensor y = io[1];
        int i0 = skinny ? 0 : task * rowsPerTask;
        int rows = skinny ? n : Math.min(rowsPerTask, n - i0);
        Scratch scratch = Scratch.get();
        float[] a = scratch.input(rows * f);
        MemorySegment xs = x.buffer();
        long s0 = x.stride(0);
        long s1 = x.stride(1);
        for (int i = 0; i < rows; i++) {
            long src = x.offset() + (i0 + i) * s0;
            if (s1 == 1) {
                MemorySegment.copy(xs, FLOAT, src * 4, a, i * f, f);
            } else {
                for (int e = 0; e < f; e++) {
                    a[i * f + e] = xs.getAtIndex(FLOAT, src + e * s1);
                }
            }
        }
        int ldo = packed.kgPad;
        float[] out = scratch.output((rows + Gemm.MR) * ldo);
        if (skinny) {
            // Columns of this task's panels only, at their own place in the full-width tile.
            int j0 = chunkPanel[task];
            int j1 = chunkPanel[task + 1];
            for (int j = j0; j < j1; j++) {
                int col = packed.panelCol[j];
                if (packed.panelWidth[j] == Gemm.NR) {
                    Gemm.skinny4x2(a, 0, f, rows, f, packed.data, packed.panelOff[j], out, col, ldo);
                } else {
                    Gemm.skinny4x1(a, 0, f, rows, f, packed.data, packed.panelOff[j], out, col, ldo);
                }
            }
            int col0 = packed.panelCol[j0];
            int col1 = Math.min(u, packed.panelCol[j1 - 1] + packed.panelWidth[j1 - 1]);
            Epilogue.apply(out, rows, ldo, bias, act);
            Epilogue.store(out, col0, rows, 1, ldo, 1, col1 - col0, ldo, y.buffer(),
                    y.offset() + col0 * y.stride(1), y.stride(0), 0, y.stride(1));
            return;
        }
        Gemm.multiply(packed, runs, a, ptr, rows, out, ldo);
        Epilogue.apply(out, rows, ldo, bias, act);
        Epilogue.store(out, 0, rows, 1, ldo, 1, u, ldo, y.buffer(), y.offset() + i0 * y.stride(0), y.stride(0), 0,
                y.stride(1));
    }
}
