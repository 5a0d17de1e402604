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
 * Pooling gradients as {@link dev.fovea.spi.Backend#poolingBackward} defines them. MAX recomputes the argmax from
 * {@code x}: the first maximal cell in window order (a later cell wins only when strictly greater, so NaN never
 * displaces the first cell). Channels-last data runs vectors across channels; channels-first data plane by plane.
 * One task per image (channels-last) or per plane, so no two tasks write the same cell; when windows cannot
 * overlap (stride ≥ kernel), covered cells are stored directly and only uncovered cells are zeroed.
 */
final class PoolingBackward implements WorkerPool.Body {
    private record Call(PoolingDescriptor op, Tensor x, Tensor dy, Tensor dx, boolean channelsLast,
                        Taps rows, Taps cols, boolean[] rowCovered, boolean[] colCovered) {
    }

    private static final PoolingBackward INSTANCE = new PoolingBackward();

    private PoolingBackward() {
    }

    static void backward(PoolingDescriptor op, Tensor x, Tensor dy, Tensor dx, WorkerPool pool) {
        if (op.dilated()) {
            dilated(op, x, dy, dx, pool);
            return;
        }
        boolean channelsLast = x.stride(1) == 1 && dy.stride(1) == 1 && dx.stride(1) == 1 && op.input().c() > 1;
        boolean disjoint = op.strideH() >= op.kernelH() && op.strideW() >= op.kernelW();
        Taps th = op.rowTaps();
        Taps tw = op.colTaps();
        boolean[] rows = null;
        boolean[] cols = null;
        if (disjoint) {
            rows = covered(op.input().h(), th);
            cols = covered(op.input().w(), tw);
        }
        Call call = new Call(op, x, dy, dx, channelsLast, th, tw, rows, cols);
        int tasks = op.input().n() * (channelsLast ? 1 : op.input().c());
        long bytes = 4 * (2 * op.input().elementCount() + op.output().elementCount());
        pool.run(tasks, INSTANCE, call, WorkerPool.bytesWork(bytes));
    }

    /** Which input rows (or columns) some window covers. */
    private static boolean[] covered(int size, Taps taps) {
        boolean[] c = new boolean[size];
        for (int o = 0; o < taps.size(); o++) {
            for (int i = taps.start(o); i < taps.end(o); i++) {
                c[i] = true;
            }
        }
        return c;
    }

    @Override
    public void run(int task, Object ctx) {
        Call call = (Call) ctx;
        if (call.channelsLast) {
            channelsLast(call, task);
        } else {
            int c = call.op.input().c();
            plane(call, task / c, task % c);
        }
    }

    private static void channelsLast(Call call, int img) {
        PoolingDescriptor op = call.op;
        Tensor x = call.x;
        Tensor dy = call.dy;
        Tensor dx = call.dx;
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        int h = op.input().h();
        int wd = op.input().w();
        int c = op.input().c();
        boolean max = op.mode() == PoolingMode.MAX;
        boolean disjoint = call.rowCovered != null;
        long xb = x.offset() + img * x.stride(0);
        long db = dx.offset() + img * dx.stride(0);
        long yb = dy.offset() + img * dy.stride(0);
        int cMain = c - c % V;
        VectorMask<Float> all = F.maskAll(true);
        VectorMask<Float> tail = F.indexInRange(cMain, c);
        FloatVector zero = FloatVector.zero(F);
        // Zero what no window writes: everything when windows overlap (they add up), else the uncovered cells.
        for (int ih = 0; ih < h; ih++) {
            for (int iw = 0; iw < wd; iw++) {
                if (!disjoint || !call.rowCovered[ih] || !call.colCovered[iw]) {
                    long e = db + ih * dx.stride(2) + iw * dx.stride(3);
                    for (int ch = 0; ch < c; ch += V) {
                        zero.intoMemorySegment(dxs, (e + ch) * 4, ORDER, ch < cMain ? all : tail);
                    }
                }
            }
        }
        long xs2 = x.stride(2);
        long xs3 = x.stride(3);
        long ds2 = dx.stride(2);
        long ds3 = dx.stride(3);
        for (int oh = 0; oh < op.output().h(); oh++) {
            int hs = call.rows.start(oh);
            int he = call.rows.end(oh);
            for (int ow = 0; ow < op.output().w(); ow++) {
                int ws = call.cols.start(ow);
                int we = call.cols.end(ow);
                int divisor = op.countIncludePad() ? call.rows.padded(oh) * call.cols.padded(ow) : (he - hs) * (we - ws);
                float scale = 1f / divisor;
                long g = yb + oh * dy.stride(2) + ow * dy.stride(3);
                long x0 = xb + hs * xs2 + ws * xs3;
                long d0 = db + hs * ds2 + ws * ds3;
                int ch = 0;
                if (max && he - hs == 2 && we - ws == 2) {
                    for (; ch + V <= c; ch += V) {
                        max2x2(xs, x0 + ch, dys, g + ch, dxs, d0 + ch, xs2, xs3, ds2, ds3, disjoint);
                    }
                }
                for (; ch + V <= c; ch += V) {
                    window(xs, x0 + ch, dys, g + ch, dxs, d0 + ch, he - hs, we - ws, xs2, xs3, ds2, ds3, max, scale,
                            disjoint, null);
                }
                if (ch < c) {
                    window(xs, x0 + ch, dys, g + ch, dxs, d0 + ch, he - hs, we - ws, xs2, xs3, ds2, ds3, max, scale,
                            disjoint, tail);
                }
            }
        }
    }

    /**
     * One window, one vector of channels: the gradient {@code dy} (at element {@code g}) goes to the argmax cell
     * (MAX) or, scaled, to every cell (AVERAGE); cells from element {@code x0} of x and {@code d0} of dx.
     */
    private static void window(MemorySegment xs, long x0, MemorySegment dys, long g, MemorySegment dxs, long d0,
                               int rows, int cols, long xs2, long xs3, long ds2, long ds3, boolean max, float scale,
                               boolean store, VectorMask<Float> m) {
        // m: null for a full vector (unmasked accesses are faster), else the channels' tail.
        FloatVector d = load(dys, g, m);
        FloatVector zero = FloatVector.zero(F);
        if (max) {
            // Cell index of the first maximum, per lane (as a float: exact for any window).
            FloatVector best = load(xs, x0, m);
            FloatVector arg = zero;
            for (int i = 0; i < rows; i++) {
                for (int j = i == 0 ? 1 : 0; j < cols; j++) {
                    FloatVector v = load(xs, x0 + i * xs2 + j * xs3, m);
                    VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                    best = best.blend(v, gt);
                    arg = arg.blend(FloatVector.broadcast(F, i * cols + j), gt);
                }
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    VectorMask<Float> hit = arg.compare(VectorOperators.EQ, FloatVector.broadcast(F, i * cols + j));
                    put(dxs, d0 + i * ds2 + j * ds3, zero.blend(d, hit), store, m);
                }
            }
        } else {
            FloatVector v = d.mul(scale);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    put(dxs, d0 + i * ds2 + j * ds3, v, store, m);
                }
            }
        }
    }

    /**
     * {@link #window} for a 2×2 MAX window and a full vector, in straight lines (the loops cost more than the work
     * of four cells): the cell that set the running maximum last (strictly greater than all before it) wins, which
     * is the first maximal cell; a NaN never compares greater, so a window starting with one keeps its first cell.
     */
    private static void max2x2(MemorySegment xs, long x0, MemorySegment dys, long g, MemorySegment dxs, long d0,
                               long xs2, long xs3, long ds2, long ds3, boolean store) {
        FloatVector d = load(dys, g, null);
        FloatVector v00 = load(xs, x0, null);
        FloatVector v01 = load(xs, x0 + xs3, null);
        FloatVector v10 = load(xs, x0 + xs2, null);
        FloatVector v11 = load(xs, x0 + xs2 + xs3, null);
        VectorMask<Float> gt01 = v01.compare(VectorOperators.GT, v00);
        FloatVector best = v00.blend(v01, gt01);
        VectorMask<Float> gt10 = v10.compare(VectorOperators.GT, best);
        best = best.blend(v10, gt10);
        VectorMask<Float> gt11 = v11.compare(VectorOperators.GT, best);
        VectorMask<Float> later10 = gt10.or(gt11);
        VectorMask<Float> later01 = gt01.or(later10);
        FloatVector zero = FloatVector.zero(F);
        put(dxs, d0, d.blend(zero, later01), store, null);
        put(dxs, d0 + ds3, zero.blend(d, gt01.andNot(later10)), store, null);
        put(dxs, d0 + ds2, zero.blend(d, gt10.andNot(gt11)), store, null);
        put(dxs, d0 + ds2 + ds3, zero.blend(d, gt11), store, null);
    }

    private static void put(MemorySegment s, long e, FloatVector v, boolean store, VectorMask<Float> m) {
        FloatVector out = store ? v : v.add(load(s, e, m));
        if (m == null) {
            out.intoMemorySegment(s, e * 4, ORDER);
        } else {
            out.intoMemorySegment(s, e * 4, ORDER, m);
        }
    }

    /** A vector from element {@code e}: all lanes, or those of the tail mask {@code m}. */
    private static FloatVector load(MemorySegment s, long e, VectorMask<Float> m) {
        return m == null ? FloatVector.fromMemorySegment(F, s, e * 4, ORDER)
                : FloatVector.fromMemorySegment(F, s, e * 4, ORDER, m);
    }

    private static void plane(Call call, int img, int ch) {
        PoolingDescriptor op = call.op;
        Tensor x = call.x;
        Tensor dy = call.dy;
        Tensor dx = call.dx;
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        int h = op.input().h();
        int wd = op.input().w();
        boolean max = op.mode() == PoolingMode.MAX;
        boolean disjoint = call.rowCovered != null;
        long xb = x.offset() + img * x.stride(0) + ch * x.stride(1);
        long db = dx.offset() + img * dx.stride(0) + ch * dx.stride(1);
        long yb = dy.offset() + img * dy.stride(0) + ch * dy.stride(1);
        for (int ih = 0; ih < h; ih++) {
            for (int iw = 0; iw < wd; iw++) {
                if (!disjoint || !call.rowCovered[ih] || !call.colCovered[iw]) {
                    dxs.setAtIndex(FLOAT, db + ih * dx.stride(2) + iw * dx.stride(3), 0f);
                }
            }
        }
        for (int oh = 0; oh < op.output().h(); oh++) {
            int hs = call.rows.start(oh);
            int he = call.rows.end(oh);
            for (int ow = 0; ow < op.output().w(); ow++) {
                int ws = call.cols.start(ow);
                int we = call.cols.end(ow);
                float d = dys.getAtIndex(FLOAT, yb + oh * dy.stride(2) + ow * dy.stride(3));
                if (max) {
                    int bh = hs;
                    int bw = ws;
                    float best = xs.getAtIndex(FLOAT, xb + hs * x.stride(2) + ws * x.stride(3));
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ih == hs ? ws + 1 : ws; iw < we; iw++) {
                            float v = xs.getAtIndex(FLOAT, xb + ih * x.stride(2) + iw * x.stride(3));
                            if (v > best) {
                                best = v;
                                bh = ih;
                                bw = iw;
                            }
                        }
                    }
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            float v = ih == bh && iw == bw ? d : 0f;
                            put(dxs, db + ih * dx.stride(2) + iw * dx.stride(3), v, disjoint);
                        }
                    }
                } else {
                    int divisor = op.countIncludePad() ? call.rows.padded(oh) * call.cols.padded(ow) : (he - hs) * (we - ws);
                    float v = d * (1f / divisor);
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            put(dxs, db + ih * dx.stride(2) + iw * dx.stride(3), v, disjoint);
                        }
                    }
                }
            }
        }
    }

    private static void put(MemorySegment s, long e, float v, boolean store) {
        s.setAtIndex(FLOAT, e, store ? v : s.getAtIndex(FLOAT, e) + v);
    }

    /**
     * Dilated windows, one plane per task in either layout, element by element (dilated pooling is rare and its
     * windows sparse): the forward's taps ({@link Taps}), the same argmax and divisor rules as above.
     */
    private static void dilated(PoolingDescriptor op, Tensor x, Tensor dy, Tensor dx, WorkerPool pool) {
        Taps th = op.rowTaps();
        Taps tw = op.colTaps();
        int c = op.input().c();
        WorkerPool.Body body = (task, ctx) -> dilatedPlane(op, x, dy, dx, task / c, task % c, th, tw);
        int tasks = op.input().n() * c;
        pool.run(tasks, body, null, WorkerPool.bytesWork(4 * (2 * op.input().elementCount()
                + op.output().elementCount())));
    }

    private static void dilatedPlane(PoolingDescriptor op, Tensor x, Tensor dy, Tensor dx, int img, int ch,
                                     Taps th, Taps tw) {
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        boolean max = op.mode() == PoolingMode.MAX;
        long xb = x.offset() + img * x.stride(0) + ch * x.stride(1);
        long db = dx.offset() + img * dx.stride(0) + ch * dx.stride(1);
        long yb = dy.offset() + img * dy.stride(0) + ch * dy.stride(1);
        long xs2 = x.stride(2);
        long xs3 = x.stride(3);
        long ds2 = dx.stride(2);
        long ds3 = dx.stride(3);
        for (int ih = 0; ih < op.input().h(); ih++) {
            for (int iw = 0; iw < op.input().w(); iw++) {
                dxs.setAtIndex(FLOAT, db + ih * ds2 + iw * ds3, 0f);
            }
        }
        int dh = op.dilationH();
        int dw = op.dilationW();
        for (int oh = 0; oh < op.output().h(); oh++) {
            int rows = th.count(oh);
            int h0 = th.start(oh);
            for (int ow = 0; ow < op.output().w(); ow++) {
                int cols = tw.count(ow);
                int w0 = tw.start(ow);
                if (rows == 0 || cols == 0) {
                    continue;
                }
                float d = dys.getAtIndex(FLOAT, yb + oh * dy.stride(2) + ow * dy.stride(3));
                if (max) {
                    int bh = h0;
                    int bw = w0;
                    float best = xs.getAtIndex(FLOAT, xb + h0 * xs2 + w0 * xs3);
                    for (int i = 0; i < rows; i++) {
                        for (int j = i == 0 ? 1 : 0; j < cols; j++) {
                            int ih = h0 + i * dh;
                            int iw = w0 + j * dw;
                            float v = xs.getAtIndex(FLOAT, xb + ih * xs2 + iw * xs3);
                            if (v > best) {
                                best = v;
                                bh = ih;
                                bw = iw;
                            }
                        }
                    }
                    put(dxs, db + bh * ds2 + bw * ds3, d, false);
                } else {
                    int divisor = op.countIncludePad() ? th.padded(oh) * tw.padded(ow) : rows * cols;
                    float v = d * (1f / divisor);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < cols; j++) {
                            put(dxs, db + (h0 + i * dh) * ds2 + (w0 + j * dw) * ds3, v, false);
                        }
                    }
                }
            }
        }
    }
}
