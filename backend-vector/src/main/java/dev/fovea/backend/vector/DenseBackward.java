package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;

import dev.fovea.op.DenseDescriptor;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Dense layer gradients on the GEMM kernels: {@code dx = dy · Wᵀ} (tasks over blocks of batch rows, {@code Wᵀ}
 * packed per call), {@code dW = xᵀ · dy} (tasks over blocks of input features, each transposing its slice of
 * {@code x}; {@code dy} packed once per call), {@code db = Σ_n dy} (in double). Every output element is computed
 * by one task with a fixed reduction order.
 */
final class DenseBackward {
    private static final int DX_ROWS = 16;
    private static final int DW_ROWS = 64;

    private DenseBackward() {
    }

    private record DxCall(Tensor dy, Tensor dx, Gemm.Packed wt, Gemm.Runs runs, int n, int f, int u)
            implements WorkerPool.Body {
        @Override
        public void run(int task, Object ctx) {
            int i0 = task * DX_ROWS;
            int rows = Math.min(DX_ROWS, n - i0);
            Scratch scratch = Scratch.get();
            float[] a = scratch.input(rows * u);
            rows(dy, i0, rows, u, a);
            int[] ptr = scratch.pointers(rows + Gemm.MR);
            for (int m = 0; m < rows; m++) {
                ptr[m] = m * u;
            }
            int ldo = wt.kgPad;
            float[] out = scratch.output((rows + Gemm.MR) * ldo);
            Gemm.multiply(wt, runs, a, ptr, rows, out, ldo);
            Epilogue.store(out, 0, rows, 1, ldo, 1, f, ldo, dx.buffer(), dx.offset() + i0 * dx.stride(0),
                    dx.stride(0), 0, dx.stride(1));
        }
    }

    private record DwCall(Tensor x, Tensor dw, Gemm.Packed dyPacked, Gemm.Runs runs, int n, int f, int u)
            implements WorkerPool.Body {
        @Override
        public void run(int task, Object ctx) {
            int f0 = task * DW_ROWS;
            int rows = Math.min(DW_ROWS, f - f0);
            Scratch scratch = Scratch.get();
            float[] xt = scratch.transposed(rows * n);
            MemorySegment xs = x.buffer();
            for (int i = 0; i < n; i++) {
                long src = x.offset() + i * x.stride(0) + f0 * x.stride(1);
                for (int e = 0; e < rows; e++) {
                    xt[e * n + i] = xs.getAtIndex(FLOAT, src + e * x.stride(1));
                }
            }
            int[] ptr = scratch.pointers(rows + Gemm.MR);
            for (int e = 0; e < rows; e++) {
                ptr[e] = e * n;
            }
            int ldo = dyPacked.kgPad;
            float[] out = scratch.output((rows + Gemm.MR) * ldo);
            Gemm.multiply(dyPacked, runs, xt, ptr, rows, out, ldo);
            Epilogue.store(out, 0, rows, 1, ldo, 1, u, ldo, dw.buffer(), dw.offset() + (long) f0 * u, u, 0, 1);
        }
    }

    static void backward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                         WorkerPool pool) {
        int n = op.input().n();
        int f = op.input().c();
        int u = op.units();
        long flops = 2L * n * f * u; // of each of the two products
        float[] dyRows = new float[n * u];
        rows(dy, 0, n, u, dyRows);
        if (dx != null) {
            float[] w = weights.toArray();
            Gemm.Packed wt = new Gemm.Packed(1, u, f, (float[]) null);
            wt.fill(w, 0, Gemm.index(u, j -> j), Gemm.index(f, e -> e * u));
            DxCall call = new DxCall(dy, dx, wt, new Gemm.Runs(1, new int[] {0}, new int[] {u}), n, f, u);
            pool.run(Math.ceilDiv(n, DX_ROWS), call, null, flops);
        }
        Gemm.Packed dyPacked = new Gemm.Packed(1, n, u, (float[]) null);
        dyPacked.fill(dyRows, 0, Gemm.index(n, i -> i * u), Gemm.index(u, j -> j));
        DwCall call = new DwCall(x, dw, dyPacked, new Gemm.Runs(1, new int[] {0}, new int[] {n}), n, f, u);
        pool.run(Math.ceilDiv(f, DW_ROWS), call, null, flops);
        if (db != null) {
            MemorySegment out = db.buffer();
            for (int j = 0; j < u; j++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += dyRows[i * u + j];
                }
                out.setAtIndex(FLOAT, db.offset() + j * db.stride(0), (float) sum);
            }
        }
    }

    /** Rows {@code i0 .. i0 + rows − 1} of the 2-D tensor {@code t} ({@code cols} wide) into {@code out}. */
    private static void rows(Tensor t, int i0, int rows, int cols, float[] out) {
        MemorySegment ts = t.buffer();
        for (int i = 0; i < rows; i++) {
            long src = t.offset() + (i0 + i) * t.stride(0);
            if (t.stride(1) == 1) {
                MemorySegment.copy(ts, FLOAT, src * 4, out, i * cols, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    out[i * cols + j] = ts.getAtIndex(FLOAT, src + j * t.stride(1));
                }
            }
        }
    }
}
