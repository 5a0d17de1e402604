package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise ops of the imported networks over {@link Lines}: two operands with broadcasting, per-channel
 * scale and shift, clamp. A line whose operands are adjacent or repeated (stride 1 or 0) and whose destination is
 * adjacent runs in vectors (its tail in scalars), any other line element by element, all with the same float
 * operations, so a result does not depend on the path. Each element is computed on its own: results do not depend
 * on the thread count, and the destination may be an operand of the output's shape (read and written at the same
 * index).
 *
 * <p>The loops write their op and activation cases out instead of calling helpers, and each kind of line has its
 * own lambda and loop: C2 allocated every vector of a loop once a helper it had compiled on its own, or a unit
 * holding several loops, was too big to inline (see {@link Epilogue#inLoop(int)}).
 */
final class Pointwise {
    private static final int ADD = 0;
    private static final int SUB = 1;
    private static final int MUL = 2;
    private static final int DIV = 3;
    /** Added to an op's code: the operands swapped ({@code b op a}). */
    private static final int REVERSED = 4;
    private static final float SIXTH = 1f / 6;

    private Pointwise() {
    }

    /** {@code y = act(a op b)} with broadcasting ({@link BinaryDescriptor}). */
    static void binary(BinaryDescriptor op, Tensor a, Tensor b, Tensor y, WorkerPool pool) {
        Shape out = op.output();
        Lines lines = new Lines(out.dims(), op.layout().storageOrder(out.rank()),
                new long[][] {repeatStrides(a), repeatStrides(b), y.strides()},
                new long[] {a.offset(), b.offset(), y.offset()});
        int code = op.op().ordinal();
        int act = Epilogue.code(op.activation());
        int inLoop = Epilogue.inLoop(act);
        MemorySegment as = a.buffer();
        MemorySegment bs = b.buffer();
        MemorySegment ys = y.buffer();
        long ai = lines.inner(0);
        long bi = lines.inner(1);
        long yi = lines.inner(2);
        Lines.Kernel k;
        if (yi != 1 || ai > 1 || bi > 1) {
            k = (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < n; i++) {
                        float v = apply(code, as.getAtIndex(FLOAT, at[0] + r * st[0] + i * ai),
                                bs.getAtIndex(FLOAT, at[1] + r * st[1] + i * bi));
                        ys.setAtIndex(FLOAT, at[2] + r * st[2] + i * yi, scalar(v, act));
                    }
                }
            };
            lines.run(pool, k);
            return;
        }
        if (ai == 1 && bi == 1) {
            k = (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    bothLines(code, inLoop, as, at[0] + r * st[0], bs, at[1] + r * st[1], ys, at[2] + r * st[2], n);
                }
            };
        } else if (ai == 1) {
            k = (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    oneLine(code, inLoop, as, at[0] + r * st[0], bs.getAtIndex(FLOAT, at[1] + r * st[1]), ys,
                            at[2] + r * st[2], n);
                }
            };
        } else if (bi == 1) {
            k = (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    oneLine(code + REVERSED, inLoop, bs, at[1] + r * st[1], as.getAtIndex(FLOAT, at[0] + r * st[0]), ys,
                            at[2] + r * st[2], n);
                }
            };
        } else {
            k = (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    float v = Epilogue.inLoop(apply(code, as.getAtIndex(FLOAT, at[0] + r * st[0]),
                            bs.getAtIndex(FLOAT, at[1] + r * st[1])), inLoop);
                    for (int i = 0; i < n; i++) {
                        ys.setAtIndex(FLOAT, at[2] + r * st[2] + i, v);
                    }
                }
            };
        }
        lines.run(pool, withActivation(k, inLoop, act, ys, 2));
    }

    /** {@code t}'s strides with 0 along its size-1 axes, where the output repeats it. */
    private static long[] repeatStrides(Tensor t) {
        long[] s = t.strides();
        for (int i = 0; i < s.length; i++) {
            if (t.shape().dim(i) == 1) {
                s[i] = 0;
            }
        }
        return s;
    }

    /**
     * {@code kernel}, then {@code act} over each line of operand {@code y} in a second pass when the loops do not
     * apply it ({@link Epilogue#inLoop(int)}); the line is still in cache.
     */
    private static Lines.Kernel withActivation(Lines.Kernel kernel, int inLoop, int act, MemorySegment ys, int y) {
        if (inLoop == act) {
            return kernel;
        }
        return (at, st, rows, n) -> {
            kernel.lines(at, st, rows, n);
            for (int r = 0; r < rows; r++) {
                Epilogue.activateInPlace(ys, at[y] + r * st[y], n, act);
            }
        };
    }

    /** Any activation on one float, equal to the vector paths (loops and second pass). */
    private static float scalar(float v, int act) {
        return Epilogue.inLoop(act) == act ? Epilogue.inLoop(v, act) : Epilogue.activate(v, act);
    }

    /** Two operand lines; {@code act} one of {@link Epilogue#inLoop(int)}'s. */
    private static void bothLines(int code, int act, MemorySegment as, long a, MemorySegment bs, long b,
                                  MemorySegment ys, long y, int n) {
        int i = 0;
        for (; i + V <= n; i += V) {
            FloatVector va = FloatVector.fromMemorySegment(F, as, (a + i) * 4, ORDER);
            FloatVector vb = FloatVector.fromMemorySegment(F, bs, (b + i) * 4, ORDER);
            FloatVector v = switch (code) {
                case ADD -> va.add(vb);
                case SUB -> va.sub(vb);
                case MUL -> va.mul(vb);
                default -> va.div(vb);
            };
            v = switch (act) {
                case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f);
                case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f));
                default -> v;
            };
            v.intoMemorySegment(ys, (y + i) * 4, ORDER);
        }
        for (; i < n; i++) {
            float v = apply(code, as.getAtIndex(FLOAT, a + i), bs.getAtIndex(FLOAT, b + i));
            ys.setAtIndex(FLOAT, y + i, Epilogue.inLoop(v, act));
        }
    }

    /** {@code x op r} for a line x and a repeated value r; reversed codes compute {@code r op x}. */
    private static void oneLine(int code, int act, MemorySegment xs, long x, float value, MemorySegment ys, long y,
                                int n) {
        FloatVector r = FloatVector.broadcast(F, value);
        int i = 0;
        for (; i + V <= n; i += V) {
            FloatVector vx = FloatVector.fromMemorySegment(F, xs, (x + i) * 4, ORDER);
            FloatVector v = switch (code) {
                case ADD, ADD + REVERSED -> vx.add(r);
                case SUB -> vx.sub(r);
                case SUB + REVERSED -> r.sub(vx);
                case MUL, MUL + REVERSED -> vx.mul(r);
                case DIV -> vx.div(r);
                default -> r.div(vx);
            };
            v = switch (act) {
                case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f);
                case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f));
                default -> v;
            };
            v.intoMemorySegment(ys, (y + i) * 4, ORDER);
        }
        for (; i < n; i++) {
            float e = xs.getAtIndex(FLOAT, x + i);
            float v = code < REVERSED ? apply(code, e, value) : apply(code - REVERSED, value, e);
            ys.setAtIndex(FLOAT, y + i, Epilogue.inLoop(v, act));
        }
    }

    private static float apply(int code, float a, float b) {
        return switch (code) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            default -> a / b;
        };
    }

    /**
     * {@code y = act(x · scale[c] + shift[c])} ({@link ScaleShiftDescriptor}) with one rounding ({@code fma}): the
     * parameters are a third operand of stride 1 along C and 0 elsewhere, so NHWC lines run along the channels and
     * NCHW lines along whole planes.
     */
    record ScaleShift(ScaleShiftDescriptor op, float[] scale, float[] shift, WorkerPool pool) implements Plan {
        @Override
        public void execute(Tensor x, Tensor y) {
            Shape shape = op.input();
            long[] perChannel = new long[shape.rank()];
            perChannel[1] = 1;
            Lines lines = new Lines(shape.dims(), op.layout().storageOrder(shape.rank()),
                    new long[][] {x.strides(), y.strides(), perChannel}, new long[] {x.offset(), y.offset(), 0});
            int act = Epilogue.code(op.activation());
            int inLoop = Epilogue.inLoop(act);
            MemorySegment xs = x.buffer();
            MemorySegment ys = y.buffer();
            long xi = lines.inner(0);
            long yi = lines.inner(1);
            long pi = lines.inner(2);
            Lines.Kernel k;
            if (xi != 1 || yi != 1) {
                k = (at, st, rows, n) -> {
                    for (int r = 0; r < rows; r++) {
                        for (int i = 0; i < n; i++) {
                            int c = (int) (at[2] + r * st[2] + i * pi);
                            float v = Math.fma(xs.getAtIndex(FLOAT, at[0] + r * st[0] + i * xi), scale[c], shift[c]);
                            ys.setAtIndex(FLOAT, at[1] + r * st[1] + i * yi, scalar(v, act));
                        }
                    }
                };
                lines.run(pool, k);
                return;
            }
            if (pi == 1) {
                k = (at, st, rows, n) -> {
                    for (int r = 0; r < rows; r++) {
                        channels(xs, at[0] + r * st[0], ys, at[1] + r * st[1], (int) (at[2] + r * st[2]), n, inLoop);
                    }
                };
            } else {
                k = (at, st, rows, n) -> {
                    for (int r = 0; r < rows; r++) {
                        plane(xs, at[0] + r * st[0], ys, at[1] + r * st[1], (int) (at[2] + r * st[2]), n, inLoop);
                    }
                };
            }
            lines.run(pool, withActivation(k, inLoop, act, ys, 1));
        }

        /** A line along the channels from channel {@code c} (NHWC, 2-D). */
        private void channels(MemorySegment xs, long x, MemorySegment ys, long y, int c, int n, int act) {
            int i = 0;
            for (; i + V <= n; i += V) {
                FloatVector v = FloatVector.fromMemorySegment(F, xs, (x + i) * 4, ORDER)
                        .fma(FloatVector.fromArray(F, scale, c + i), FloatVector.fromArray(F, shift, c + i));
                v = switch (act) {
                    case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                    case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                    case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f);
                    case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f));
                    default -> v;
                };
                v.intoMemorySegment(ys, (y + i) * 4, ORDER);
            }
            for (; i < n; i++) {
                float v = Math.fma(xs.getAtIndex(FLOAT, x + i), scale[c + i], shift[c + i]);
                ys.setAtIndex(FLOAT, y + i, Epilogue.inLoop(v, act));
            }
        }

        /** A line within channel {@code c} (an NCHW plane). */
        private void plane(MemorySegment xs, long x, MemorySegment ys, long y, int c, int n, int act) {
            FloatVector s = FloatVector.broadcast(F, scale[c]);
            FloatVector h = FloatVector.broadcast(F, shift[c]);
            int i = 0;
            for (; i + V <= n; i += V) {
                FloatVector v = FloatVector.fromMemorySegment(F, xs, (x + i) * 4, ORDER).fma(s, h);
                v = switch (act) {
                    case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                    case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                    case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f);
                    case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f));
                    default -> v;
                };
                v.intoMemorySegment(ys, (y + i) * 4, ORDER);
            }
            for (; i < n; i++) {
                float v = Math.fma(xs.getAtIndex(FLOAT, x + i), scale[c], shift[c]);
                ys.setAtIndex(FLOAT, y + i, Epilogue.inLoop(v, act));
            }
        }
    }

    /**
     * {@code y = act(x)}, same shape and layout, x and y possibly the same tensor. The activation's cases are
     * written out in the loop: calling {@link Epilogue#activate(FloatVector, int)} made every later ReLU allocate
     * all its vectors once a sigmoid had run (C2 compiled the call on its own and stopped inlining it).
     */
    static void activation(int act, Tensor x, Tensor y, WorkerPool pool) {
        Shape shape = y.shape();
        Lines lines = new Lines(shape.dims(), y.layout().storageOrder(shape.rank()),
                new long[][] {x.strides(), y.strides()}, new long[] {x.offset(), y.offset()});
        int inLoop = Epilogue.inLoop(act);
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        long xi = lines.inner(0);
        long yi = lines.inner(1);
        if (xi != 1 || yi != 1) {
            lines.run(pool, (at, st, rows, n) -> {
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < n; i++) {
                        float v = xs.getAtIndex(FLOAT, at[0] + r * st[0] + i * xi);
                        ys.setAtIndex(FLOAT, at[1] + r * st[1] + i * yi, scalar(v, act));
                    }
                }
            });
            return;
        }
        Lines.Kernel k = (at, st, rows, n) -> {
            for (int r = 0; r < rows; r++) {
                unaryLine(xs, at[0] + r * st[0], ys, at[1] + r * st[1], n, inLoop);
            }
        };
        lines.run(pool, withActivation(k, inLoop, act, ys, 1));
    }

    private static void unaryLine(MemorySegment xs, long x, MemorySegment ys, long y, int n, int act) {
        int i = 0;
        for (; i + V <= n; i += V) {
            FloatVector v = FloatVector.fromMemorySegment(F, xs, (x + i) * 4, ORDER);
            v = switch (act) {
                case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f);
                case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(SIXTH, 0.5f), 0f, 1f));
                default -> v;
            };
            v.intoMemorySegment(ys, (y + i) * 4, ORDER);
        }
        for (; i < n; i++) {
            ys.setAtIndex(FLOAT, y + i, Epilogue.inLoop(xs.getAtIndex(FLOAT, x + i), act));
        }
    }

    /** {@code y = min(max(alpha·x + beta, min), max)} ({@link ClampDescriptor}), NaN propagating. */
    static void clamp(ClampDescriptor op, Tensor x, Tensor y, WorkerPool pool) {
        Shape shape = op.input();
        Lines lines = new Lines(shape.dims(), op.layout().storageOrder(shape.rank()),
                new long[][] {x.strides(), y.strides()}, new long[] {x.offset(), y.offset()});
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        float alpha = op.alpha();
        float beta = op.beta();
        float lo = op.min();
        float hi = op.max();
        long xi = lines.inner(0);
        long yi = lines.inner(1);
        boolean adjacent = xi == 1 && yi == 1;
        lines.run(pool, (at, st, rows, n) -> {
            for (int r = 0; r < rows; r++) {
                long x0 = at[0] + r * st[0];
                long y0 = at[1] + r * st[1];
                int i = 0;
                if (adjacent) {
                    for (; i + V <= n; i += V) {
                        FloatVector.fromMemorySegment(F, xs, (x0 + i) * 4, ORDER).fma(alpha, beta).max(lo).min(hi)
                                .intoMemorySegment(ys, (y0 + i) * 4, ORDER);
                    }
                }
                for (; i < n; i++) {
                    float v = Math.fma(xs.getAtIndex(FLOAT, x0 + i * xi), alpha, beta);
                    ys.setAtIndex(FLOAT, y0 + i * yi, Math.min(Math.max(v, lo), hi));
                }
            }
        });
    }
}
