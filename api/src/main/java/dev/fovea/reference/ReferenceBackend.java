package dev.fovea.reference;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import dev.fovea.tensor.Positions;

/**
 * Every op written as its definition, in double precision, over any strides: the oracle the conformance
 * suite compares other backends with. Single-threaded and slow on purpose; nothing here is clever.
 */
final class ReferenceBackend implements Backend {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return ReferenceBackendProvider.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.TRAINING);
    }

    @Override
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        float[] w = weights.toArray();
        float[] b = bias == null ? null : bias.toArray();
        return (x, y) -> convolution(op, w, b, x, y);
    }

    @Override
    public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
        float[] w = weights.toArray();
        float[] b = bias == null ? null : bias.toArray();
        return (x, y) -> dense(op, w, b, x, y);
    }

    private static void convolution(ConvolutionDescriptor op, float[] w, float[] b, Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int k = op.filters();
        int p = op.output().h();
        int q = op.output().w();
        int cPerGroup = op.input().c() / op.groups();
        int kh = op.kernelH();
        int kw = op.kernelW();
        double[] acc = new double[op.output().n() * k * p * q];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = b == null ? 0 : b[i / (p * q) % k];
        }
        ConvTaps.forEach(op, (in, ok, op2, oq, ic, c, r, s, ih, iw) -> acc[((in * k + ok) * p + op2) * q + oq] +=
                (double) xs.getAtIndex(F, at(x, in, ic, ih, iw)) * w[((ok * cPerGroup + c) * kh + r) * kw + s]);
        for (int in = 0; in < op.output().n(); in++) {
            for (int ok = 0; ok < k; ok++) {
                for (int op2 = 0; op2 < p; op2++) {
                    for (int oq = 0; oq < q; oq++) {
                        double v = op.activation().apply(acc[((in * k + ok) * p + op2) * q + oq]);
                        ys.setAtIndex(F, at(y, in, ok, op2, oq), (float) v);
                    }
                }
            }
        }
    }

    private static void dense(DenseDescriptor op, float[] w, float[] b, Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int n = op.input().n();
        int f = op.input().c();
        int u = op.units();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < u; j++) {
                double acc = b == null ? 0 : b[j];
                for (int e = 0; e < f; e++) {
                    acc += (double) xs.getAtIndex(F, x.offset() + i * x.stride(0) + e * x.stride(1)) * w[e * u + j];
                }
                ys.setAtIndex(F, y.offset() + i * y.stride(0) + j * y.stride(1), (float) op.activation().apply(acc));
            }
        }
    }

    @Override
    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        boolean max = op.mode() == PoolingMode.MAX;
        Windows.Taps rows = op.rowTaps();
        Windows.Taps cols = op.colTaps();
        for (int n = 0; n < op.input().n(); n++) {
            for (int c = 0; c < op.input().c(); c++) {
                for (int p = 0; p < op.output().h(); p++) {
                    for (int q = 0; q < op.output().w(); q++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        for (int r = 0; r < rows.count(p); r++) {
                            int ih = rows.start(p) + r * op.dilationH();
                            for (int t = 0; t < cols.count(q); t++) {
                                double v = xs.getAtIndex(F, at(x, n, c, ih, cols.start(q) + t * op.dilationW()));
                                acc = max ? (Double.isNaN(v) || v > acc ? v : acc) : acc + v;
                            }
                        }
                        if (!max) {
                            acc /= op.countIncludePad() ? rows.padded(p) * cols.padded(q)
                                    : rows.count(p) * cols.count(q);
                        }
                        ys.setAtIndex(F, at(y, n, c, p, q), (float) acc);
                    }
                }
            }
        }
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        forEachIndex(x, y, (xi, yi) -> ys.setAtIndex(F, yi, (float) activation.apply(xs.getAtIndex(F, xi))));
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int n = x.shape().n();
        int f = x.shape().c();
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f; j++) {
                max = Math.max(max, xs.getAtIndex(F, x.offset() + i * x.stride(0) + j * x.stride(1)));
            }
            double sum = 0;
            for (int j = 0; j < f; j++) {
                sum += Math.exp(xs.getAtIndex(F, x.offset() + i * x.stride(0) + j * x.stride(1)) - max);
            }
            for (int j = 0; j < f; j++) {
                double e = Math.exp(xs.getAtIndex(F, x.offset() + i * x.stride(0) + j * x.stride(1)) - max);
                ys.setAtIndex(F, y.offset() + i * y.stride(0) + j * y.stride(1), (float) (e / sum));
            }
        }
    }

    @Override
    public void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        ReferenceBackward.convolutionData(op, weights, dy, dx);
    }

    @Override
    public void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        ReferenceBackward.convolutionFilter(op, x, dy, dw);
    }

    @Override
    public void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        ReferenceBackward.convolutionBias(op, dy, db);
    }

    @Override
    public void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        ReferenceBackward.pooling(op, x, dy, dx);
    }

    @Override
    public void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        MemorySegment ys = y.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        // Visit (y, dy) pairs; dx has dy's shape, so its index follows from the same logical position.
        int rank = y.shape().rank();
        int[] dims = y.shape().dims();
        int[] pos = new int[rank];
        for (long k = 0, total = y.shape().elementCount(); k < total; k++) {
            double d = ReferenceBackward.derivativeFromOutput(activation,
                    ys.getAtIndex(F, Positions.index(y, pos)));
            dxs.setAtIndex(F, Positions.index(dx, pos), (float) (d * dys.getAtIndex(F, Positions.index(dy, pos))));
            Positions.next(pos, dims);
        }
    }

    @Override
    public void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                              Tensor db) {
        ReferenceBackward.dense(op, weights, x, dy, dx, dw, db);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        ReferenceBackward.softmax(y, dy, dx);
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        return ReferenceBackward.softmaxCrossEntropy(logits, labels, scale, dx);
    }

    @Override
    public void close() {
    }

    /** Element index of logical (n, c, h, w) in {@code t}'s buffer. */
    private static long at(Tensor t, int n, int c, int h, int w) {
        return t.offset() + n * t.stride(0) + c * t.stride(1) + h * t.stride(2) + w * t.stride(3);
    }

    private interface IndexPair {
        void accept(long xi, long yi);
    }

    /** Visits every logical index of two tensors of one shape (any ranks, any strides). */
    private static void forEachIndex(Tensor x, Tensor y, IndexPair body) {
        int rank = x.shape().rank();
        int[] dims = x.shape().dims();
        int[] pos = new int[rank];
        for (long k = 0, total = x.shape().elementCount(); k < total; k++) {
            body.accept(Positions.index(x, pos), Positions.index(y, pos));
            Positions.next(pos, dims);
        }
    }
}
