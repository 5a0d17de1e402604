package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * Gives each item a new shape with the same number of elements, in logical (row-major, channels-first) order:
 * {@code Reshape.to(-1)} flattens {@code [N, C, H, W]} to {@code [N, C·H·W]} in (c, h, w) order whatever the
 * storage layout; one dimension may be −1 (inferred). The batch axis is kept. Unlike {@link Flatten}, which
 * follows the storage order as Keras does, this is ONNX's and PyTorch's {@code reshape}.
 */
public final class Reshape extends Layer {
    private final int[] dims;

    private Reshape(String name, int[] dims) {
        super(name);
        this.dims = dims.clone();
    }

    /** The per-item dimensions (without the batch); at most one −1. */
    public static Reshape to(int... dims) {
        return new Reshape(null, dims);
    }

    public Reshape name(String name) {
        return new Reshape(name, dims);
    }

    public int[] dims() {
        return dims.clone();
    }

    @Override
    public String type() {
        return "Reshape";
    }

    @Override
    String autoNamePrefix() {
        return "reshape";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        Violations v = new Violations(subject(type(), nodeName));
        long perItem = input.perItem();
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1 && inferred < 0) {
                inferred = i;
            } else if (v.check(dims[i] > 0, "dims", "dimension " + i + " is " + dims[i] + "; each must be > 0, or one"
                    + " of them −1")) {
                known *= dims[i];
            }
        }
        String ctx = "input " + input + " (" + perItem + " elements per item), target " + Arrays.toString(dims);
        v.throwIfAny(ctx);
        int[] out = new int[dims.length + 1];
        out[0] = input.n();
        for (int i = 0; i < dims.length; i++) {
            out[i + 1] = dims[i];
        }
        if (inferred >= 0) {
            v.check(perItem % known == 0, "dims", perItem + " elements do not divide into parts of " + known);
            out[inferred + 1] = (int) (perItem / Math.max(known, 1));
        } else {
            v.check(known == perItem, "dims", "target holds " + known + " elements per item, the input " + perItem);
        }
        v.throwIfAny(ctx);
        Shape shape = Shape.of(out);
        return new Node(nodeName, this, input, shape) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                return relayout(run, x, output, dst);
            }

            /** The same elements in the same logical order: {@code dy} seen with the input's shape. */
            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                return needDx ? relayout(run, dy, input, null) : null;
            }
        };
    }

    /**
     * {@code x} seen with the logical shape {@code to} (batch 1 in {@code to}), elements in row-major logical order:
     * a view when {@code x} is contiguous in that order, else a copy; stored in the model's layout when 4-D.
     */
    static Tensor relayout(Run run, Tensor x, Shape to, Tensor dst) {
        Shape target = to.withBatch(run.batch());
        Tensor rowMajor = x;
        if (!(x.isContiguous() && (x.shape().rank() != 4 || x.layout() == Layout.NCHW))) {
            rowMajor = run.allocateIn(x.shape(), Layout.NCHW);
            run.engine().copy(x, rowMajor);
        }
        Tensor view = rowMajor.reshape(target, Layout.NCHW);
        if (dst == null && (target.rank() != 4 || run.layout() == Layout.NCHW)) {
            return view;
        }
        Tensor y = dst != null ? dst : run.allocate(to);
        run.engine().copy(view, y);
        return y;
    }
}
