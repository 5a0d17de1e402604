package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.Arrays;

/**
 * A validated constant padding (ONNX {@code Pad}, mode constant): along axis {@code i}, {@code before[i]} cells of
 * {@code value} come first, then the input, then {@code after[i]} cells. Pads are ≥ 0 (cropping is a slice).
 * 4-D tensors in {@link #layout()}, others row-major.
 */
public record PadDescriptor(String layer, Shape input, Layout layout, int[] before, int[] after, float value,
                            Shape output) implements OpDescriptor {

    /** Validates every attribute; the output must be the one they give. The pads are copied. */
    public PadDescriptor {
        Violations.requireDerived(layer, "output", output, derive(layer, input, layout, before, after));
        before = before.clone();
        after = after.clone();
    }

    public static PadDescriptor create(String layer, Shape input, Layout layout, int[] before, int[] after,
                                       float value) {
        return new PadDescriptor(layer, input, layout, before, after, value, derive(layer, input, layout, before,
                after));
    }

    /** The output shape, after every check (all problems reported together). */
    private static Shape derive(String layer, Shape input, Layout layout, int[] before, int[] after) {
        Violations v = new Violations(layer);
        String ctx = "input " + input + ", pads before " + Arrays.toString(before) + ", after "
                + Arrays.toString(after);
        v.check(layout != null, "layout", "layout must not be null");
        if (!v.check(input != null && before != null && after != null && before.length == input.rank()
                && after.length == input.rank(), "pads", "need one pad before and after per axis of the input")) {
            v.throwIfAny(ctx);
        }
        int[] out = new int[input.rank()];
        for (int i = 0; i < out.length; i++) {
            v.check(before[i] >= 0 && after[i] >= 0, "pads", "axis " + i + ": pads (" + before[i] + ", " + after[i]
                    + ") must be ≥ 0");
            long size = (long) input.dim(i) + Math.max(0, before[i]) + Math.max(0, after[i]);
            v.check(size <= Integer.MAX_VALUE, "pads", "axis " + i + ": padded size " + size + " is too large");
            out[i] = (int) Math.min(size, Integer.MAX_VALUE);
        }
        v.throwIfAny(ctx);
        return Shape.of(out);
    }

    @Override
    public int[] before() {
        return before.clone();
    }

    @Override
    public int[] after() {
        return after.clone();
    }

    /** Pad on the batch axis must stay 0 for this to be meaningful per batch; callers check. */
    public PadDescriptor withBatch(int n) {
        return new PadDescriptor(layer, input.withBatch(n), layout, before, after, value,
                output.withBatch(n + before[0] + after[0]));
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PadDescriptor p && input.equals(p.input) && layout == p.layout
                && Arrays.equals(before, p.before) && Arrays.equals(after, p.after)
                && Float.compare(value, p.value) == 0;
    }

    @Override
    public int hashCode() {
        return input.hashCode() * 31 + Arrays.hashCode(before) * 17 + Arrays.hashCode(after);
    }

    @Override
    public String toString() {
        return "PadDescriptor[" + layer + ": " + input + " → " + output + ", before " + Arrays.toString(before)
                + ", after " + Arrays.toString(after) + ", value " + value + "]";
    }
}
