package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;

import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.spi.HostOps;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Training-mode batch normalization over channel-last dense tensors (NHWC or {@code [N, C]}): rows of C channels.
 * The rows are cut into fixed blocks whose per-channel sums (in double) are added in block order, so the results
 * do not depend on the thread count; other layouts and strided views use the host definitions.
 */
final class BatchNormKernels {
    private static final int BLOCK_ROWS = 256;

    private BatchNormKernels() {
    }

    /** Per-channel mean and biased variance (two passes: the mean, then the squared deviations from it). */
    static void statistics(ScaleShiftDescriptor op, Tensor x, Tensor mean, Tensor variance, WorkerPool pool) {
        if (!channelLast(x)) {
            HostOps.batchNormStatistics(op, x, mean, variance);
            return;
        }
        int channels = op.input().c();
        long rows = op.input().elementCount() / channels;
        double[] sum = sums(pool, x, null, null, channels, rows);
        double[] mu = new double[channels];
        for (int c = 0; c < channels; c++) {
            mu[c] = sum[c] / rows;
        }
        double[] squares = sums(pool, x, x, mu, channels, rows);
        float[] m = new float[channels];
        float[] v = new float[channels];
        for (int c = 0; c < channels; c++) {
            m[c] = (float) mu[c];
            v[c] = (float) (squares[c] / rows);
        }
        mean.copyFrom(m);
        variance.copyFrom(v);
    }

    /** The gradients of {@code Backend.batchNormBackward}. */
    static void backward(ScaleShiftDescriptor op, Tensor x, Tensor dy, Tensor mean, Tensor invStd, Tensor gamma,
                         Tensor dx, Tensor dGamma, Tensor dBeta, WorkerPool pool) {
        if (!channelLast(x) || !channelLast(dy) || !channelLast(dx)) {
            HostOps.batchNormBackward(op, x, dy, mean, invStd, gamma, dx, dGamma, dBeta);
            return;
        }
        int channels = op.input().c();
        long rows = op.input().elementCount() / channels;
        float[] muF = mean.toArray();
        float[] inv = invStd.toArray();
        float[] g = gamma.toArray();
        double[] mu = new double[channels];
        for (int c = 0; c < channels; c++) {
            mu[c] = muF[c];
        }
        double[] sumDy = sums(pool, dy, null, null, channels, rows);
        double[] sumDyXc = sums(pool, dy, x, mu, channels, rows);
        float[] dGammaV = new float[channels];
        float[] dBetaV = new float[channels];
        // dx = γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), with x̂ = (x − μ)·invStd, as a·dy + b·(x − μ) + c per channel.
        float[] a = new float[channels];
        float[] b = new float[channels];
        float[] k = new float[channels];
        for (int c = 0; c < channels; c++) {
            double dGammaC = sumDyXc[c] * inv[c];
            dGammaV[c] = (float) dGammaC;
            dBetaV[c] = (float) sumDy[c];
            double scale = (double) g[c] * inv[c];
            a[c] = (float) scale;
            b[c] = (float) (-scale * inv[c] * dGammaC / rows);
            k[c] = (float) (-scale * sumDy[c] / rows);
        }
        dGamma.copyFrom(dGammaV);
        dBeta.copyFrom(dBetaV);
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        long xo = x.offset();
        long dyo = dy.offset();
        long dxo = dx.offset();
        int blocks = (int) ((rows + BLOCK_ROWS - 1) / BLOCK_ROWS);
        pool.run(blocks, (task, ctx) -> {
            long from = (long) task * BLOCK_ROWS;
            long to = Math.min(rows, from + BLOCK_ROWS);
            for (long r = from; r < to; r++) {
                long base = r * channels;
                for (int c = 0; c < channels; c++) {
                    float xc = xs.getAtIndex(FLOAT, xo + base + c) - muF[c];
                    float d = dys.getAtIndex(FLOAT, dyo + base + c);
                    dxs.setAtIndex(FLOAT, dxo + base + c, a[c] * d + b[c] * xc + k[c]);
                }
            }
        }, null, WorkerPool.bytesWork(12 * rows * channels));
    }

    /**
     * Per-channel sums over the rows of {@code t}: of {@code t} itself, or of {@code t·(x − mu)} when {@code x} is
     * given ({@code t == x} gives the squared deviations).
     */
    private static double[] sums(WorkerPool pool, Tensor t, Tensor x, double[] mu, int channels, long rows) {
        int blocks = (int) ((rows + BLOCK_ROWS - 1) / BLOCK_ROWS);
        double[][] partial = new double[blocks][channels];
        MemorySegment ts = t.buffer();
        MemorySegment xs = x == null ? null : x.buffer();
        long to0 = t.offset();
        long xo0 = x == null ? 0 : x.offset();
        pool.run(blocks, (task, ctx) -> {
            double[] acc = partial[task];
            long from = (long) task * BLOCK_ROWS;
            long to = Math.min(rows, from + BLOCK_ROWS);
            for (long r = from; r < to; r++) {
                long base = r * channels;
                if (xs == null) {
                    for (int c = 0; c < channels; c++) {
                        acc[c] += ts.getAtIndex(FLOAT, to0 + base + c);
                    }
                } else {
                    for (int c = 0; c < channels; c++) {
                        acc[c] += ts.getAtIndex(FLOAT, to0 + base + c) * (xs.getAtIndex(FLOAT, xo0 + base + c) - mu[c]);
                    }
                }
            }
        }, null, WorkerPool.bytesWork((xs == null ? 4 : 8) * rows * channels));
        double[] out = new double[channels];
        for (double[] p : partial) {
            for (int c = 0; c < channels; c++) {
                out[c] += p[c];
            }
        }
        return out;
    }

    /** Dense with the channel axis last in memory: {@code [N, C]}, or NHWC. */
    private static boolean channelLast(Tensor t) {
        return t.isContiguous() && (t.shape().rank() == 2 || t.layout() == Layout.NHWC);
    }
}
