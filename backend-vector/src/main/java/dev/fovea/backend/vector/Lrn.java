package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.LrnDescriptor;
import dev.fovea.spi.HostOps;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Cross-channel local response normalization ({@link LrnDescriptor}), vectors along the innermost axis:
 * channels-last data sums each channel's window from shifted loads of the same pixel's channels (lanes shifted
 * outside {@code [0, C)} masked off), channels-first data from whole vectors of the neighbouring planes. The window
 * is summed directly, in channel order ({@code size} fused multiply-adds per value: no running sum, so no drift
 * along the channels). The power is {@code √d·√√d} for β = 0.75 (AlexNet, GoogLeNet; a few ulp) and
 * {@link Math#pow} in double otherwise, written out in the loops (a helper returning a vector, once compiled on its
 * own, made C2 allocate every vector). One task per image row; nothing is shared between tasks.
 */
final class Lrn {
    private Lrn() {
    }

    static void forward(LrnDescriptor op, Tensor x, Tensor y, WorkerPool pool) {
        int c = op.input().c();
        boolean last = x.stride(1) == 1 && y.stride(1) == 1 && c > 1;
        if (!last && (x.stride(3) != 1 || y.stride(3) != 1)) {
            HostOps.lrn(op, x, y); // neither layout's inner axis is dense: not a case the engine produces
            return;
        }
        int n = op.input().n();
        int h = op.input().h();
        WorkerPool.Body body = (task, ctx) -> row(op, x, y, task / h, task % h, last);
        // A window sum and a power per element: about as much work as moving eight more bytes.
        pool.run(n * h, body, null, WorkerPool.bytesWork(16 * op.input().elementCount()));
    }

    /** Row {@code r} of image {@code img}. */
    private static void row(LrnDescriptor op, Tensor x, Tensor y, int img, int r, boolean channelsLast) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int w = op.input().w();
        int lo = (op.size() - 1) / 2;
        int hi = op.size() / 2;
        float k = (float) ((double) op.alpha() / op.size());
        float bias = op.bias();
        float beta = op.beta();
        boolean root = beta == 0.75f; // d^0.75 = √d·√√d, in vectors
        float[] tmp = new float[V];
        long xr = x.offset() + img * x.stride(0) + r * x.stride(2);
        long yr = y.offset() + img * y.stride(0) + r * y.stride(2);
        if (channelsLast) {
            for (int col = 0; col < w; col++) {
                long xp = xr + col * x.stride(3);
                long yp = yr + col * y.stride(3);
                for (int ch = 0; ch < c; ch += V) {
                    VectorMask<Float> m = F.indexInRange(ch, c);
                    FloatVector sum = FloatVector.zero(F);
                    for (int j = -lo; j <= hi; j++) {
                        // Lanes whose channel ch + i + j lies outside [0, C) read nothing (and add 0).
                        VectorMask<Float> in = F.indexInRange(ch + j, c);
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, (xp + ch + j) * 4, ORDER, in);
                        sum = v.fma(v, sum);
                    }
                    FloatVector d = sum.fma(k, bias);
                    FloatVector den;
                    if (root) {
                        FloatVector q = d.sqrt();
                        den = q.mul(q.sqrt());
                    } else {
                        d.intoArray(tmp, 0);
                        for (int i = 0; i < V; i++) {
                            tmp[i] = (float) Math.pow(tmp[i], beta);
                        }
                        den = FloatVector.fromArray(F, tmp, 0);
                    }
                    FloatVector.fromMemorySegment(F, xs, (xp + ch) * 4, ORDER, m).div(den)
                            .intoMemorySegment(ys, (yp + ch) * 4, ORDER, m);
                }
            }
        } else {
            long xc = x.stride(1);
            long yc = y.stride(1);
            for (int ch = 0; ch < c; ch++) {
                int from = Math.max(0, ch - lo);
                int to = Math.min(c - 1, ch + hi);
                for (int col = 0; col < w; col += V) {
                    VectorMask<Float> m = F.indexInRange(col, w);
                    FloatVector sum = FloatVector.zero(F);
                    for (int j = from; j <= to; j++) {
                        FloatVector v = FloatVector.fromMemorySegment(F, xs, (xr + j * xc + col) * 4, ORDER, m);
                        sum = v.fma(v, sum);
                    }
                    FloatVector d = sum.fma(k, bias);
                    FloatVector den;
                    if (root) {
                        FloatVector q = d.sqrt();
                        den = q.mul(q.sqrt());
                    } else {
                        d.intoArray(tmp, 0);
                        for (int i = 0; i < V; i++) {
                            tmp[i] = (float) Math.pow(tmp[i], beta);
                        }
                        den = FloatVector.fromArray(F, tmp, 0);
                    }
                    FloatVector.fromMemorySegment(F, xs, (xr + ch * xc + col) * 4, ORDER, m).div(den)
                            .intoMemorySegment(ys, (yr + ch * yc + col) * 4, ORDER, m);
                }
            }
        }
    }
}
