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

        Walk(Tensor y) {
            this.y = y;
        }

        abstract void visit(int[] pos, long yi);

        final void run() {
            int rank = y.shape().rank();
            int[] dims = y.shape().dims();
            long[] ys = y.strides();
            int[] ord = y.layout().storageOrder(rank);
            int[] pos = new int[rank];
            long total = y.shape().elementCount();
            for (long k = 0; k < total; k++) {
                visit(pos, Positions.index(y.offset(), ys, pos));
                Positions.next(pos, dims, ord);
            }
        }
    }
}
