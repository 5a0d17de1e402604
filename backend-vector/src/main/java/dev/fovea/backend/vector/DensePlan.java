package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;

import dev.fovea.op.DenseDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A planned dense layer {@code y = act(x · W + b)}: the GEMM micro-kernels with batch items as rows.
 * A task copies a block of rows of {@code x} into a per-thread buffer, multiplies it by the packed weights and
 * stores with the fused bias and activation.
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

    DensePlan(DenseDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        this.pool = pool;
        n = op.input().n();
        f = op.input().c();
        u = op.units();
        act = Epilogue.code(op.activation());
        flops = op.flops();
        int rows = Math.min(n, ROWS_PER_TASK);
        while (rows > Gemm.MR && Math.ceilDiv(n, rows) < 2 * pool.threads()) {
            rows = Math.max(Gemm.MR, rows / 2);
        }
        rowsPerTask = rows;
        tasks = Math.ceilDiv(n, rows);
        ptr = new int[rows + Gemm.MR];
        for (int m = 0; m < rows; m++) {
            ptr[m] = m * f;
        }
        packed = new Gemm.Packed(1, f, u, (float[]) null);
        packed.fill(wts, 0, Gemm.index(f, kk -> kk * u), Gemm.index(u, kl -> kl));
        runs = new Gemm.Runs(1, new int[] {0}, new int[] {f});
        bias = b == null ? null : new float[packed.kgPad];
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, u);
        }
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Tensor[] io = {x, y};
        pool.run(tasks, this, io, flops);
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        Tensor x = io[0];
        Tensor y = io[1];
        int i0 = task * rowsPerTask;
        int rows = Math.min(rowsPerTask, n - i0);
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
        Gemm.multiply(packed, runs, a, ptr, rows, out, ldo);
        Epilogue.apply(out, rows, ldo, bias, act);
        Epilogue.store(out, 0, rows, 1, ldo, 1, u, ldo, y.buffer(), y.offset() + i0 * y.stride(0), y.stride(0), 0,
                y.stride(1));
    }
}
