package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated affine clamp: {@code y = min(max(alpha · x + beta, min), max)}, element-wise, NaN propagating.
 * ONNX's {@code Clip(min, max)} is alpha 1, beta 0; {@code HardSigmoid(alpha, beta)} is min 0, max 1.
 * x and y have the same shape, in {@link #layout()} when 4-D, row-major otherwise.
 */
public record ClampDescriptor(String layer, Shape input, Layout layout, float alpha, float beta, float min, float max)
        implements OpDescriptor {

    /** Validates every attribute (all problems reported together). */
    public ClampDescriptor {
        Violations v = new Violations(layer);
        v.check(input != null, "input", "input must not be null");
        v.check(layout != null, "layout", "layout must not be null");
        v.check(Float.isFinite(alpha) && Float.isFinite(beta), "alpha", "alpha " + alpha + " and beta " + beta
                + " must be finite");
        v.check(!Float.isNaN(min) && !Float.isNaN(max) && min <= max, "min", "min " + min + " must be ≤ max " + max);
        v.throwIfAny("input " + input);
    }

    public static ClampDescriptor create(String layer, Shape input, Layout layout, float alpha, float beta, float min,
                                         float max) {
        return new ClampDescriptor(layer, input, layout, alpha, beta, min, max);
    }

    @Override
    public Shape output() {
        return input;
    }

    /** The op on one value, in double (the reference's definition). */
    public double apply(double x) {
        return Math.min(Math.max(alpha * x + beta, min), max);
    }

    public ClampDescriptor withBatch(int n) {
        return new ClampDescriptor(layer, input.withBatch(n), layout, alpha, beta, min, max);
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClampDescriptor d && input.equals(d.input) && layout == d.layout
                && Float.compare(alpha, d.alpha) == 0 && Float.compare(beta, d.beta) == 0
                && Float.compare(min, d.min) == 0 && Float.compare(max, d.max) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(input, layout, alpha, beta, min, max);
    }
}
