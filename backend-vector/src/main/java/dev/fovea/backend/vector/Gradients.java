package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import dev.fovea.tensor.Positions;

/**
 * Element-wise and row-wise gradients: activation backward (vectorized and split between threads when the three
 * tensors are dense in one storage order, element by element otherwise), softmax backward and the fused softmax
 * cross-entropy (small {@code [N, F]} tensors, in double like the reference).
 */
final class Gradients implements WorkerPool.Body {
    private record Call(int act, MemorySegment y, long yo, MemorySegment dy, long dyo, MemorySegment dx, long dxo,
                        long count, long chunk) {
    }

    private static final Gradients INSTANCE = new Gradients();
    private static final long CHUNK = 1 << 16;

    private Gradients() {
    }

    /** {@code dx = dy · act'(x)} expressed through the forward's output {@code y}. */
    static void activation(int act, Tensor y, Tensor dy, Tensor dx, WorkerPool pool) {
        long count = y.shape().elementCount();
        boolean dense = y.isContiguous() && dy.isContiguous() && dx.isContiguous()
                && (y.shape().rank() != 4 || (y.layout() == dy.layout() && y.layout() == dx.layout()));
        if (!dense) {
            strided(act, y, dy, dx);
            return;
        }
        Call call = new Call(act, y.buffer(), y.offset(), dy.buffer(), dy.offset(), dx.buffer(), dx.offset(), count,
                CHUNK);
        int tasks = (int) Math.ceilDiv(count, CHUNK);
        pool.run(tasks, INSTANCE, call, WorkerPool.bytesWork(12 * count));
    }

    @Override
    public void run(int task, Object ctx) {
        Call c = (Call) ctx;
        long from = task * c.chunk;
        int count = (int) Math.min(c.chunk, c.count - from);
        long yo = (c.yo + from) * 4;
        long dyo = (c.dyo + from) * 4;
        long dxo = (c.dxo + from) * 4;
        int i = 0;
        for (; i + V <= count; i += V) {
            FloatVector y = FloatVector.fromMemorySegment(F, c.y, yo + i * 4L, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(F, c.dy, dyo + i * 4L, ORDER);
            derivative(c.act, y, d).intoMemorySegment(c.dx, dxo + i * 4L, ORDER);
        }
        if (i < count) {
            VectorMask<Float> m = F.indexInRange(i, count);
            FloatVector y = FloatVector.fromMemorySegment(F, c.y, yo + i * 4L, ORDER, m);
            FloatVector d = FloatVector.fromMemorySegment(F, c.dy, dyo + i * 4L, ORDER, m);
            derivative(c.act, y, d).intoMemorySegment(c.dx, dxo + i * 4L, ORDER, m);
        }
    }

    private static FloatVector derivative(int act, FloatVector y, FloatVector d) {
        return switch (act) {
            case Epilogue.RELU -> FloatVector.zero(F).blend(d, y.compare(VectorOperators.GT, 0f));
            case Epilogue.SIGMOID -> d.mul(y).mul(y.neg().add(1f));
            case Epilogue.TANH -> d.mul(y.mul(y).neg().add(1f));
            default -> d;
        };
    }

    private static float derivative(int act, float y, float d) {
        return switch (act) {
            case Epilogue.RELU -> y > 0 ? d : 0f;
            case Epilogue.SIGMOID -> d * y * (1 - y);
            case Epilogue.TANH -> d * (1 - y * y);
            default -> d;
        };
    }

    /** Any strides: element by element in logical order. */
    private static void strided(int act, Tensor y, Tensor dy, Tensor dx) {
        MemorySegment ys = y.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        int[] dims = y.shape().dims();
        int rank = dims.length;
        int[] pos = new int[rank];
        for (long k = 0, total = y.shape().elementCount(); k < total; k++) {
            float d = derivative(act, ys.getAtIndex(FLOAT, Positions.index(y, pos)),
                    dys.getAtIndex(FLOAT, Positions.index(dy, pos)));
            dxs.setAtIndex(FLOAT, Positions.index(dx, pos), d);
            Positions.next(pos, dims);
        }
    }

    /** {@code dx = y ⊙ (dy − Σ_j dy_j·y_j)} per row of {@code [N, F]}. */
    static void softmax(Tensor y, Tensor dy, Tensor dx) {
        MemorySegment ys = y.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        int n = y.shape().n();
        int f = y.shape().c();
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < f; j++) {
                dot += (double) dys.getAtIndex(FLOAT, at(dy, i, j)) * ys.getAtIndex(FLOAT, at(y, i, j));
            }
            for (int j = 0; j < f; j++) {
                double yj = ys.getAtIndex(FLOAT, at(y, i, j));
                dxs.setAtIndex(FLOAT, at(dx, i, j), (float) (yj * (dys.getAtIndex(FLOAT, at(dy, i, j)) - dot)));
            }
        }
    }

    /** Fused softmax cross-entropy with integer labels; returns the summed row losses. */
    static double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        MemorySegment zs = logits.buffer();
        int n = logits.shape().n();
        int f = logits.shape().c();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f; j++) {
                max = Math.max(max, zs.getAtIndex(FLOAT, at(logits, i, j)));
            }
            double sum = 0;
            for (int j = 0; j < f; j++) {
                sum += Math.exp(zs.getAtIndex(FLOAT, at(logits, i, j)) - max);
            }
            double lse = max + Math.log(sum);
            total += lse - zs.getAtIndex(FLOAT, at(logits, i, labels[i]));
            if (dx != null) {
                MemorySegment dxs = dx.buffer();
                for (int j = 0; j < f; j++) {
                    double pj = Math.exp(zs.getAtIndex(FLOAT, at(logits, i, j)) - lse);
                    dxs.setAtIndex(FLOAT, at(dx, i, j), (float) (scale * (pj - (j == labels[i] ? 1 : 0))));
                }
            }
        }
        return total;
    }

    private static long at(Tensor t, int i, int j) {
        return t.offset() + i * t.stride(0) + j * t.stride(1);
    }
}
