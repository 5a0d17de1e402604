package dev.fovea.spi;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.fovea.tensor.Positions;

/**
 * The element-wise and data-movement ops written as their definitions over host tensors of any strides, each
 * value computed in double: the default bodies of {@link Backend}'s newer ops and the reference backend's
 * implementation. A host backend may rely on them and override only what it makes faster.
 */
public final class HostOps {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private HostOps() {
    }

    /** {@link BinaryDescriptor}: {@code y = act(a op b)} with broadcasting. */
    public static void binary(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        requireHost(a, b, y);
        long[] as = broadcastStrides(a, op.output().rank());
        long[] bs = broadcastStrides(b, op.output().rank());
        MemorySegment am = a.buffer();
        MemorySegment bm = b.buffer();
        MemorySegment ym = y.buffer();
        Activation act = op.activation();
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                double v = op.op().apply(am.getAtIndex(F, Positions.index(a.offset(), as, pos)),
                        bm.getAtIndex(F, Positions.index(b.offset(), bs, pos)));
                ym.setAtIndex(F, yi, (float) act.apply(v));
            }
        }.run();
    }

    /** {@link ScaleShiftDescriptor}: {@code y = act(x · scale[c] + shift[c])}. */
    public static void scaleShift(ScaleShiftDescriptor op, float[] scale, float[] shift, Tensor x, Tensor y) {
        requireHost(x, y);
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        long[] xs = x.strides();
        Activation act = op.activation();
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                int c = pos[1];
                double v = (double) xm.getAtIndex(F, Positions.index(x.offset(), xs, pos)) * scale[c] + shift[c];
                ym.setAtIndex(F, yi, (float) act.apply(v));
            }
        }.run();
    }

    /** {@code y = act(x)} for any {@link Activation}, element-wise. */
    public static void activation(Activation act, Tensor x, Tensor y) {
        map(x, y, act::apply);
    }

    /** {@link ClampDescriptor}: {@code y = min(max(alpha·x + beta, min), max)}. */
    public static void clamp(ClampDescriptor op, Tensor x, Tensor y) {
        map(x, y, op::apply);
    }

    /** {@code y = f(x)} element-wise, computed in double. */
    private static void map(Tensor x, Tensor y, java.util.function.DoubleUnaryOperator f) {
        requireHost(x, y);
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        long[] xs = x.strides();
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                double v = xm.getAtIndex(F, Positions.index(x.offset(), xs, pos));
                ym.setAtIndex(F, yi, (float) f.applyAsDouble(v));
            }
        }.run();
    }

    /** {@link LrnDescriptor}: cross-channel local response normalization. */
    public static void lrn(LrnDescriptor op, Tensor x, Tensor y) {
        requireHost(x, y);
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        long[] xs = x.strides();
        int channels = op.input().c();
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                int c = pos[1];
                long base = Positions.index(x.offset(), xs, pos) - c * xs[1];
                double sum = 0;
                for (int i = Math.max(0, op.windowStart(c)); i <= Math.min(channels - 1, op.windowEnd(c)); i++) {
                    double v = xm.getAtIndex(F, base + i * xs[1]);
                    sum += v * v;
                }
                double v = xm.getAtIndex(F, base + c * xs[1]);
                ym.setAtIndex(F, yi, (float) (v / Math.pow(op.bias() + op.alpha() / op.size() * sum, op.beta())));
            }
        }.run();
    }

    /** {@link PadDescriptor}: constant padding. */
    public static void pad(PadDescriptor op, Tensor x, Tensor y) {
        requireHost(x, y);
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        long[] xs = x.strides();
        int[] before = op.before();
        int[] in = op.input().dims();
        float value = op.value();
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                long xi = x.offset();
                for (int a = 0; a < pos.length; a++) {
                    int p = pos[a] - before[a];
                    if (p < 0 || p >= in[a]) {
                        ym.setAtIndex(F, yi, value);
                        return;
                    }
                    xi += p * xs[a];
                }
                ym.setAtIndex(F, yi, xm.getAtIndex(F, xi));
            }
        }.run();
    }

    /** {@link TransposeDescriptor}: output axis i is input axis perm[i]. */
    public static void transpose(TransposeDescriptor op, Tensor x, Tensor y) {
        requireHost(x, y);
        MemorySegment xm = x.buffer();
        MemorySegment ym = y.buffer();
        int[] perm = op.perm();
        long[] xs = x.strides();
        long[] permuted = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            permuted[i] = xs[perm[i]];
        }
        new Walk(y) {
            @Override
            void visit(int[] pos, long yi) {
                ym.setAtIndex(F, yi, xm.getAtIndex(F, Positions.index(x.offset(), permuted, pos)));
            }
        }.run();
    }

    /**
     * {@link BinaryDescriptor} backward: from {@code dz}, the gradient of {@code a op b} (before the activation),
     * {@code da = Σ dz·∂(a op b)/∂a} and {@code db} likewise, each summed over the axes where its operand is
     * broadcast; null destinations are skipped.
     */
    public static void binaryBackward(BinaryDescriptor op, Tensor a, Tensor b, Tensor dz, Tensor da, Tensor db) {
        requireHost(a, b, dz);
        int rank = op.output().rank();
        long[] as = broadcastStrides(a, rank);
        long[] bs = broadcastStrides(b, rank);
        long[] dzs = dz.strides();
        MemorySegment am = a.buffer();
        MemorySegment bm = b.buffer();
        MemorySegment dzm = dz.buffer();
        double[] accA = new double[Math.toIntExact(op.a().elementCount())];
        double[] accB = new double[Math.toIntExact(op.b().elementCount())];
        int[] aDims = op.a().dims();
        int[] bDims = op.b().dims();
        new Walk(op.output(), dz.layout()) {
            @Override
            void visit(int[] pos, long unused) {
                double d = dzm.getAtIndex(F, Positions.index(dz.offset(), dzs, pos));
                double x = am.getAtIndex(F, Positions.index(a.offset(), as, pos));
                double y = bm.getAtIndex(F, Positions.index(b.offset(), bs, pos));
                double ga;
                double gb;
                switch (op.op()) {
                    case ADD -> {
                        ga = d;
                        gb = d;
                    }
                    case SUB -> {
                        ga = d;
                        gb = -d;
                    }
                    case MUL -> {
                        ga = d * y;
                        gb = d * x;
                    }
                    default -> {
                        ga = d / y;
                        gb = -d * x / (y * y);
                    }
                }
                accA[logicalIndex(pos, aDims)] += ga;
                accB[logicalIndex(pos, bDims)] += gb;
            }
        }.run();
        if (da != null) {
            storeLogical(accA, da);
        }
        if (db != null) {
            storeLogical(accB, db);
        }
    }

    /**
     * Activation gradient from the forward's input {@code x}: {@code dx = dy · act'(x)}, for every activation
     * (at a kink the derivative of the side {@code x} is on, 0 exactly at ReLU's 0 and the clamps' ends).
     */
    public static void activationBackward(Activation act, Tensor x, Tensor dy, Tensor dx) {
        requireHost(x, dy, dx);
        MemorySegment xm = x.buffer();
        MemorySegment dym = dy.buffer();
        MemorySegment dxm = dx.buffer();
        long[] xs = x.strides();
        long[] dys = dy.strides();
        new Walk(dx) {
            @Override
            void visit(int[] pos, long dxi) {
                double v = xm.getAtIndex(F, Positions.index(x.offset(), xs, pos));
                double d = dym.getAtIndex(F, Positions.index(dy.offset(), dys, pos));
                dxm.setAtIndex(F, dxi, (float) (d * derivative(act, v)));
            }
        }.run();
    }

    /** {@code act'(x)} in double. */
    public static double derivative(Activation act, double x) {
        return switch (act) {
            case NONE -> 1;
            case RELU -> x > 0 ? 1 : 0;
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 - s);
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case RELU6 -> x > 0 && x < 6 ? 1 : 0;
            case HARD_SIGMOID -> x > -3 && x < 3 ? 1.0 / 6 : 0;
            case HARD_SWISH -> x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6;
            case SILU -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 + x * (1 - s));
            }
        };
    }

    /** {@link ClampDescriptor} backward: {@code dx = alpha·dy} where {@code min < alpha·x + beta < max}, else 0. */
    public static void clampBackward(ClampDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        requireHost(x, dy, dx);
        MemorySegment xm = x.buffer();
        MemorySegment dym = dy.buffer();
        MemorySegment dxm = dx.buffer();
        long[] xs = x.strides();
        long[] dys = dy.strides();
        new Walk(dx) {
            @Override
            void visit(int[] pos, long dxi) {
                double z = (double) op.alpha() * xm.getAtIndex(F, Positions.index(x.offset(), xs, pos)) + op.beta();
                double d = dym.getAtIndex(F, Positions.index(dy.offset(), dys, pos));
                dxm.setAtIndex(F, dxi, (float) (z > op.min() && z < op.max() ? op.alpha() * d : 0));
            }
        }.run();
    }

    /**
     * {@link LrnDescriptor} backward. With {@code s_c = bias + alpha/size · Σ_{i∈W(c)} x_i²} and
     * {@code y_c = x_c·s_c^−β}: {@code dx_j = dy_j·s_j^−β − 2β·alpha/size · x_j · Σ_{c: j∈W(c)} dy_c·x_c·s_c^(−β−1)}.
     */
    public static void lrnBackward(LrnDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        requireHost(x, dy, dx);
        MemorySegment xm = x.buffer();
        MemorySegment dym = dy.buffer();
        MemorySegment dxm = dx.buffer();
        long[] xs = x.strides();
        long[] dys = dy.strides();
        int channels = op.input().c();
        double k = op.alpha() / op.size();
        new Walk(dx) {
            @Override
            void visit(int[] pos, long dxi) {
                int j = pos[1];
                long xBase = Positions.index(x.offset(), xs, pos) - j * xs[1];
                long dyBase = Positions.index(dy.offset(), dys, pos) - j * dys[1];
                double xj = xm.getAtIndex(F, xBase + j * xs[1]);
                double sum = 0;
                double own = 0;
                for (int c = 0; c < channels; c++) {
                    int from = Math.max(0, op.windowStart(c));
                    int to = Math.min(channels - 1, op.windowEnd(c));
                    if (j < from || j > to) {
                        continue;
                    }
                    double s = op.bias();
                    for (int i = from; i <= to; i++) {
                        double v = xm.getAtIndex(F, xBase + i * xs[1]);
                        s += k * v * v;
                    }
                    double dyc = dym.getAtIndex(F, dyBase + c * dys[1]);
                    double xc = xm.getAtIndex(F, xBase + c * xs[1]);
                    sum += dyc * xc * Math.pow(s, -op.beta() - 1);
                    if (c == j) {
                        own = dyc * Math.pow(s, -op.beta());
                    }
                }
                dxm.setAtIndex(F, dxi, (float) (own - 2 * op.beta() * k * xj * sum));
            }
        }.run();
    }

    /** {@link PadDescriptor} backward: {@code dx} is the part of {@code dy} over the input (the padding gets none). */
    public static void padBackward(PadDescriptor op, Tensor dy, Tensor dx) {
        requireHost(dy, dx);
        MemorySegment dym = dy.buffer();
        MemorySegment dxm = dx.buffer();
        long[] dys = dy.strides();
        int[] before = op.before();
        new Walk(dx) {
            @Override
            void visit(int[] pos, long dxi) {
                long i = dy.offset();
                for (int a = 0; a < pos.length; a++) {
                    i += (pos[a] + before[a]) * dys[a];
                }
                dxm.setAtIndex(F, dxi, dym.getAtIndex(F, i));
            }
        }.run();
    }

    /** Row-major index of {@code pos} in a tensor of {@code dims}, 0 along its size-1 (broadcast) axes. */
    private static int logicalIndex(int[] pos, int[] dims) {
        int i = 0;
        for (int a = 0; a < dims.length; a++) {
            i = i * dims[a] + (dims[a] == 1 ? 0 : pos[a]);
        }
        return i;
    }

    /** Writes {@code values} (logical row-major order) into {@code t}, rounding each once. */
    private static void storeLogical(double[] values, Tensor t) {
        MemorySegment tm = t.buffer();
        int[] dims = t.shape().dims();
        new Walk(t) {
            @Override
            void visit(int[] pos, long ti) {
                tm.setAtIndex(F, ti, (float) values[logicalIndex(pos, dims)]);
            }
        }.run();
    }

    /** Training-mode batch normalization statistics: per-channel mean and biased variance over N, H, W. */
    public static void batchNormStatistics(ScaleShiftDescriptor op, Tensor x, Tensor mean, Tensor variance) {
        requireHost(x, mean, variance);
        int channels = op.input().c();
        double count = (double) op.input().elementCount() / channels;
        double[] sum = channelSums(x, null, null);
        double[] mu = new double[channels];
        for (int c = 0; c < channels; c++) {
            mu[c] = sum[c] / count;
        }
        double[] squares = new double[channels];
        MemorySegment xm = x.buffer();
        long[] xs = x.strides();
        new Walk(x) {
            @Override
            void visit(int[] pos, long xi) {
                double d = xm.getAtIndex(F, xi) - mu[pos[1]];
                squares[pos[1]] += d * d;
            }
        }.run();
        for (int c = 0; c < channels; c++) {
            mean.buffer().setAtIndex(F, mean.offset() + c * mean.stride(0), (float) mu[c]);
            variance.buffer().setAtIndex(F, variance.offset() + c * variance.stride(0), (float) (squares[c] / count));
        }
    }

    /** Training-mode batch normalization gradients (see {@code Backend.batchNormBackward}). */
    public static void batchNormBackward(ScaleShiftDescriptor op, Tensor x, Tensor dy, Tensor mean, Tensor invStd,
                                         Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta) {
        requireHost(x, dy, mean, invStd, gamma, dx, dGamma, dBeta);
        int channels = op.input().c();
        double count = (double) op.input().elementCount() / channels;
        float[] mu = mean.toArray();
        float[] inv = invStd.toArray();
        float[] g = gamma.toArray();
        double[] sumDy = channelSums(dy, null, null);
        double[] sumDyXhat = channelSums(dy, x, mu);
        for (int c = 0; c < channels; c++) {
            sumDyXhat[c] *= inv[c];
        }
        MemorySegment xm = x.buffer();
        MemorySegment dym = dy.buffer();
        MemorySegment dxm = dx.buffer();
        long[] xs = x.strides();
        long[] dys = dy.strides();
        new Walk(dx) {
            @Override
            void visit(int[] pos, long dxi) {
                int c = pos[1];
                double xhat = (xm.getAtIndex(F, Positions.index(x.offset(), xs, pos)) - (double) mu[c]) * inv[c];
                double d = dym.getAtIndex(F, Positions.index(dy.offset(), dys, pos));
                dxm.setAtIndex(F, dxi, (float) ((double) g[c] * inv[c]
                        * (d - sumDy[c] / count - xhat * sumDyXhat[c] / count)));
            }
        }.run();
        for (int c = 0; c < channels; c++) {
            dGamma.buffer().setAtIndex(F, dGamma.offset() + c * dGamma.stride(0), (float) sumDyXhat[c]);
            dBeta.buffer().setAtIndex(F, dBeta.offset() + c * dBeta.stride(0), (float) sumDy[c]);
        }
    }

    /**
     * Per-channel sums over every other axis of {@code t}, or of {@code t·(x − mu[c])} when {@code x} is given
     * (same shape as {@code t}).
     */
    private static double[] channelSums(Tensor t, Tensor x, float[] mu) {
        double[] sums = new double[t.shape().dim(1)];
        MemorySegment tm = t.buffer();
        MemorySegment xm = x == null ? null : x.buffer();
        long[] xs = x == null ? null : x.strides();
        new Walk(t) {
            @Override
            void visit(int[] pos, long ti) {
                double v = tm.getAtIndex(F, ti);
                if (xm != null) {
                    v *= xm.getAtIndex(F, Positions.index(x.offset(), xs, pos)) - (double) mu[pos[1]];
                }
                sums[pos[1]] += v;
            }
        }.run();
        return sums;
    }

    /** Strides of {@code t} seen at the output's rank: 0 along axes where {@code t} has size 1 (broadcast). */
    private static long[] broadcastStrides(Tensor t, int rank) {
        long[] s = new long[rank];
        for (int a = 0; a < rank; a++) {
            s[a] = t.shape().dim(a) == 1 ? 0 : t.stride(a);
        }
        return s;
    }

    private static void requireHost(Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.isHost()) {
                throw new IllegalStateException("the default host ops handle host tensors only, got " + t);
            }
        }
    }

    /** Visits every element of a destination in its storage order, with its logical position and index. */
    private abstract static class Walk {
        private final Tensor y;
        private final dev.fovea.tensor.Shape shape;
        private final dev.fovea.tensor.Layout layout;

        Walk(Tensor y) {
            this.y = y;
            this.shape = y.shape();
            this.layout = y.layout();
        }

        /** Visits every position of {@code shape} in {@code layout}'s order; the index passed is 0. */
        Walk(dev.fovea.tensor.Shape shape, dev.fovea.tensor.Layout layout) {
            this.y = null;
            this.shape = shape;
            this.layout = layout;
        }

        abstract void visit(int[] pos, long yi);

        final void run() {
            int rank = shape.rank();
            int[] dims = shape.dims();
            long[] ys = y == null ? new long[rank] : y.strides();
            long offset = y == null ? 0 : y.offset();
            int[] ord = (layout == null ? dev.fovea.tensor.Layout.NCHW : layout).storageOrder(rank);
            int[] pos = new int[rank];
            long total = shape.elementCount();
            for (long k = 0; k < total; k++) {
                visit(pos, Positions.index(offset, ys, pos));
                Positions.next(pos, dims, ord);
            }
        }
    }
}
