package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * The part {@code [start, end)} of one logical axis (ONNX's {@code Slice} with step 1, and each part of a
 * {@code Split}): {@code Slice.of(1, 0, 58)} keeps the first 58 channels.
 */
public final class Slice extends Layer {
    private final int axis;
    private final int start;
    private final int end;

    private Slice(String name, int axis, int start, int end) {
        super(name);
        this.axis = axis;
        this.start = start;
        this.end = end;
    }

    /** Elements {@code [start, end)} of logical axis {@code axis} (≥ 1: the batch cannot be sliced). */
    public static Slice of(int axis, int start, int end) {
        return new Slice(null, axis, start, end);
    }

    public Slice name(String name) {
        return new Slice(name, axis, start, end);
    }

    public int axis() {
        return axis;
    }

    public int start() {
        return start;
    }

    public int end() {
        return end;
    }

    @Override
    public String type() {
        return "Slice";
    }

    @Override
    String autoNamePrefix() {
        return "slice";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        String ctx = "input " + input + ", axis " + axis + ", [" + start + ", " + end + ")";
        if (v.check(axis >= 1 && axis < input.rank(), "axis", "axis " + axis + " must be in [1, " + input.rank()
                + ")")) {
            v.check(0 <= start && start < end && end <= input.dim(axis), "range", "[" + start + ", " + end
                    + ") must be a non-empty part of [0, " + input.dim(axis) + ")");
        }
        v.throwIfAny(ctx);
        return new Node(nodeName, this, input, input.with(axis, end - start)) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().copy(x.slice(axis, start, end - start), y);
                return y;
            }

            /** {@code dy} in the sliced part of a zero gradient: the elements left out do not reach the output. */
            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor dx = run.allocate(input);
                TrainingGraph.zero(run, dx);
                run.engine().copy(dy, dx.slice(axis, start, end - start));
                return dx;
            }
        };
    }
}
