package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows;

/**
 * How an op's padding maps onto cuDNN, which pads symmetrically ({@code pad_h} rows above and below) and rounds
 * output sizes down. Per axis: when cuDNN's symmetric pad equal to the op's leading pad reproduces the op's
 * output size, cuDNN does it all (any extra trailing pad it adds is never read). Otherwise (TF SAME or SAME_LOWER
 * with an odd total, asymmetric explicit pads that change the size, a ceil-mode overhang) the input is copied
 * into the interior of a larger buffer pre-filled with 0 (convolution, average pooling) or −∞ (max pooling),
 * and cuDNN pads the rest symmetrically. Never silently symmetric. Pure arithmetic, tested against cuDNN's
 * own output-size queries.
 */
final class CudnnGeometry {
    private CudnnGeometry() {
    }

    /**
     * The padding plan of one op.
     *
     * @param padH     rows cuDNN pads above and below
     * @param padW     columns cuDNN pads left and right
     * @param extraTop rows added above the input in the pre-filled buffer; likewise the other sides
     */
    record Padded(int padH, int padW, int extraTop, int extraLeft, int extraBottom, int extraRight) {
        /** Whether the input must be copied into a pre-filled larger buffer. */
        boolean explicit() {
            return (extraTop | extraLeft | extraBottom | extraRight) != 0;
        }

        int paddedH(int h) {
            return h + extraTop + extraBottom;
        }

        int paddedW(int w) {
            return w + extraLeft + extraRight;
        }
    }

    /** One axis: cuDNN's symmetric pad and the explicit rows before and after the input. */
    record Axis(int pad, int extraBefore, int extraAfter) {
    }

    /**
     * One axis of a window op with {@code out} outputs, leading pad {@code before}, effective kernel {@code e} and
     * stride {@code s}. cuDNN with buffer padding {@code X} after the input yields {@code out} exactly when
     * {@code need ≤ X < need + s}, {@code need} being the rows past the input's end that the last window reads.
     */
    static Axis axis(int in, int before, int out, int e, int s) {
        int need = (out - 1) * s + e - before - in;
        if (before >= need && before < need + s) {
            return new Axis(before, 0, 0);
        }
        if (before < need) {
            return new Axis(before, 0, need - before);
        }
        int m = Math.max(need, 0);
        return new Axis(m, before - m, 0);
    }

    static Padded convolution(ConvolutionDescriptor op) {
        Axis h = axis(op.input().h(), op.pads().top(), op.output().h(),
                Windows.effectiveKernel(op.kernelH(), op.dilationH()), op.strideH());
        Axis w = axis(op.input().w(), op.pads().left(), op.output().w(),
                Windows.effectiveKernel(op.kernelW(), op.dilationW()), op.strideW());
        return new Padded(h.pad(), w.pad(), h.extraBefore(), w.extraBefore(), h.extraAfter(), w.extraAfter());
    }

    static Padded pooling(PoolingDescriptor op) {
        Axis h = axis(op.input().h(), op.pads().top(), op.output().h(), op.kernelH(), op.strideH());
        Axis w = axis(op.input().w(), op.pads().left(), op.output().w(), op.kernelW(), op.strideW());
        return new Padded(h.pad(), w.pad(), h.extraBefore(), w.extraBefore(), h.extraAfter(), w.extraAfter());
    }

    /**
     * The cuDNN pooling mode, and for average pooling the factors {@code cudnnDivisor / foveaDivisor} per output
     * position (null when all are 1) that turn cuDNN's average into Fovea's.
     */
    record PoolingPlan(Padded padded, int cudnnMode, float[] scale) {
        boolean rescale() {
            return scale != null;
        }
    }

    static PoolingPlan poolingPlan(PoolingDescriptor op) {
        Padded g = pooling(op);
        if (op.mode() == PoolingMode.MAX) {
            return new PoolingPlan(g, Cudnn.CUDNN_POOLING_MAX, null);
        }
        int mode = op.countIncludePad() ? Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                : Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
        float[] scale = averageScale(op, g);
        for (float f : scale) {
            if (f != 1f) {
                return new PoolingPlan(g, mode, scale);
            }
        }
        return new PoolingPlan(g, mode, null);
    }

    /**
     * Row-major {@code [P·Q]}: cuDNN's divisor over Fovea's at each output position. cuDNN's windows always lie
     * inside its symmetrically padded buffer (it rounds down), so INCLUDE_PADDING divides by {@code kH·kW};
     * EXCLUDE_PADDING by the window's cells inside the buffer, explicit padding rows included. Fovea divides by
     * the cells inside the input, or with countIncludePad by those of the window clipped to the padded input.
     */
    static float[] averageScale(PoolingDescriptor op, Padded g) {
        int outH = op.output().h();
        int outW = op.output().w();
        double[] sh = axisScale(outH, op.input().h(), op.kernelH(), op.strideH(), op.pads().top(), op.pads().bottom(),
                g.extraTop(), g.extraBottom(), op.countIncludePad());
        double[] sw = axisScale(outW, op.input().w(), op.kernelW(), op.strideW(), op.pads().left(),
                op.pads().right(), g.extraLeft(), g.extraRight(), op.countIncludePad());
        float[] s = new float[outH * outW];
        for (int p = 0; p < outH; p++) {
            for (int q = 0; q < outW; q++) {
                s[p * outW + q] = (float) (sh[p] * sw[q]);
            }
        }
        return s;
    }

    /** Per output along one axis: cuDNN's divisor / Fovea's (the 2-D divisors are products of the axes'). */
    private static double[] axisScale(int out, int in, int k, int s, int before, int after, int extraBefore,
                                      int extraAfter, boolean includePad) {
        double[] r = new double[out];
        for (int p = 0; p < out; p++) {
            int start = p * s - before;
            int end = start + k;
            int fovea = includePad ? Math.min(end, in + after) - start : Math.min(end, in) - Math.max(start, 0);
            int cudnn = includePad ? k : Math.min(end, in + extraAfter) - Math.max(start, -extraBefore);
            r[p] = (double) cudnn / fovea;
        }
        return r;
    }
}
