package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * Joins separate tensors along one axis (channels by default), as DenseNet, SqueezeNet and ShuffleNet do:
 * {@code Concatenate.create().apply(a, b, c)}. Every other axis must match.
 */
public final class Concatenate extends Layer {
    private final int axis;

    private Concatenate(String name, int axis) {
        super(name);
        this.axis = axis;
    }

    /** Concatenation on the channel axis (1). */
    public static Concatenate create() {
        return new Concatenate(null, 1);
    }

    /** Concatenation on logical axis {@code axis} (1 ≤ axis &lt; rank; the batch axis 0 cannot be joined). */
    public static Concatenate axis(int axis) {
        return new Concatenate(null, axis);
    }

    public Concatenate name(String name) {
        return new Concatenate(name, axis);
    }

    public int axis() {
        return axis;
    }

    @Override
    public String type() {
        return "Concatenate";
    }

    @Override
    String autoNamePrefix() {
        return "concatenate";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        return build(nodeName, List.of(input), layout, namer);
    }

    @Override
    Node build(String nodeName, List<Shape> inputs, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        Shape first = inputs.getFirst();
        v.check(axis >= 1 && axis < first.rank(), "axis", "axis " + axis + " must be in [1, " + first.rank()
                + ") for " + first.rank() + "-D inputs");
        v.throwIfAny("inputs " + inputs);
        long total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            if (!v.check(s.rank() == first.rank(), "inputs", "input " + i + " " + s + " has rank " + s.rank()
                    + ", input 0 " + first.rank())) {
                continue;
            }
            for (int a = 0; a < s.rank(); a++) {
                v.check(a == axis || s.dim(a) == first.dim(a), "inputs", "input " + i + " " + s + " differs from input"
                        + " 0 " + first + " on axis " + a + " (only axis " + axis + " may differ)");
            }
            total += s.dim(axis);
        }
        v.check(total <= Integer.MAX_VALUE, "inputs", "joined size " + total + " is too large");
        v.throwIfAny("inputs " + inputs);
        return new ConcatenateNode(nodeName, this, inputs, first.with(axis, (int) total), axis);
    }

    /** The node: each input copied into its part of the output, unless it was written there already. */
    static final class ConcatenateNode extends StridedNode {
        private final int axis;

        ConcatenateNode(String name, Layer layer, List<Shape> inputs, Shape output, int axis) {
            super(name, layer, inputs, output);
            this.axis = axis;
        }

        int axis() {
            return axis;
        }

        /**
         * Copies each input into its slice of the output, except an input that is that slice already: compiled
         * graphs place inputs in the output ({@link ConcatPlacement}), so that a concatenation copies nothing.
         */
        @Override
        Tensor forward(Run run, List<Tensor> xs, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            int offset = 0;
            for (Tensor x : xs) {
                int size = x.shape().dim(axis);
                Tensor part = y.slice(axis, offset, size);
                if (!sameView(x, part)) {
                    run.engine().copy(x, part);
                }
                offset += size;
            }
            return y;
        }

        private static boolean sameView(Tensor a, Tensor b) {
            return a.buffer() == b.buffer() && a.offset() == b.offset() && a.layout() == b.layout()
                    && java.util.Arrays.equals(a.strides(), b.strides());
        }

        /** Each input's gradient is its part of {@code dy}, copied out. */
        @Override
        List<Tensor> backward(Run run, List<Tensor> xs, Tensor y, Tensor dy, List<Tensor> grads, boolean[] needDx) {
            Tensor[] dxs = new Tensor[xs.size()];
            int offset = 0;
            for (int i = 0; i < xs.size(); i++) {
                int size = inputs.get(i).dim(axis);
                if (needDx[i]) {
                    dxs[i] = run.allocate(inputs.get(i));
                    run.engine().copy(dy.slice(axis, offset, size), dxs[i]);
                }
                offset += size;
            }
            return java.util.Arrays.asList(dxs);
        }
    }
}
