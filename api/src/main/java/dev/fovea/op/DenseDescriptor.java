package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated fully connected layer: {@code y = act(x · W + b)}.
 * <ul>
 *   <li>x: {@code [N, F]} (row-major)</li>
 *   <li>W: {@code [F, U]} row-major (Keras' kernel order)</li>
 *   <li>b: {@code [U]} when {@link #bias()}</li>
 *   <li>y: {@code [N, U]}</li>
 * </ul>
 */
public record DenseDescriptor(String layer, Shape input, int units, boolean bias, Activation activation, Shape output)
        implements OpDescriptor {

    /** Validates every attribute; the output must be the one they give. */
    public DenseDescriptor {
        Violations.requireDerived(layer, "output", output, derive(layer, input, units, activation));
    }

    public static DenseDescriptor create(String layer, Shape input, int units, boolean bias, Activation activation) {
        return new DenseDescriptor(layer, input, units, bias, activation, derive(layer, input, units, activation));
    }

    /** The output shape, after every check (all problems reported together). */
    private static Shape derive(String layer, Shape input, int units, Activation activation) {
        Violations v = new Violations(layer);
        String ctx = "input " + input + ", units " + units;
        v.check(input != null && input.rank() == 2, "input",
                "input must be 2-D [N, F] (add a Flatten layer), got " + (input == null ? "null"
                        : input.rank() + "-D " + input));
        v.check(units > 0, "units", "units " + units + " must be > 0");
        v.check(activation != null, "activation", "activation must not be null (use NONE)");
        v.throwIfAny(ctx);
        return Shape.of(input.n(), units);
    }

    @Override
    public Layout layout() {
        return Layout.NCHW;
    }

    /** {@code [F, U]}. */
    public Shape weightShape() {
        return Shape.of(input.c(), units);
    }

    public long parameterCount() {
        return (long) input.c() * units + (bias ? units : 0);
    }

    public long flops() {
        return 2L * input.n() * input.c() * units;
    }

    public DenseDescriptor withBatch(int n) {
        return new DenseDescriptor(layer, input.withBatch(n), units, bias, activation, output.withBatch(n));
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DenseDescriptor d && input.equals(d.input) && units == d.units && bias == d.bias
                && activation == d.activation && output.equals(d.output);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(input, units, bias, activation, output);
    }
}
