package dev.fovea.op;

/**
 * The output-size and padding rules (listed on {@link Padding}) for one spatial axis of a sliding window
 * (convolution or pooling). The single implementation every layer, descriptor and test uses.
 */
public final class Windows {
    private Windows() {
    }

    /** Padding and output size along one axis. */
    public record Axis(int before, int after, int out) {
    }

    /**
     * The checks of a sliding window's attributes, shared by convolution and pooling: kernel, stride and dilation
     * {@code > 0}, explicit pads {@code ≥ 0}. {@code kernel} names the window in messages ("kernel", "pool").
     */
    static void check(Violations v, String kernel, int kernelH, int kernelW, int strideH, int strideW, int dilationH,
                      int dilationW, Padding padding) {
        v.check(kernelH > 0, "kernelH", kernel + " height " + kernelH + " must be > 0");
        v.check(kernelW > 0, "kernelW", kernel + " width " + kernelW + " must be > 0");
        v.check(strideH > 0, "strideH", "stride height " + strideH + " must be > 0");
        v.check(strideW > 0, "strideW", "stride width " + strideW + " must be > 0");
        v.check(dilationH > 0, "dilationH", "dilation height " + dilationH + " must be > 0");
        v.check(dilationW > 0, "dilationW", "dilation width " + dilationW + " must be > 0");
        v.check(padding.top() >= 0 && padding.left() >= 0 && padding.bottom() >= 0 && padding.right() >= 0,
                "padding", "explicit pads " + padding + " must be ≥ 0");
    }

    /** The dilated kernel extent {@code d·(k − 1) + 1}. */
    public static int effectiveKernel(int kernel, int dilation) {
        return dilation * (kernel - 1) + 1;
    }

    /**
     * Resolves one axis. Records a violation in {@code v} (and returns {@code null}) when the output size
     * would be ≤ 0. {@code explicitBefore/After} are used only for {@link Padding.Mode#EXPLICIT}.
     *
     * @param axisName "height" or "width", for messages
     */
    public static Axis resolve(Violations v, String axisName, int in, int kernel, int stride, int dilation,
                               Padding padding, int explicitBefore, int explicitAfter, boolean ceilMode) {
        long dilated = (long) dilation * (kernel - 1) + 1; // in long: a huge kernel or dilation must not wrap
        if (dilated > Integer.MAX_VALUE) {
            v.add("kernel", "dilated kernel " + axisName + " " + dilation + "·(" + kernel + " − 1) + 1 = " + dilated
                    + " exceeds " + Integer.MAX_VALUE);
            return null;
        }
        int e = (int) dilated;
        int before;
        int after;
        int out;
        switch (padding.mode()) {
            case SAME, SAME_LOWER -> {
                out = Math.ceilDiv(in, stride);
                int total = (int) Math.max((long) (out - 1) * stride + e - in, 0); // ≤ e − 1
                int small = total / 2;
                before = padding.mode() == Padding.Mode.SAME ? small : total - small;
                after = total - before;
                return new Axis(before, after, out);
            }
            case FULL -> {
                before = e - 1;
                after = e - 1;
            }
            case EXPLICIT -> {
                before = explicitBefore;
                after = explicitAfter;
            }
            default -> {
                before = 0;
                after = 0;
            }
        }
        long span = (long) in + before + after - e;
        if (span < 0) {
            v.add("kernel", "output " + axisName + " " + (Math.floorDiv(span, stride) + 1) + " ≤ 0: dilated kernel "
                    + e + " is larger than the padded input " + (in + before + after) + " (input " + in + " + pads "
                    + before + "+" + after + ")");
            return null;
        }
        long outLong;
        if (ceilMode) {
            outLong = Math.ceilDiv(span, stride) + 1;
            // A last window that would start inside the end padding is dropped (PyTorch, ONNX ≥ 1.16).
            if ((outLong - 1) * stride >= (long) in + before) {
                outLong--;
            }
        } else {
            outLong = span / stride + 1;
        }
        if (outLong > Integer.MAX_VALUE) {
            v.add(padding.mode() == Padding.Mode.EXPLICIT ? "padding" : "kernel", "output " + axisName + " " + outLong
                    + " exceeds " + Integer.MAX_VALUE + " (input " + in + " + pads " + before + "+" + after + ")");
            return null;
        }
        out = (int) outLong;
        return new Axis(before, after, out);
    }

    /**
     * Where the pooling windows along one axis read, for every output index {@code o}: {@link #count(int)} taps
     * inside the input, the first at {@link #start(int)}, then every {@code dilation}-th cell; {@link #padded(int)}
     * taps inside the padded input (the divisor with {@code countIncludePad}). Taps beyond the padding (ceil mode)
     * count nowhere. The one place every backend and the reference take window bounds and divisors from.
     */
    public static final class Taps {
        private final int dilation;
        private final int[] start;
        private final int[] count;
        private final int[] padded;

        private Taps(int dilation, int[] start, int[] count, int[] padded) {
            this.dilation = dilation;
            this.start = start;
            this.count = count;
            this.padded = padded;
        }

        /** The taps of {@code out} windows over an axis of {@code in} cells padded by {@code padBefore/After}. */
        public static Taps of(int in, int out, int kernel, int stride, int dilation, int padBefore, int padAfter) {
            int[] start = new int[out];
            int[] count = new int[out];
            int[] padded = new int[out];
            for (int o = 0; o < out; o++) {
                int s = o * stride - padBefore; // tap r reads s + r·dilation
                int r0 = s < 0 ? Math.ceilDiv(-s, dilation) : 0;
                int r1 = in > s ? Math.min(kernel, Math.ceilDiv(in - s, dilation)) : 0;
                start[o] = s + r0 * dilation;
                count[o] = Math.max(0, r1 - r0);
                padded[o] = Math.min(kernel, Math.ceilDiv(in + padAfter - s, dilation));
            }
            return new Taps(dilation, start, count, padded);
        }

        /** The first input cell window {@code o} reads. */
        public int start(int o) {
            return start[o];
        }

        /** One past the last input cell window {@code o} reads ({@code start + count} when undilated). */
        public int end(int o) {
            return count[o] == 0 ? start[o] : start[o] + (count[o] - 1) * dilation + 1;
        }

        /** How many input cells window {@code o} reads. */
        public int count(int o) {
            return count[o];
        }

        /** How many cells of the padded input window {@code o} covers. */
        public int padded(int o) {
            return padded[o];
        }

        /** The number of windows. */
        public int size() {
            return start.length;
        }
    }
}
