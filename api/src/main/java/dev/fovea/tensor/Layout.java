package dev.fovea.tensor;

/**
 * Storage order of a 4-D activation. Formulas and {@link Shape}s always use the logical order
 * {@code (N, C, H, W)}; the layout only decides the strides. Tensors of rank other than 4 are stored
 * row-major whatever the layout says.
 */
public enum Layout {
    /** Channels before rows: PyTorch, ONNX, cuDNN's default. */
    NCHW(new int[] {0, 1, 2, 3}),
    /** Channels last: TensorFlow and Keras, and the seeds. */
    NHWC(new int[] {0, 2, 3, 1});

    private final int[] order;

    Layout(int[] order) {
        this.order = order;
    }

    /** Logical axes from outermost to innermost in memory, for a 4-D tensor. */
    public int[] storageOrder(int rank) {
        if (rank != 4) {
            int[] rowMajor = new int[rank];
            for (int i = 0; i < rank; i++) {
                rowMajor[i] = i;
            }
            return rowMajor;
        }
        return order.clone();
    }

    /** Dense strides, in elements, for each logical axis of {@code shape}. */
    public long[] denseStrides(Shape shape) {
        int rank = shape.rank();
        int[] ord = storageOrder(rank);
        long[] strides = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            strides[ord[i]] = s;
            s *= shape.dim(ord[i]);
        }
        return strides;
    }

    /**
     * The shape as this layout stores it, batch included: {@code NHWC} prints {@code (1, 28, 28, 3)} for the
     * logical {@code [1, 3, 28, 28]}. With {@code batch} null the first entry prints as {@code None}, as Keras does.
     */
    public String format(Shape shape, String batch) {
        int[] ord = storageOrder(shape.rank());
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < ord.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ord[i] == 0 && batch != null ? batch : Integer.toString(shape.dim(ord[i])));
        }
        return sb.append(')').toString();
    }
}
