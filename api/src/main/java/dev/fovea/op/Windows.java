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
                out = ceilDiv(in, stride);
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
            outLong = ceilDiv(span, stride) + 1;
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

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
