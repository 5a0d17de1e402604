package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows.Taps;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Max and average pooling exactly as {@link PoolingDescriptor} defines them. Channels-last data is pooled
 * with vectors across channels (every load is a run of channels of one cell); channels-first data plane by
 * plane with scalar windows. Dilated windows take the per-window paths, their taps a dilation apart ({@link Taps}).
 */
final class Pooling implements WorkerPool.Body {
    private record Call(PoolingDescriptor op, Tensor x, Tensor y, int rowsPerTask, int tasksPerImage,
                        boolean channelsLast, boolean byRows, Taps rows, Taps cols) {
    }

    static final Pooling INSTANCE = new Pooling();

    private Pooling() {
    }

    static void forward(PoolingDescriptor op, Tensor x, Tensor y, WorkerPool pool) {
        int n = op.input().n();
        int p = op.output().h();
        boolean channelsLast = x.stride(1) == 1 && y.stride(1) == 1 && op.input().c() > 1;
        int rows = p;
        long bytes = 4 * (op.input().elementCount() + op.output().elementCount());
        while (rows > 1 && (long) n * Math.ceilDiv(p, rows) < 4L * pool.threads()) {
            rows = (rows + 1) / 2;
        }
        // Tasks of a few output rows keep the input rows they share in cache.
        if (rows > 4 && (long) n * Math.ceilDiv(p, rows) < 64) {
            rows = Math.max(4, rows / 2);
        }
        int perImage = Math.ceilDiv(p, rows);
        // Row streaming writes y before reading x: only for windows that do not overlap and y not sharing x's memory.
        // With 4 vectors of channels or more, per-window chains measured faster (bench/RESULTS.md).
        boolean byRows = channelsLast && !op.dilated() && op.input().c() < 4 * V && op.strideH() >= op.kernelH()
                && op.strideW() >= op.kernelW() && x.buffer().asOverlappingSlice(y.buffer()).isEmpty();
        Call call = new Call(op, x, y, rows, perImage, channelsLast, byRows, op.rowTaps(), op.colTaps());
        pool.run(n * perImage, INSTANCE, call, WorkerPool.bytesWork(bytes));
    }

    @Override
    public void run(int task, Object ctx) {
        Call call = (Call) ctx;
        int img = task / call.tasksPerImage;
        int p0 = (task % call.tasksPerImage) * call.rowsPerTask;
        int p1 = Math.min(call.op.output().h(), p0 + call.rowsPerTask);
        if (call.channelsLast && isGlobalAverage(call)) {
            globalAverage(call, img);
        } else if (call.channelsLast && !call.byRows && call.op.mode() == PoolingMode.MAX && !call.op.dilated()
                && call.op.input().c() % (4 * V) == 0 && call.op.kernelH() > call.op.strideH()) {
            maxRowPairs(call, img, p0, p1);
        } else if (call.byRows) {
            channelsLastRows(call.op, call.x, call.y, call.rows, call.cols, img, p0, p1);
        } else if (call.channelsLast) {
            channelsLastWindows(call, img, p0, p1);
        } else {
            channelsFirst(call, img, p0, p1);
        }
    }


