package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * A depthwise convolution (one input and one output channel per group: MobileNet's and EfficientNet's 3×3 and 5×5
 * layers) with channels-last output, finished in registers: each accumulator starts at the bias, takes the taps'
 * FMAs, is clamped by the activation and is stored straight into the output tensor. {@link ConvPlan}'s depthwise
 * mode writes a tile, then adds the bias and activates it in a second pass and copies it out in a third; at these
 * layers' few FLOPs per value the two extra passes cost more than the FMAs.
 *
 * <p>A task takes a block of output rows of one image and gathers the input rows under it, zero-padded and
 * channels-last ({@link Gather#paddedRows}), so the loop never tests borders. Pixels go four at a time so that
 * each weight vector loaded serves four FMAs; channels go {@link Simd#V} at a time, the last vector masked.
 */
final class DepthwisePlan extends ConvGeometry implements Plan, WorkerPool.Body {
    /** Output pixels a task aims at: enough to amortize the gather, few enough for its input rows to stay in L2. */
    private static final int TARGET_PIXELS = 512;

    private final WorkerPool pool;
    private final int act;
    /** Channels rounded up to whole vectors: the row stride of {@link #weights}. */
    private final int cPad;
    /** Weights {@code [r·S + s][cPad]}, zero past {@code c}. */
    private final float[] weights;
    /** Bias padded to {@link #cPad}, zeros without one. */
    private final float[] bias;
    /** Offsets of the taps from a pixel's window corner in the gathered rows. */
    private final int[] off;
    private final int rowsPerTask;
    private final int tasksPerImage;
    /** Floats of gathered input of the largest task. */
    private final int gathered;
    private final long flops;

    /** Whether {@code op} is planned by this class: depthwise with channels-last storage. */
    static boolean applies(ConvolutionDescriptor op) {
        int c = op.input().c();
        return op.groups() == c && op.filters() == c && op.layout() == Layout.NHWC;
    }

    /** @param wts weights {@code [C][1][R][S]}; @param b bias (C values) or null */
    DepthwisePlan(ConvolutionDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        super(op);
        this.pool = pool;
        act = Epilogue.code(op.activation());
        flops = op.flops();
        cPad = ConvPlan.roundUp(c, V);
        weights = new float[r * s * cPad];
        off = new int[r * s];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < s; j++) {
                int t = i * s + j;
                off[t] = tapOffset(i, j);
                for (int ch = 0; ch < c; ch++) {
                    weights[t * cPad + ch] = wts[ch * r * s + t];
                }
            }
        }
        bias = new float[cPad];
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, c);
        }
        // About TARGET_PIXELS per task, but at least 4 tasks per thread when the batch allows.
        int rows = Math.max(1, Math.min(p, TARGET_PIXELS / q));
        while (rows > 1 && (long) n * Math.ceilDiv(p, rows) < 4L * pool.threads()) {
            rows = (rows + 1) / 2;
        }
        rowsPerTask = rows;
        tasksPerImage = Math.ceilDiv(p, rows);
        // Slack past the end: the last pixel's channel vectors are loaded whole.
        gathered = ((rows - 1) * sh + (r - 1) * dh + 1) * wp * c + V;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        if (y.stride(1) != 1) {
            throw new IllegalStateException("depthwise plan for channels-last output given strides "
                    + java.util.Arrays.toString(new long[] {y.stride(0), y.stride(1), y.stride(2), y.stride(3)}));
        }
        Tensor[] io = {x, y};
        int tasks = n * tasksPerImage;
        pool.run(tasks, this, io, flops);
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        Tensor x = io[0];
        Tensor y = io[1];
        int img = task / tasksPerImage;
        int o0 = (task % tasksPerImage) * rowsPerTask;
        int o1 = Math.min(p, o0 + rowsPerTask);
        float[] in = Scratch.get().input(gathered);
        int gRows = (o1 - o0 - 1) * sh + (r - 1) * dh + 1;
        Gather.paddedRows(x, img, o0 * sh - pt, gRows, h, w, c, pl, wp, in, 0);
        MemorySegment ys = y.buffer();
        long pixelStride = y.stride(3);
        // ReLU and ReLU6 are clamps applied in the store; other activations run over the stored row afterwards.
        boolean clamp = act == Epilogue.NONE || act == Epilogue.RELU || act == Epilogue.RELU6;
        float low = act == Epilogue.RELU || act == Epilogue.RELU6 ? 0f : Float.NEGATIVE_INFINITY;
        float high = act == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        for (int o = o0; o < o1; o++) {
            int rowIn = (o - o0) * sh * wp * c;
            long rowOut = y.offset() + img * y.stride(0) + o * y.stride(2);
            row(in, rowIn, ys, rowOut, pixelStride, low, high);
            if (!clamp && pixelStride == c) {
                Epilogue.activateInPlace(ys, rowOut, q * c, act);
            } else if (!clamp) {
                for (int j = 0; j < q; j++) {
                    Epilogue.activateInPlace(ys, rowOut + j * pixelStride, c, act);
                }
            }
        }
    }

    /**
     * One output row: pixel j reads the gathered window at {@code in[rowIn + j·sw·c + off[t] + ch]}, and its
     * channels are stored at {@code y[rowOut + j·pixelStride + ch]} (floats), clamped to {@code [low, high]}.
     */
    private void row(float[] in, int rowIn, MemorySegment y, long rowOut, long pixelStride, float low, float high) {
        int taps = off.length;
        int step = sw * c;
        int j = 0;
        for (; j + 4 <= q; j += 4) {
            int p0 = rowIn + j * step;
            for (int ch = 0; ch < c; ch += V) {
                FloatVector b = FloatVector.fromArray(F, bias, ch);
                FloatVector a0 = b;
                FloatVector a1 = b;
                FloatVector a2 = b;
                FloatVector a3 = b;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.fromArray(F, weights, t * cPad + ch);
                    int at = p0 + off[t] + ch;
                    a0 = FloatVector.fromArray(F, in, at).fma(wt, a0);
                    a1 = FloatVector.fromArray(F, in, at + step).fma(wt, a1);
                    a2 = FloatVector.fromArray(F, in, at + 2 * step).fma(wt, a2);
                    a3 = FloatVector.fromArray(F, in, at + 3 * step).fma(wt, a3);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                long ps = pixelStride * 4;
                if (ch + V <= c) {
                    a0.max(low).min(high).intoMemorySegment(y, e, ORDER);
                    a1.max(low).min(high).intoMemorySegment(y, e + ps, ORDER);
                    a2.max(low).min(high).intoMemorySegment(y, e + 2 * ps, ORDER);
                    a3.max(low).min(high).intoMemorySegment(y, e + 3 * ps, ORDER);
                } else {
                    VectorMask<Float> m = F.indexInRange(ch, c);
                    a0.max(low).min(high).intoMemorySegment(y, e, ORDER, m);
                    a1.max(low).min(high).intoMemorySegment(y, e + ps, ORDER, m);
                    a2.max(low).min(high).intoMemorySegment(y, e + 2 * ps, ORDER, m);
                    a3.max(low).min(high).intoMemorySegment(y, e + 3 * ps, ORDER, m);
                }
            }
        }
        for (; j < q; j++) {
            int p0 = rowIn + j * step;
            for (int ch = 0; ch < c; ch += V) {
                FloatVector a = FloatVector.fromArray(F, bias, ch);
                for (int t = 0; t < taps; t++) {
                    a = FloatVector.fromArray(F, in, p0 + off[t] + ch)
                            .fma(FloatVector.fromArray(F, weights, t * cPad + ch), a);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                a.max(low).min(high).intoMemorySegment(y, e, ORDER, F.indexInRange(ch, c));
            }
        }
    }
}
