package dev.fovea.backend.cudnn;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;

/**
 * A tensor as cuDNN's 4-D descriptors see it: logical {@code (n, c, h, w)} sizes and strides in elements.
 * Lower ranks are padded with unit axes ({@code [N, F]} becomes {@code [N, F, 1, 1]}, {@code [K]} becomes
 * {@code [1, K, 1, 1]}), which is how dense layers, softmax and biases reach cuDNN.
 */
record Dims4(int n, int c, int h, int w, long ns, long cs, long hs, long ws) {

    static Dims4 of(Tensor t) {
        int[] d = t.shape().dims();
        long[] s = t.strides();
        return switch (d.length) {
            case 4 -> new Dims4(d[0], d[1], d[2], d[3], s[0], s[1], s[2], s[3]);
            case 3 -> new Dims4(d[0], d[1], d[2], 1, s[0], s[1], s[2], 1);
            case 2 -> new Dims4(d[0], d[1], 1, 1, s[0], s[1], 1, 1);
            case 1 -> new Dims4(1, d[0], 1, 1, d[0] * s[0], s[0], 1, 1);
            default -> throw new UnsupportedOperationException("cuDNN backend: tensors of rank " + d.length
                    + " are not supported (" + t + ")");
        };
    }

    /** Sizes and strides of rank ≤ 4 as {@link #of(Tensor)} pads them. */
    static Dims4 of(int rank, int[] d, long[] s) {
        return switch (rank) {
            case 4 -> new Dims4(d[0], d[1], d[2], d[3], s[0], s[1], s[2], s[3]);
            case 3 -> new Dims4(d[0], d[1], d[2], 1, s[0], s[1], s[2], 1);
            case 2 -> new Dims4(d[0], d[1], 1, 1, s[0], s[1], 1, 1);
            case 1 -> new Dims4(1, d[0], 1, 1, d[0] * s[0], s[0], 1, 1);
            default -> throw new UnsupportedOperationException("cuDNN backend: tensors of rank " + rank
                    + " are not supported");
        };
    }

    /** Dense sizes in {@code layout}'s storage order. */
    static Dims4 dense(int n, int c, int h, int w, Layout layout) {
        long hw = (long) h * w;
        return layout == Layout.NHWC
                ? new Dims4(n, c, h, w, hw * c, 1, (long) w * c, c)
                : new Dims4(n, c, h, w, c * hw, hw, w, 1);
    }

    /** The same strides with other sizes (a window into a larger dense buffer). */
    Dims4 withSizes(int n2, int c2, int h2, int w2) {
        return new Dims4(n2, c2, h2, w2, ns, cs, hs, ws);
    }

    long elements() {
        return (long) n * c * h * w;
    }

    /** Element offset of logical {@code (in, ic, ih, iw)}. */
    long offset(int in, int ic, int ih, int iw) {
        return in * ns + ic * cs + ih * hs + iw * ws;
    }

    /** True when these are exactly the dense strides of {@code layout} (no gaps). */
    boolean isDense(Layout layout) {
        return equals(dense(n, c, h, w, layout));
    }
}