    /**
     * Channels-last max pooling with windows overlapping across rows, two output rows at a time: the input rows
     * both windows cover are read once and combined into both results (3×3 s2: 7.5 loads per output instead of
     * 9). Channels in blocks of 4 vectors ({@code c} a multiple of 4V). A row pair holding a NaN is redone by
     * {@link #channelsLastWindows}, which propagates NaNs exactly.
     */
    private static void maxRowPairs(Call call, int img, int p0, int p1) {
        PoolingDescriptor op = call.op;
        Tensor x = call.x;
        Tensor y = call.y;
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int q = op.output().w();
        long xb = x.offset() + img * x.stride(0);
        long yb = y.offset() + img * y.stride(0);
        long xs2 = x.stride(2);
        long xs3 = x.stride(3);
        FloatVector low = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int oh = p0;
        for (; oh + 1 < p1; oh += 2) {
            int hsA = call.rows.start(oh);
            int heA = call.rows.end(oh);
            int hsB = call.rows.start(oh + 1);
            int heB = call.rows.end(oh + 1);
            // Rows [hsA, heA) are A's window, [hsB, heB) B's; they overlap (hsB < heA).
            long dstA = yb + oh * y.stride(2);
            long dstB = dstA + y.stride(2);
            boolean nan = false;
            for (int ow = 0; ow < q; ow++) {
                int ws = call.cols.start(ow);
                int we = call.cols.end(ow);
                long col = xb + ws * xs3;
                for (int ch = 0; ch < c; ch += 4 * V) {
                    // Each input row once: its maximum over the window's columns goes to A, to B or to both.
                    FloatVector a0 = low;
                    FloatVector a1 = low;
                    FloatVector a2 = low;
                    FloatVector a3 = low;
                    FloatVector b0 = low;
                    FloatVector b1 = low;
                    FloatVector b2 = low;
                    FloatVector b3 = low;
                    VectorMask<Float> n = F.maskAll(false);
                    for (int r = hsA; r < heB; r++) {
                        FloatVector r0 = low;
                        FloatVector r1 = low;
                        FloatVector r2 = low;
                        FloatVector r3 = low;
                        long cell = col + r * xs2 + ch;
                        for (int j = ws; j < we; j++, cell += xs3) {
                            FloatVector v0 = load(xs, cell);
                            FloatVector v1 = load(xs, cell + V);
                            FloatVector v2 = load(xs, cell + 2 * V);
                            FloatVector v3 = load(xs, cell + 3 * V);
                            r0 = r0.blend(v0, v0.compare(VectorOperators.GT, r0));
                            r1 = r1.blend(v1, v1.compare(VectorOperators.GT, r1));
                            r2 = r2.blend(v2, v2.compare(VectorOperators.GT, r2));
                            r3 = r3.blend(v3, v3.compare(VectorOperators.GT, r3));
                            n = n.or(v0.compare(VectorOperators.NE, v0)).or(v1.compare(VectorOperators.NE, v1))
                                    .or(v2.compare(VectorOperators.NE, v2)).or(v3.compare(VectorOperators.NE, v3));
                        }
                        if (r < heA) {
                            a0 = a0.blend(r0, r0.compare(VectorOperators.GT, a0));
                            a1 = a1.blend(r1, r1.compare(VectorOperators.GT, a1));
                            a2 = a2.blend(r2, r2.compare(VectorOperators.GT, a2));
                            a3 = a3.blend(r3, r3.compare(VectorOperators.GT, a3));
                        }
                        if (r >= hsB) {
                            b0 = b0.blend(r0, r0.compare(VectorOperators.GT, b0));
                            b1 = b1.blend(r1, r1.compare(VectorOperators.GT, b1));
                            b2 = b2.blend(r2, r2.compare(VectorOperators.GT, b2));
                            b3 = b3.blend(r3, r3.compare(VectorOperators.GT, b3));
                        }
                    }
                    if (n.anyTrue()) {
                        nan = true;
                        continue;
                    }
                    long da = dstA + ow * y.stride(3) + ch;
                    long db = dstB + ow * y.stride(3) + ch;
                    a0.intoMemorySegment(ys, da * 4, ORDER);
                    a1.intoMemorySegment(ys, (da + V) * 4, ORDER);
                    a2.intoMemorySegment(ys, (da + 2 * V) * 4, ORDER);
                    a3.intoMemorySegment(ys, (da + 3 * V) * 4, ORDER);
                    b0.intoMemorySegment(ys, db * 4, ORDER);
                    b1.intoMemorySegment(ys, (db + V) * 4, ORDER);
                    b2.intoMemorySegment(ys, (db + 2 * V) * 4, ORDER);
                    b3.intoMemorySegment(ys, (db + 3 * V) * 4, ORDER);
                }
            }
            if (nan) {
                channelsLastWindows(call, img, oh, oh + 2);
            }
        }
        if (oh < p1) {
            channelsLastWindows(call, img, oh, p1);
        }
    }

