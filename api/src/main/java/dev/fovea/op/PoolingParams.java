package dev.fovea.op;

/**
 * The attributes of a 2-D pooling window, as a user writes them. Checked when a descriptor is created.
 *
 * @param countIncludePad average pooling only: divide by the cells inside the padded input (PyTorch's default)
 *                        instead of the cells inside the input (TF/Keras/ONNX; Fovea's default)
 * @param ceilMode        round the output size up (VALID or explicit padding only)
 * @param global          one window over the whole H×W; kernel, stride and padding are then ignored
 * @param dilationH       distance between the rows a window reads (1: adjacent rows; ONNX's {@code dilations})
 * @param dilationW       distance between the columns a window reads
 */
public record PoolingParams(PoolingMode mode, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                            boolean ceilMode, boolean countIncludePad, boolean global, int dilationH, int dilationW) {
    public PoolingParams {
        if (mode == null || padding == null) {
            throw new IllegalArgumentException("pooling mode and padding must not be null");
        }
    }

    /** Undilated pooling. */
    public PoolingParams(PoolingMode mode, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                         boolean ceilMode, boolean countIncludePad, boolean global) {
        this(mode, kernelH, kernelW, strideH, strideW, padding, ceilMode, countIncludePad, global, 1, 1);
    }

    /** A k×k window with stride k, VALID: Keras' {@code MaxPooling2D(k)} / {@code AveragePooling2D(k)}. */
    public static PoolingParams of(PoolingMode mode, int kernelH, int kernelW) {
        return new PoolingParams(mode, kernelH, kernelW, kernelH, kernelW, Padding.VALID, false, false, false);
    }

    /** Global pooling: one output per channel. */
    public static PoolingParams global(PoolingMode mode) {
        return new PoolingParams(mode, 1, 1, 1, 1, Padding.VALID, false, false, true);
    }

    public PoolingParams withStride(int sh, int sw) {
        return new PoolingParams(mode, kernelH, kernelW, sh, sw, padding, ceilMode, countIncludePad, global, dilationH, dilationW);
    }

    public PoolingParams withPadding(Padding p) {
        return new PoolingParams(mode, kernelH, kernelW, strideH, strideW, p, ceilMode, countIncludePad, global, dilationH, dilationW);
    }

    public PoolingParams withCeilMode(boolean c) {
        return new PoolingParams(mode, kernelH, kernelW, strideH, strideW, padding, c, countIncludePad, global, dilationH, dilationW);
    }

    public PoolingParams withCountIncludePad(boolean c) {
        return new PoolingParams(mode, kernelH, kernelW, strideH, strideW, padding, ceilMode, c, global, dilationH, dilationW);
    }

    public PoolingParams withDilation(int dh, int dw) {
        return new PoolingParams(mode, kernelH, kernelW, strideH, strideW, padding, ceilMode, countIncludePad, global,
                dh, dw);
    }
}
