package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

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
 * channels-last ({@link Gather#paddedRows}), into native memory on a cache-line boundary (vector loads from a
 * float[] split cache lines in some runs), so the loop never tests borders. Channels go {@link Simd#V} at a time,
 * the last vector masked, and pixels four at a time, so that a filter row's weight vectors
 * (3 or 5 wide: written-out kernels) each serve four FMAs.
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
        MemorySegment in = Scratch.get().aligned(gathered);
        int gRows = (o1 - o0 - 1) * sh + (r - 1) * dh + 1;
        Gather.paddedRows(x, img, o0 * sh - pt, gRows, h, w, c, pl, wp, in);
        MemorySegment ys = y.buffer();
        long pixelStride = y.stride(3);
        // ReLU and ReLU6 are clamps applied in the store; other activations run over the stored row afterwards.
        boolean clamp = act == Epilogue.NONE || act == Epilogue.RELU || act == Epilogue.RELU6;
        float low = act == Epilogue.RELU || act == Epilogue.RELU6 ? 0f : Float.NEGATIVE_INFINITY;
        float high = act == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        for (int o = o0; o < o1; o++) {
            long rowIn = 4L * (o - o0) * sh * wp * c;
            long rowOut = y.offset() + img * y.stride(0) + o * y.stride(2);
            if (s == 3 && sw == 1 && dw == 1) {
                rowS3(in, rowIn, ys, rowOut, pixelStride, low, high);
            } else if (s == 5 && sw == 1 && dw == 1) {
                rowS5(in, rowIn, ys, rowOut, pixelStride, low, high);
            } else {
                row(in, rowIn, ys, rowOut, pixelStride, low, high);
            }
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
     * {@link #row} for filters 3 wide with stride 1 and no dilation (MobileNet's 3×3), a block of four pixels at a time
     * and every channel vector in it: a filter row's three weight vectors are loaded once per four pixels, and its six
     * input cells once (the four windows overlap), read while in L1 (channel vectors outermost walked the task's
     * input rows once per vector, from L2, and ran about 12 % slower). Only whole vectors and blocks of four pixels here, the last channels by
     * {@link #pixels}: a larger method (all nine taps written out, masked stores, tails) was too big for C1 ("out of
     * virtual registers") and ran interpreted until C2 took it, seconds later.
     */
    private void rowS3(MemorySegment in, long rowIn, MemorySegment y, long rowOut, long pixelStride, float low,
                       float high) {
        long col = 4L * c;
        long row = 4L * dh * wp * c;
        long ps = pixelStride * 4;
        // Whole channel vectors only; with fewer than four pixels, none here. The last block of four ends at the
        // row's end, overlapping the one before: its pixels computed twice store the same values.
        int cWhole = q < 4 ? 0 : c - c % V;
        for (int jb = 0; jb < q; jb += 4) {
            int j = Math.min(jb, q - 4);
            for (int ch = 0; ch < cWhole; ch += V) {
                FloatVector b = FloatVector.fromArray(F, bias, ch);
                long x0 = rowIn + j * col + 4L * ch;
                FloatVector a0 = b;
                FloatVector a1 = b;
                FloatVector a2 = b;
                FloatVector a3 = b;
                for (int i = 0; i < r; i++) {
                    long o = x0 + i * row;
                    int wi = i * 3 * cPad + ch;
                    FloatVector v0 = FloatVector.fromArray(F, weights, wi);
                    FloatVector v1 = FloatVector.fromArray(F, weights, wi + cPad);
                    FloatVector v2 = FloatVector.fromArray(F, weights, wi + 2 * cPad);
                    // Cell m serves pixel p's tap m − p: each accumulator still takes its taps in order.
                    FloatVector e0 = FloatVector.fromMemorySegment(F, in, o, ORDER);
                    FloatVector e1 = FloatVector.fromMemorySegment(F, in, o + col, ORDER);
                    FloatVector e2 = FloatVector.fromMemorySegment(F, in, o + 2 * col, ORDER);
                    FloatVector e3 = FloatVector.fromMemorySegment(F, in, o + 3 * col, ORDER);
                    a0 = e0.fma(v0, a0);
                    a1 = e1.fma(v0, a1);
                    a2 = e2.fma(v0, a2);
                    a3 = e3.fma(v0, a3);
                    FloatVector e4 = FloatVector.fromMemorySegment(F, in, o + 4 * col, ORDER);
                    a0 = e1.fma(v1, a0);
                    a1 = e2.fma(v1, a1);
                    a2 = e3.fma(v1, a2);
                    a3 = e4.fma(v1, a3);
                    FloatVector e5 = FloatVector.fromMemorySegment(F, in, o + 5 * col, ORDER);
                    a0 = e2.fma(v2, a0);
                    a1 = e3.fma(v2, a1);
                    a2 = e4.fma(v2, a2);
                    a3 = e5.fma(v2, a3);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                a0 = a0.blend(low, a0.compare(LE, low));
                a0.blend(high, a0.compare(GE, high)).intoMemorySegment(y, e, ORDER);
                a1 = a1.blend(low, a1.compare(LE, low));
                a1.blend(high, a1.compare(GE, high)).intoMemorySegment(y, e + ps, ORDER);
                a2 = a2.blend(low, a2.compare(LE, low));
                a2.blend(high, a2.compare(GE, high)).intoMemorySegment(y, e + 2 * ps, ORDER);
                a3 = a3.blend(low, a3.compare(LE, low));
                a3.blend(high, a3.compare(GE, high)).intoMemorySegment(y, e + 3 * ps, ORDER);
            }
        }
        pixels(in, rowIn, y, rowOut, pixelStride, low, high, 0, q, cWhole, c);
    }

    /**
     * {@link #rowS3} for filters 5 wide (EfficientNet's 5×5: eight cells per filter row for four pixels), but channel
     * vectors outermost: a block's cells of all channels under a 5×5 window (38 KB at 240 channels) do not stay in
     * L1, and blocks first ran about 8 % slower.
     */
    private void rowS5(MemorySegment in, long rowIn, MemorySegment y, long rowOut, long pixelStride, float low,
                       float high) {
        long col = 4L * c;
        long row = 4L * dh * wp * c;
        long ps = pixelStride * 4;
        int cWhole = q < 4 ? 0 : c - c % V;
        for (int ch = 0; ch < cWhole; ch += V) {
            FloatVector b = FloatVector.fromArray(F, bias, ch);
            for (int jb = 0; jb < q; jb += 4) {
                int j = Math.min(jb, q - 4);
                long x0 = rowIn + j * col + 4L * ch;
                FloatVector a0 = b;
                FloatVector a1 = b;
                FloatVector a2 = b;
                FloatVector a3 = b;
                for (int i = 0; i < r; i++) {
                    long o = x0 + i * row;
                    int wi = i * 5 * cPad + ch;
                    FloatVector v0 = FloatVector.fromArray(F, weights, wi);
                    FloatVector v1 = FloatVector.fromArray(F, weights, wi + cPad);
                    FloatVector v2 = FloatVector.fromArray(F, weights, wi + 2 * cPad);
                    FloatVector v3 = FloatVector.fromArray(F, weights, wi + 3 * cPad);
                    FloatVector v4 = FloatVector.fromArray(F, weights, wi + 4 * cPad);
                    // Cell m serves pixel p's tap m − p, as in rowS3.
                    FloatVector e0 = FloatVector.fromMemorySegment(F, in, o, ORDER);
                    FloatVector e1 = FloatVector.fromMemorySegment(F, in, o + col, ORDER);
                    FloatVector e2 = FloatVector.fromMemorySegment(F, in, o + 2 * col, ORDER);
                    FloatVector e3 = FloatVector.fromMemorySegment(F, in, o + 3 * col, ORDER);
                    a0 = e0.fma(v0, a0);
                    a1 = e1.fma(v0, a1);
                    a2 = e2.fma(v0, a2);
                    a3 = e3.fma(v0, a3);
                    FloatVector e4 = FloatVector.fromMemorySegment(F, in, o + 4 * col, ORDER);
                    a0 = e1.fma(v1, a0);
                    a1 = e2.fma(v1, a1);
                    a2 = e3.fma(v1, a2);
                    a3 = e4.fma(v1, a3);
                    FloatVector e5 = FloatVector.fromMemorySegment(F, in, o + 5 * col, ORDER);
                    a0 = e2.fma(v2, a0);
                    a1 = e3.fma(v2, a1);
                    a2 = e4.fma(v2, a2);
                    a3 = e5.fma(v2, a3);
                    FloatVector e6 = FloatVector.fromMemorySegment(F, in, o + 6 * col, ORDER);
                    a0 = e3.fma(v3, a0);
                    a1 = e4.fma(v3, a1);
                    a2 = e5.fma(v3, a2);
                    a3 = e6.fma(v3, a3);
                    FloatVector e7 = FloatVector.fromMemorySegment(F, in, o + 7 * col, ORDER);
                    a0 = e4.fma(v4, a0);
                    a1 = e5.fma(v4, a1);
                    a2 = e6.fma(v4, a2);
                    a3 = e7.fma(v4, a3);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                a0 = a0.blend(low, a0.compare(LE, low));
                a0.blend(high, a0.compare(GE, high)).intoMemorySegment(y, e, ORDER);
                a1 = a1.blend(low, a1.compare(LE, low));
                a1.blend(high, a1.compare(GE, high)).intoMemorySegment(y, e + ps, ORDER);
                a2 = a2.blend(low, a2.compare(LE, low));
                a2.blend(high, a2.compare(GE, high)).intoMemorySegment(y, e + 2 * ps, ORDER);
                a3 = a3.blend(low, a3.compare(LE, low));
                a3.blend(high, a3.compare(GE, high)).intoMemorySegment(y, e + 3 * ps, ORDER);
            }
        }
        pixels(in, rowIn, y, rowOut, pixelStride, low, high, 0, q, cWhole, c);
    }

    /**
     * Pixels {@code j0 .. j1 − 1} of an output row, channels {@code ch0 .. ch1 − 1} (from a vector boundary), one
     * vector at a time: the channel tails of {@link #rowS3} and {@link #rowS5}, and rows of fewer than four pixels.
     */
    private void pixels(MemorySegment in, long rowIn, MemorySegment y, long rowOut, long pixelStride, float low,
                        float high, int j0, int j1, int ch0, int ch1) {
        int taps = off.length;
        for (int j = j0; j < j1; j++) {
            long p0 = rowIn + 4L * j * sw * c;
            for (int ch = ch0; ch < ch1; ch += V) {
                FloatVector a = FloatVector.fromArray(F, bias, ch);
                for (int t = 0; t < taps; t++) {
                    a = FloatVector.fromMemorySegment(F, in, p0 + 4L * (off[t] + ch), ORDER)
                            .fma(FloatVector.fromArray(F, weights, t * cPad + ch), a);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                a = a.blend(low, a.compare(LE, low));
                a.blend(high, a.compare(GE, high)).intoMemorySegment(y, e, ORDER, F.indexInRange(ch, ch1));
            }
        }
    }

    /**
     * One output row, any filter, stride and dilation (the strided 3×3 and 5×5 layers too: their windows share
     * fewer cells, and they ran as fast here as in written-out kernels): pixel j reads the gathered window at
     * {@code in[rowIn + j·sw·c + off[t] + ch]}, and its channels are stored at {@code y[rowOut + j·pixelStride + ch]}
     * (floats), clamped to {@code [low, high]}.
     */
    private void row(MemorySegment in, long rowIn, MemorySegment y, long rowOut, long pixelStride, float low, float high) {
        int taps = off.length;
        int step = sw * c;
        int j = 0;
        for (; j + 4 <= q; j += 4) {
            long p0 = rowIn + 4L * j * step;
            for (int ch = 0; ch < c; ch += V) {
                FloatVector b = FloatVector.fromArray(F, bias, ch);
                FloatVector a0 = b;
                FloatVector a1 = b;
                FloatVector a2 = b;
                FloatVector a3 = b;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.fromArray(F, weights, t * cPad + ch);
                    long at = p0 + 4L * (off[t] + ch);
                    a0 = FloatVector.fromMemorySegment(F, in, at, ORDER).fma(wt, a0);
                    a1 = FloatVector.fromMemorySegment(F, in, at + 4L * step, ORDER).fma(wt, a1);
                    a2 = FloatVector.fromMemorySegment(F, in, at + 8L * step, ORDER).fma(wt, a2);
                    a3 = FloatVector.fromMemorySegment(F, in, at + 12L * step, ORDER).fma(wt, a3);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                long ps = pixelStride * 4;
                if (ch + V <= c) {
                    a0 = a0.blend(low, a0.compare(LE, low));
                    a0.blend(high, a0.compare(GE, high)).intoMemorySegment(y, e, ORDER);
                    a1 = a1.blend(low, a1.compare(LE, low));
                    a1.blend(high, a1.compare(GE, high)).intoMemorySegment(y, e + ps, ORDER);
                    a2 = a2.blend(low, a2.compare(LE, low));
                    a2.blend(high, a2.compare(GE, high)).intoMemorySegment(y, e + 2 * ps, ORDER);
                    a3 = a3.blend(low, a3.compare(LE, low));
                    a3.blend(high, a3.compare(GE, high)).intoMemorySegment(y, e + 3 * ps, ORDER);
                } else {
                    VectorMask<Float> m = F.indexInRange(ch, c);
                    a0 = a0.blend(low, a0.compare(LE, low));
                    a0.blend(high, a0.compare(GE, high)).intoMemorySegment(y, e, ORDER, m);
                    a1 = a1.blend(low, a1.compare(LE, low));
                    a1.blend(high, a1.compare(GE, high)).intoMemorySegment(y, e + ps, ORDER, m);
                    a2 = a2.blend(low, a2.compare(LE, low));
                    a2.blend(high, a2.compare(GE, high)).intoMemorySegment(y, e + 2 * ps, ORDER, m);
                    a3 = a3.blend(low, a3.compare(LE, low));
                    a3.blend(high, a3.compare(GE, high)).intoMemorySegment(y, e + 3 * ps, ORDER, m);
                }
            }
        }
        for (; j < q; j++) {
            long p0 = rowIn + 4L * j * step;
            for (int ch = 0; ch < c; ch += V) {
                FloatVector a = FloatVector.fromArray(F, bias, ch);
                for (int t = 0; t < taps; t++) {
                    a = FloatVector.fromMemorySegment(F, in, p0 + 4L * (off[t] + ch), ORDER)
                            .fma(FloatVector.fromArray(F, weights, t * cPad + ch), a);
                }
                long e = (rowOut + j * pixelStride + ch) * 4;
                a = a.blend(low, a.compare(LE, low));
                a.blend(high, a.compare(GE, high)).intoMemorySegment(y, e, ORDER, F.indexInRange(ch, c));
            }
        }
    }
}