    /** Max of two vectors as {@link Math#max} (NaN wins), with a compare and a blend: shorter than C2's max. */
    /** Whether {@code call} averages each whole image (one output pixel, its window exactly the input). */
    private static boolean isGlobalAverage(Call call) {
        PoolingDescriptor op = call.op;
        int h = op.input().h();
        int w = op.input().w();
        return op.mode() == PoolingMode.AVERAGE && op.output().h() == 1 && op.output().w() == 1
                && call.rows.start(0) == 0 && call.rows.count(0) == h && call.rows.padded(0) == h
                && call.cols.start(0) == 0 && call.cols.count(0) == w && call.cols.padded(0) == w;
    }

    /**
     * Global average pooling, channels-last: per vector of channels, the image's pixels summed four at a time
     * into four accumulators (a single chain waits on each add), then scaled. Channels past the last whole vector
     * are summed in scalars: masked loads made C2 allocate every vector (12 ns per input float for 16 channels).
     */
    private static void globalAverage(Call call, int img) {
        Tensor x = call.x;
        MemorySegment xs = x.buffer();
        MemorySegment ys = call.y.buffer();
        int c = call.op.input().c();
        int h = call.op.input().h();
        int w = call.op.input().w();
        long s2 = x.stride(2);
        long s3 = x.stride(3);
        // Evenly spaced pixels (dense rows): one run of h·w pixels.
        int rows = s2 == w * s3 ? 1 : h;
        int cols = rows == 1 ? h * w : w;
        long xb = x.offset() + img * x.stride(0);
        long yb = call.y.offset() + img * call.y.stride(0);
        float scale = 1f / (h * w);
        int ch = 0;
        for (; ch + V <= c; ch += V) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int i = 0; i < rows; i++) {
                long e = xb + i * s2 + ch;
                int j = 0;
                for (; j + 4 <= cols; j += 4, e += 4 * s3) {
                    a0 = a0.add(load(xs, e));
                    a1 = a1.add(load(xs, e + s3));
                    a2 = a2.add(load(xs, e + 2 * s3));
                    a3 = a3.add(load(xs, e + 3 * s3));
                }
                for (; j < cols; j++, e += s3) {
                    a0 = a0.add(load(xs, e));
                }
            }
            a0.add(a1).add(a2.add(a3)).mul(scale).intoMemorySegment(ys, (yb + ch) * 4, ORDER);
        }
        for (; ch < c; ch++) {
            float sum = 0f;
            for (int i = 0; i < rows; i++) {
                long e = xb + i * s2 + ch;
                for (int j = 0; j < cols; j++, e += s3) {
                    sum += xs.getAtIndex(FLOAT, e);
                }
            }
            ys.setAtIndex(FLOAT, yb + ch, sum * scale);
        }
    }

    private static FloatVector max(FloatVector acc, FloatVector v) {
        return acc.blend(v, v.compare(VectorOperators.GT, acc).or(v.compare(VectorOperators.NE, v)));
    }

    private static FloatVector load(MemorySegment xs, long element) {
        return FloatVector.fromMemorySegment(F, xs, element * 4, ORDER);
    }

    /**
     * Channels-last, windows that do not overlap (stride ≥ kernel), one output row at a time: the output row
     * (in L1) first holds the identity, then each input row under the windows is read once, front to back, and
     * combined into it; average pooling scales at the end. With the input far out of cache this beats the
     * per-window loop, presumably because one sequential stream at a time suits the prefetchers. Overlapping
     * windows would re-read the output row once per window row, so they keep {@link #channelsLastWindows}.
     * Cells are combined in the same row-major order as there, so results are identical.
     */
    private static void channelsLastRows(PoolingDescriptor op, Tensor x, Tensor y, Taps th, Taps tw, int img, int p0,
                                         int p1) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int q = op.output().w();
        boolean max = op.mode() == PoolingMode.MAX;
        long xb = x.offset() + img * x.stride(0);
        long yb = y.offset() + img * y.stride(0);
        long xs2 = x.stride(2);
        long xs3 = x.stride(3);
        long ys2 = y.stride(2);
        long ys3 = y.stride(3);
        int cMain = c - c % V;
        VectorMask<Float> tail = F.indexInRange(cMain, c);
        FloatVector init = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
        for (int oh = p0; oh < p1; oh++) {
            int hs = th.start(oh);
            int he = th.end(oh);
            long yRow = yb + oh * ys2;
            for (int ow = 0; ow < q; ow++) {
                long dst = yRow + ow * ys3;
                int ch = 0;
                for (; ch < cMain; ch += V) {
                    init.intoMemorySegment(ys, (dst + ch) * 4, ORDER);
                }
                if (ch < c) {
                    init.intoMemorySegment(ys, (dst + ch) * 4, ORDER, tail);
                }
            }
            for (int ih = hs; ih < he; ih++) {
                long xRow = xb + ih * xs2;
                for (int ow = 0; ow < q; ow++) {
                    int ws = tw.start(ow);
                    int we = tw.end(ow);
                    long dst = yRow + ow * ys3;
                    long src = xRow + ws * xs3;
                    int ch = 0;
                    for (; ch + 2 * V <= cMain; ch += 2 * V) {
                        FloatVector a0 = load(ys, dst + ch);
                        FloatVector a1 = load(ys, dst + ch + V);
                        long cell = src + ch;
                        for (int iw = ws; iw < we; iw++, cell += xs3) {
                            FloatVector v0 = load(xs, cell);
                            FloatVector v1 = load(xs, cell + V);
                            a0 = max ? max(a0, v0) : a0.add(v0);
                            a1 = max ? max(a1, v1) : a1.add(v1);
                        }
                        a0.intoMemorySegment(ys, (dst + ch) * 4, ORDER);
                        a1.intoMemorySegment(ys, (dst + ch + V) * 4, ORDER);
                    }
                    for (; ch < c; ch += V) {
                        VectorMask<Float> m = ch < cMain ? F.maskAll(true) : tail;
                        FloatVector acc = FloatVector.fromMemorySegment(F, ys, (dst + ch) * 4, ORDER, m);
                        long cell = src + ch;
                        for (int iw = ws; iw < we; iw++, cell += xs3) {
                            FloatVector v = FloatVector.fromMemorySegment(F, xs, cell * 4, ORDER, m);
                            acc = max ? max(acc, v) : acc.add(v);
                        }
                        acc.intoMemorySegment(ys, (dst + ch) * 4, ORDER, m);
                    }
                }
            }
            if (!max) {
                for (int ow = 0; ow < q; ow++) {
                    int divisor = op.countIncludePad() ? th.padded(oh) * tw.padded(ow) : th.count(oh) * tw.count(ow);
                    float scale = 1f / divisor;
                    long dst = yRow + ow * ys3;
                    for (int ch = 0; ch < c; ch += V) {
                        VectorMask<Float> m = ch < cMain ? F.maskAll(true) : tail;
                        FloatVector.fromMemorySegment(F, ys, (dst + ch) * 4, ORDER, m).mul(scale)
                                .intoMemorySegment(ys, (dst + ch) * 4, ORDER, m);
                    }
                }
            }
        }
    }

    /**
     * Channels-last, overlapping windows: for every output pixel, 4 vectors of channels at a time (4 independent
     * chains over the window's cells), then 2, then single vectors, then a masked tail.
     */
    private static void channelsLastWindows(Call call, int img, int p0, int p1) {
        PoolingDescriptor op = call.op;
        Tensor x = call.x;
        Tensor y = call.y;
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int q = op.output().w();
        boolean max = op.mode() == PoolingMode.MAX;
        long xb = x.offset() + img * x.stride(0);
        long yb = y.offset() + img * y.stride(0);
        long xs2 = x.stride(2) * op.dilationH();
        long xs3 = x.stride(3) * op.dilationW();
        int cMain = c - c % V;
        VectorMask<Float> tail = F.indexInRange(cMain, c);
        Taps th = call.rows;
        Taps tw = call.cols;
        for (int oh = p0; oh < p1; oh++) {
            for (int ow = 0; ow < q; ow++) {
                int divisor = op.countIncludePad() ? th.padded(oh) * tw.padded(ow) : th.count(oh) * tw.count(ow);
                float scale = max ? 1f : 1f / divisor;
                long src = xb + th.start(oh) * x.stride(2) + tw.start(ow) * x.stride(3);
                long dst = yb + oh * y.stride(2) + ow * y.stride(3);
                int rowsIn = th.count(oh);
                int colsIn = tw.count(ow);
                int ch = 0;
                for (; ch + 4 * V <= c; ch += 4 * V) {
                    window4(xs, src + ch, rowsIn, colsIn, xs2, xs3, max, scale, ys, dst + ch);
                }
                for (; ch + 2 * V <= c; ch += 2 * V) {
                    window2(xs, src + ch, rowsIn, colsIn, xs2, xs3, max, scale, ys, dst + ch);
                }
                for (; ch < c; ch += V) {
                    VectorMask<Float> m = ch < cMain ? F.maskAll(true) : tail;
                    FloatVector acc = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
                    for (int i = 0; i < rowsIn; i++) {
                        for (int j = 0; j < colsIn; j++) {
                            FloatVector v = FloatVector.fromMemorySegment(F, xs,
                                    (src + ch + i * xs2 + j * xs3) * 4, ORDER, m);
                            acc = max ? max(acc, v) : acc.add(v);
                        }
                    }
                    acc.mul(scale).intoMemorySegment(ys, (dst + ch) * 4, ORDER, m);
                }
            }
        }
    }

    /**
     * One window, 4 vectors of channels from element {@code e}: scaled sum, or max (scale 1). The max chain carries
     * only compare + blend; NaNs are noted on the side, and a window holding one is redone by
     * {@link #maxWindow4WithNaN}: the common, NaN-free case keeps the shortest dependency chain.
     */
    private static void window4(MemorySegment xs, long e, int rows, int cols, long rowStride, long colStride,
                                boolean max, float scale, MemorySegment ys, long dst) {
        FloatVector init = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
        FloatVector a0 = init;
        FloatVector a1 = init;
        FloatVector a2 = init;
        FloatVector a3 = init;
        if (max) {
            VectorMask<Float> nan = F.maskAll(false);
            for (int i = 0; i < rows; i++) {
                long cell = e + i * rowStride;
                for (int j = 0; j < cols; j++, cell += colStride) {
                    FloatVector v0 = load(xs, cell);
                    FloatVector v1 = load(xs, cell + V);
                    FloatVector v2 = load(xs, cell + 2 * V);
                    FloatVector v3 = load(xs, cell + 3 * V);
                    a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                    a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
                    a2 = a2.blend(v2, v2.compare(VectorOperators.GT, a2));
                    a3 = a3.blend(v3, v3.compare(VectorOperators.GT, a3));
                    nan = nan.or(v0.compare(VectorOperators.NE, v0)).or(v1.compare(VectorOperators.NE, v1))
                            .or(v2.compare(VectorOperators.NE, v2)).or(v3.compare(VectorOperators.NE, v3));
                }
            }
            if (nan.anyTrue()) {
                maxWindow4WithNaN(xs, e, rows, cols, rowStride, colStride, ys, dst);
                return;
            }
            a0.intoMemorySegment(ys, dst * 4, ORDER);
            a1.intoMemorySegment(ys, (dst + V) * 4, ORDER);
            a2.intoMemorySegment(ys, (dst + 2 * V) * 4, ORDER);
            a3.intoMemorySegment(ys, (dst + 3 * V) * 4, ORDER);
            return;
        }
        if (rows == 2 && cols == 2) {
            // The common 2×2 window in straight lines: the loops below cost C2 more than their 16 adds. Same order
            // of additions as the loops.
            long f = e + rowStride;
            a0 = a0.add(load(xs, e)).add(load(xs, e + colStride)).add(load(xs, f)).add(load(xs, f + colStride));
            a1 = a1.add(load(xs, e + V)).add(load(xs, e + colStride + V)).add(load(xs, f + V))
                    .add(load(xs, f + colStride + V));
            a2 = a2.add(load(xs, e + 2 * V)).add(load(xs, e + colStride + 2 * V)).add(load(xs, f + 2 * V))
                    .add(load(xs, f + colStride + 2 * V));
            a3 = a3.add(load(xs, e + 3 * V)).add(load(xs, e + colStride + 3 * V)).add(load(xs, f + 3 * V))
                    .add(load(xs, f + colStride + 3 * V));
        } else {
            for (int i = 0; i < rows; i++) {
                long cell = e + i * rowStride;
                for (int j = 0; j < cols; j++, cell += colStride) {
                    a0 = a0.add(load(xs, cell));
                    a1 = a1.add(load(xs, cell + V));
                    a2 = a2.add(load(xs, cell + 2 * V));
                    a3 = a3.add(load(xs, cell + 3 * V));
                }
            }
        }
        a0.mul(scale).intoMemorySegment(ys, dst * 4, ORDER);
        a1.mul(scale).intoMemorySegment(ys, (dst + V) * 4, ORDER);
        a2.mul(scale).intoMemorySegment(ys, (dst + 2 * V) * 4, ORDER);
        a3.mul(scale).intoMemorySegment(ys, (dst + 3 * V) * 4, ORDER);
    }

    /** {@link #window4}'s max over a window holding a NaN: propagated per cell, as {@link Math#max}. */
    private static void maxWindow4WithNaN(MemorySegment xs, long e, int rows, int cols, long rowStride,
                                          long colStride, MemorySegment ys, long dst) {
        for (int k = 0; k < 4; k++) {
            FloatVector a = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < rows; i++) {
                long cell = e + i * rowStride + k * V;
                for (int j = 0; j < cols; j++, cell += colStride) {
                    a = max(a, load(xs, cell));
                }
            }
            a.intoMemorySegment(ys, (dst + k * V) * 4, ORDER);
        }
    }

    /** As {@link #window4} with 2 vectors. */
    private static void window2(MemorySegment xs, long e, int rows, int cols, long rowStride, long colStride,
                                boolean max, float scale, MemorySegment ys, long dst) {
        FloatVector init = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
        FloatVector a0 = init;
        FloatVector a1 = init;
        for (int i = 0; i < rows; i++) {
            long cell = e + i * rowStride;
            for (int j = 0; j < cols; j++, cell += colStride) {
                FloatVector v0 = load(xs, cell);
                FloatVector v1 = load(xs, cell + V);
                if (max) {
                    a0 = max(a0, v0);
                    a1 = max(a1, v1);
                } else {
                    a0 = a0.add(v0);
                    a1 = a1.add(v1);
                }
            }
        }
        a0.mul(scale).intoMemorySegment(ys, dst * 4, ORDER);
        a1.mul(scale).intoMemorySegment(ys, (dst + V) * 4, ORDER);
    }

    private static void channelsFirst(Call call, int img, int p0, int p1) {
        PoolingDescriptor op = call.op;
        Tensor x = call.x;
        Tensor y = call.y;
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int q = op.output().w();
        boolean max = op.mode() == PoolingMode.MAX;
        long xs2 = x.stride(2) * op.dilationH();
        long xs3 = x.stride(3) * op.dilationW();
        Taps th = call.rows;
        Taps tw = call.cols;
        for (int ch = 0; ch < c; ch++) {
            long xb = x.offset() + img * x.stride(0) + ch * x.stride(1);
            long yb = y.offset() + img * y.stride(0) + ch * y.stride(1);
            for (int oh = p0; oh < p1; oh++) {
                int rows = th.count(oh);
                for (int ow = 0; ow < q; ow++) {
                    int cols = tw.count(ow);
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    long row = xb + th.start(oh) * x.stride(2) + tw.start(ow) * x.stride(3);
                    for (int i = 0; i < rows; i++, row += xs2) {
                        for (int j = 0; j < cols; j++) {
                            float v = xs.getAtIndex(FLOAT, row + j * xs3);
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    if (!max) {
                        acc /= op.countIncludePad() ? th.padded(oh) * tw.padded(ow) : rows * cols;
                    }
                    ys.setAtIndex(FLOAT, yb + oh * y.stride(2) + ow * y.stride(3), acc);
                }
            }
        }
    }

    /**
     * Pools output rows {@code [o0, o1)} of one image from a working tile instead of a tensor: the second half of a
     * convolution fused with its pooling ({@link ConvPlan}). The tile holds input rows {@code t0, t0 + 1, ...} of
     * {@code op.input().w()} cells, cell {@code (row, col)} at {@code tile[tOff + ((row − t0)·W + col)·ld]}, and
     * must hold every row the windows read; output cell {@code (oh, ow)} goes to
     * {@code dst[dOff + ((oh − o0)·Q + ow)·ld]}. All {@code ld} lanes (a multiple of V) are pooled. Cells combine in
     * the same order as in {@link #forward}, so results are identical.
     */
    static void fromTile(PoolingDescriptor op, Taps th, Taps tw, float[] tile, int tOff, int t0, int ld, int o0,
                         int o1, float[] dst, int dOff) {
        int wd = op.input().w();
        int q = op.output().w();
        boolean max = op.mode() == PoolingMode.MAX;
        int rowLen = wd * ld;
        for (int oh = o0; oh < o1; oh++) {
            int hs = th.start(oh);
            int rows = th.count(oh);
            for (int ow = 0; ow < q; ow++) {
                int ws = tw.start(ow);
                int cols = tw.count(ow);
                int src = tOff + ((hs - t0) * wd + ws) * ld;
                int out = dOff + ((oh - o0) * q + ow) * ld;
                if (max) {
                    maxWindow(tile, src, rows, cols, rowLen, ld, dst, out);
                    continue;
                }
                int divisor = op.countIncludePad() ? th.padded(oh) * tw.padded(ow) : rows * cols;
                float scale = 1f / divisor;
                for (int ch = 0; ch < ld; ch += V) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int i = 0; i < rows; i++) {
                        int cell = src + i * rowLen + ch;
                        for (int j = 0; j < cols; j++, cell += ld) {
                            acc = acc.add(FloatVector.fromArray(F, tile, cell));
                        }
                    }
                    acc.mul(scale).intoArray(dst, out + ch);
                }
            }
        }
    }

    /**
     * The max of one window over {@code ld} lanes, two vectors at a time. The dependency chain carries only
     * compare + blend; NaNs are collected on the side and win at the end (as {@link Math#max}).
     */
    private static void maxWindow(float[] tile, int src, int rows, int cols, int rowLen, int ld, float[] dst,
                                  int out) {
        FloatVector nan = FloatVector.broadcast(F, Float.NaN);
        FloatVector low = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int ch = 0;
        for (; ch + 2 * V <= ld; ch += 2 * V) {
            FloatVector a0 = low;
            FloatVector a1 = low;
            VectorMask<Float> n0 = F.maskAll(false);
            VectorMask<Float> n1 = n0;
            for (int i = 0; i < rows; i++) {
                int cell = src + i * rowLen + ch;
                for (int j = 0; j < cols; j++, cell += ld) {
                    FloatVector v0 = FloatVector.fromArray(F, tile, cell);
                    FloatVector v1 = FloatVector.fromArray(F, tile, cell + V);
                    a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                    a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
                    n0 = n0.or(v0.compare(VectorOperators.NE, v0));
                    n1 = n1.or(v1.compare(VectorOperators.NE, v1));
                }
            }
            a0.blend(nan, n0).intoArray(dst, out + ch);
            a1.blend(nan, n1).intoArray(dst, out + ch + V);
        }
        for (; ch < ld; ch += V) {
            FloatVector a0 = low;
            VectorMask<Float> n0 = F.maskAll(false);
            for (int i = 0; i < rows; i++) {
                int cell = src + i * rowLen + ch;
                for (int j = 0; j < cols; j++, cell += ld) {
                    FloatVector v0 = FloatVector.fromArray(F, tile, cell);
                    a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                    n0 = n0.or(v0.compare(VectorOperators.NE, v0));
                }
            }
            a0.blend(nan, n0).intoArray(dst, out + ch);
        }
    }
}
