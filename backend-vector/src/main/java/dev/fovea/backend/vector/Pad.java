package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.PadDescriptor;
import dev.fovea.spi.HostOps;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Constant padding ({@link PadDescriptor}) of the rows and columns of 4-D tensors, the case of imported networks
 * (explicit padding before a convolution or pooling): each output row is a run of the value, a bulk copy of the
 * input row and another run. Padding along N or C, other ranks and inner axes that are not dense take the
 * definition ({@link HostOps#pad}).
 */
final class Pad {
    private Pad() {
    }

    static void forward(PadDescriptor op, Tensor x, Tensor y, WorkerPool pool) {
        int[] before = op.before();
        int[] after = op.after();
        boolean spatial = op.input().rank() == 4 && before[0] == 0 && after[0] == 0 && before[1] == 0
                && after[1] == 0;
        boolean channelsLast = spatial && x.stride(1) == 1 && y.stride(1) == 1 && op.input().c() > 1;
        if (!spatial || (!channelsLast && (x.stride(3) != 1 || y.stride(3) != 1))) {
            HostOps.pad(op, x, y);
            return;
        }
        int n = op.output().n();
        int p = op.output().h();
        WorkerPool.Body body = (task, ctx) -> row(op, x, y, task / p, task % p, channelsLast);
        long bytes = 4 * (op.input().elementCount() + op.output().elementCount());
        pool.run(n * p, body, null, WorkerPool.bytesWork(bytes));
    }

    /** Output row {@code oh} of image {@code img}, every channel. */
    private static void row(PadDescriptor op, Tensor x, Tensor y, int img, int oh, boolean channelsLast) {
        MemorySegment xs = x.buffer();
        MemorySegment ys = y.buffer();
        int c = op.input().c();
        int w = op.input().w();
        int top = op.before()[2];
        int left = op.before()[3];
        int right = op.after()[3];
        int q = op.output().w();
        float value = op.value();
        int ih = oh - top;
        boolean inside = ih >= 0 && ih < op.input().h();
        long yr = y.offset() + img * y.stride(0) + oh * y.stride(2);
        long xr = x.offset() + img * x.stride(0) + ih * x.stride(2);
        if (channelsLast) {
            // A pixel is a run of c channels; pixels of a row are adjacent unless the tensor is a channel slice.
            boolean yDense = y.stride(3) == c;
            boolean xDense = x.stride(3) == c;
            if (!inside) {
                fillPixels(ys, yr, q, y.stride(3), c, yDense, value);
                return;
            }
            fillPixels(ys, yr, left, y.stride(3), c, yDense, value);
            long yi = yr + left * y.stride(3);
            if (xDense && yDense) {
                MemorySegment.copy(xs, xr * 4, ys, yi * 4, (long) w * c * 4);
            } else {
                for (int col = 0; col < w; col++) {
                    MemorySegment.copy(xs, (xr + col * x.stride(3)) * 4, ys, (yi + col * y.stride(3)) * 4, c * 4L);
                }
            }
            fillPixels(ys, yi + w * y.stride(3), right, y.stride(3), c, yDense, value);
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            long yc = yr + ch * y.stride(1);
            if (!inside) {
                fill(ys, yc, q, value);
                continue;
            }
            fill(ys, yc, left, value);
            MemorySegment.copy(xs, (xr + ch * x.stride(1)) * 4, ys, (yc + left) * 4, w * 4L);
            fill(ys, yc + left + w, right, value);
        }
    }

    private static void fillPixels(MemorySegment s, long from, int pixels, long pixelStride, int c, boolean dense,
                                   float value) {
        if (dense) {
            fill(s, from, (long) pixels * c, value);
            return;
        }
        for (int i = 0; i < pixels; i++) {
            fill(s, from + i * pixelStride, c, value);
        }
    }

    /** {@code count} copies of {@code value} from element {@code from}. */
    private static void fill(MemorySegment s, long from, long count, float value) {
        if (Float.floatToRawIntBits(value) == 0) {
            s.asSlice(from * 4, count * 4).fill((byte) 0); // +0.0 is all zero bytes
            return;
        }
        FloatVector v = FloatVector.broadcast(F, value);
        long i = 0;
        for (; i + V <= count; i += V) {
            v.intoMemorySegment(s, (from + i) * 4, ORDER);
        }
        for (; i < count; i++) {
            s.setAtIndex(FLOAT, from + i, value);
        }
    }
}
