package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.Arrays;

/**
 * A validated element-wise operation of two tensors with broadcasting, and an optional fused activation:
 * {@code y = act(a op b)}.
 * <ul>
 *   <li>a, b: the same rank; along each axis their sizes are equal or one of them is 1 (NumPy's rule, after the
 *       caller has aligned ranks). A size-1 axis is repeated: {@code b [N, C, 1, 1]} scales every pixel of
 *       channel c (squeeze-and-excitation).</li>
 *   <li>y: the larger size along each axis.</li>
 * </ul>
 * 4-D tensors are stored in {@link #layout()}; others in row-major order. Element {@code y[i]} reads
 * {@code a[i']} and {@code b[i'']} where a primed index is 0 along the operand's size-1 axes.
 */
public record BinaryDescriptor(String layer, BinaryOp op, Shape a, Shape b, Layout layout, Activation activation,
                               Shape output) implements OpDescriptor {
    /** Validates every attribute; the output must be the one they give. */
    public BinaryDescriptor {
        Violations.requireDerived(layer, "output", output, derive(layer, op, a, b, layout, activation));
    }

    public static BinaryDescriptor create(String layer, BinaryOp op, Shape a, Shape b, Layout layout,
                                          Activation activation) {
        return new BinaryDescriptor(layer, op, a, b, layout, activation, derive(layer, op, a, b, layout, activation));
    }

    /** The output shape, after every check (all problems reported together). */
    private static Shape derive(String layer, BinaryOp op, Shape a, Shape b, Layout layout, Activation activation) {
        Violations v = new Violations(layer);
        String ctx = op + " of " + a + " and " + b;
        v.check(op != null, "op", "op must not be null");
        v.check(activation != null, "activation", "activation must not be null (use NONE)");
        v.check(layout != null, "layout", "layout must not be null");
        if (!v.check(a != null && b != null, "inputs", "both inputs are needed, got " + a + " and " + b)) {
            v.throwIfAny(ctx);
        }
        if (!v.check(a.rank() == b.rank(), "inputs", "ranks differ: " + a + " has " + a.rank() + " axes, " + b
                + " has " + b.rank())) {
            v.throwIfAny(ctx);
        }
        int[] out = new int[a.rank()];
        for (int i = 0; i < out.length; i++) {
            int x = a.dim(i);
            int y = b.dim(i);
            v.check(x == y || x == 1 || y == 1, "inputs", "axis " + i + ": sizes " + x + " and " + y
                    + " do not broadcast (equal, or one of them 1)");
            out[i] = Math.max(x, y);
        }
        v.throwIfAny(ctx);
        return Shape.of(out);
    }

    /** The first operand's shape (the convention every descriptor shares). */
    @Override
    public Shape input() {
        return a;
    }

    /** Whether {@code b} has the output's shape (no broadcasting of b). */
    public boolean sameShapes() {
        return a.equals(output) && b.equals(output);
    }

    /** The same op for another batch size; both operands carry the batch (axis 0). */
    public BinaryDescriptor withBatch(int n) {
        return new BinaryDescriptor(layer, op, a.withBatch(n), b.withBatch(n), layout, activation,
                output.withBatch(n));
    }

    /** The same op with another fused activation. */
    public BinaryDescriptor withActivation(Activation act) {
        return new BinaryDescriptor(layer, op, a, b, layout, act, output);
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryDescriptor d && op == d.op && a.equals(d.a) && b.equals(d.b) && layout == d.layout
                && activation == d.activation && output.equals(d.output);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(op, a, b, layout, activation, output);
    }

    @Override
    public String toString() {
        return "BinaryDescriptor[" + layer + ": " + op + " " + a + ", " + b + " → " + output + ", " + layout + ", "
                + activation + "]" + (Arrays.equals(a.dims(), b.dims()) ? "" : " (broadcast)");
    }
}
