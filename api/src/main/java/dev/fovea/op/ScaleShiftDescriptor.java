package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated per-channel affine map with an optional fused activation:
 * {@code y[n, c, h, w] = act(x[n, c, h, w] · scale[c] + shift[c])}. Batch normalization at inference is this
 * op with {@code scale = γ / √(σ² + ε)} and {@code shift = β − μ · scale} when it cannot be folded into the
 * convolution or dense layer before it.
 * <ul>
 *   <li>x, y: {@code [N, C, H, W]} in {@link #layout()}, or {@code [N, C]}</li>
 *   <li>scale, shift: {@code [C]}, contiguous host tensors given to the plan</li>
 * </ul>
 */
public record ScaleShiftDescriptor(String layer, Shape input, Layout layout, Activation activation)
        implements OpDescriptor {

    /** Validates every attribute (all problems reported together). */
    public ScaleShiftDescriptor {
        Violations v = new Violations(layer);
        v.check(input != null && (input.rank() == 4 || input.rank() == 2), "input",
                "input must be [N, C, H, W] or [N, C], got " + input);
        v.check(layout != null, "layout", "layout must not be null");
        v.check(activation != null, "activation", "activation must not be null (use NONE)");
        v.throwIfAny("input " + input);
    }

    public static ScaleShiftDescriptor create(String layer, Shape input, Layout layout, Activation activation) {
        return new ScaleShiftDescriptor(layer, input, layout, activation);
    }

    @Override
    public Shape output() {
        return input;
    }

    /** {@code [C]}: the shape of scale and shift. */
    public Shape parameterShape() {
        return Shape.of(input.c());
    }

    /** The same op with another fused activation. */
    public ScaleShiftDescriptor withActivation(Activation act) {
        return new ScaleShiftDescriptor(layer, input, layout, act);
    }

    public ScaleShiftDescriptor withBatch(int n) {
        return new ScaleShiftDescriptor(layer, input.withBatch(n), layout, activation);
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ScaleShiftDescriptor d && input.equals(d.input) && layout == d.layout
                && activation == d.activation;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(input, layout, activation);
    }
}
