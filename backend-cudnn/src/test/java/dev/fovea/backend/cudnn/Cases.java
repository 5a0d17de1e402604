package dev.fovea.backend.cudnn;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A broad sweep of valid convolution and pooling descriptors: every padding mode (VALID, SAME, SAME_LOWER,
 * FULL, symmetric and asymmetric explicit pads), strides, dilations, groups, ceil mode, both divisors, global.
 * Invalid combinations (output ≤ 0, padding ≥ window) are left out by the API's own validation.
 */
final class Cases {
    private Cases() {
    }

    static final int[][] SIZES = {{1, 1}, {2, 3}, {5, 5}, {7, 4}, {8, 11}, {16, 9}};
    static final int[][] KERNELS = {{1, 1}, {2, 3}, {3, 3}, {4, 2}, {5, 5}, {7, 1}};
    static final int[][] STRIDES = {{1, 1}, {2, 1}, {2, 2}, {3, 2}};
    static final Padding[] PADDINGS = {Padding.VALID, Padding.SAME, Padding.SAME_LOWER, Padding.FULL,
        Padding.explicit(1), Padding.explicit(1, 0, 0, 1), Padding.explicit(2, 1, 0, 3), Padding.explicit(0, 2, 1, 0),
        Padding.explicit(1, 1, 2, 2), Padding.explicit(3, 0, 1, 2)};

    static List<ConvolutionDescriptor> convolutions() {
        List<ConvolutionDescriptor> out = new ArrayList<>();
        for (int[] hw : SIZES) {
            for (int[] k : KERNELS) {
                for (int[] s : STRIDES) {
                    for (int[] d : new int[][] {{1, 1}, {2, 1}, {1, 3}}) {
                        for (Padding p : PADDINGS) {
                            for (int groups : new int[] {1, 2}) {
                                ConvolutionParams params = ConvolutionParams.of(4, k[0], k[1]).withStride(s[0], s[1])
                                        .withDilation(d[0], d[1]).withPadding(p).withGroups(groups);
                                try {
                                    out.add(ConvolutionDescriptor.create("conv", Shape.of(1, 2, hw[0], hw[1]),
                                            Layout.NCHW, params));
                                } catch (ValidationException e) {
                                    // not a valid convolution: not a case
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static List<PoolingDescriptor> poolings() {
        List<PoolingDescriptor> out = new ArrayList<>();
        for (int[] hw : SIZES) {
            for (PoolingMode mode : PoolingMode.values()) {
                for (boolean include : new boolean[] {false, true}) {
                    out.add(PoolingDescriptor.create("global", Shape.of(1, 2, hw[0], hw[1]), Layout.NCHW,
                            PoolingParams.global(mode).withCountIncludePad(include)));
                    for (int[] k : KERNELS) {
                        for (int[] s : STRIDES) {
                            for (Padding p : PADDINGS) {
                                for (boolean ceil : new boolean[] {false, true}) {
                                    PoolingParams params = PoolingParams.of(mode, k[0], k[1]).withStride(s[0], s[1])
                                            .withPadding(p).withCeilMode(ceil).withCountIncludePad(include);
                                    try {
                                        out.add(PoolingDescriptor.create("pool", Shape.of(1, 2, hw[0], hw[1]),
                                                Layout.NCHW, params));
                                    } catch (ValidationException e) {
                                        // not a valid pooling: not a case
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
