package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.Arrays;

/**
 * A validated axis permutation (ONNX {@code Transpose}): output axis {@code i} is input axis {@code perm[i]}, so
 * {@code y[i0, …, ik] = x[j]} with {@code j[perm[i]] = i}. Operates on logical shapes; 4-D tensors are stored in
 * {@link #layout()}, others row-major.
 */
public record TransposeDescriptor(String layer, Shape input, Layout layout, int[] perm, Shape output)
        implements OpDescriptor {

    /** Validates every attribute; the output must be the one they give. The permutation is copied. */
    public TransposeDescriptor {
        Violations.requireDerived(layer, "output", output, derive(layer, input, layout, perm));
        perm = perm.clone();
    }

    public static TransposeDescriptor create(String layer, Shape input, Layout layout, int[] perm) {
        return new TransposeDescriptor(layer, input, layout, perm, derive(layer, input, layout, perm));
    }

    /** The output shape, after every check (all problems reported together). */
    private static Shape derive(String layer, Shape input, Layout layout, int[] perm) {
        Violations v = new Violations(layer);
        String ctx = "input " + input + ", perm " + Arrays.toString(perm);
        v.check(layout != null, "layout", "layout must not be null");
        if (!v.check(input != null && perm != null && perm.length == input.rank(), "perm",
                "perm must list every axis of the input once")) {
            v.throwIfAny(ctx);
        }
        boolean[] seen = new boolean[perm.length];
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int a = perm[i];
            if (v.check(a >= 0 && a < perm.length && !seen[a], "perm", "perm " + Arrays.toString(perm)
                    + " is not a permutation of 0.." + (perm.length - 1))) {
                seen[a] = true;
                out[i] = input.dim(a);
            }
        }
        v.throwIfAny(ctx);
        return Shape.of(out);
    }

    @Override
    public int[] perm() {
        return perm.clone();
    }

    /** The same permutation for another batch size (axis 0 must stay the batch axis: {@code perm[0] == 0}). */
    public TransposeDescriptor withBatch(int n) {
        return new TransposeDescriptor(layer, input.withBatch(n), layout, perm, output.withBatch(n));
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TransposeDescriptor t && input.equals(t.input) && layout == t.layout
                && Arrays.equals(perm, t.perm);
    }

    @Override
    public int hashCode() {
        return input.hashCode() * 31 + Arrays.hashCode(perm);
    }

    @Override
    public String toString() {
        return "TransposeDescriptor[" + layer + ": " + input + " → " + output + ", perm " + Arrays.toString(perm)
                + "]";
    }
}
