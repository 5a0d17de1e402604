package dev.fovea.op;

/**
 * The attributes of a 2-D convolution, as a user writes them. Checked when a descriptor is created
 * (all problems reported together), not here.
 *
 * <pre>{@code
 * ConvolutionParams p = ConvolutionParams.of(64, 3, 3).withPadding(Padding.SAME).withActivation(Activation.RELU);
 * }</pre>
 *
 * @param filters     output channels K
 * @param groups      1 for a dense convolution, C for depthwise (with K = C·multiplier)
 * @param bias        whether a bias of K values is added
 * @param activation  applied after the bias, fused into the op
 */
public record ConvolutionParams(int filters, int kernelH, int kernelW, int strideH, int strideW, int dilationH,
                                int dilationW, int groups, Padding padding, boolean bias, Activation activation) {
    public ConvolutionParams {
        if (padding == null || activation == null) {
            throw new IllegalArgumentException("padding and activation must not be null (use VALID, NONE)");
        }
    }

    /** Stride 1, dilation 1, one group, VALID, with bias, no activation: Keras' defaults. */
    public static ConvolutionParams of(int filters, int kernelH, int kernelW) {
        return new ConvolutionParams(filters, kernelH, kernelW, 1, 1, 1, 1, 1, Padding.VALID, true, Activation.NONE);
    }

    public ConvolutionParams withStride(int sh, int sw) {
        return new ConvolutionParams(filters, kernelH, kernelW, sh, sw, dilationH, dilationW, groups, padding, bias,
                activation);
    }

    public ConvolutionParams withDilation(int dh, int dw) {
        return new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW, dh, dw, groups, padding, bias,
                activation);
    }

    public ConvolutionParams withGroups(int g) {
        return new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW, g, padding,
                bias, activation);
    }

    public ConvolutionParams withPadding(Padding p) {
        return new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW, groups, p,
                bias, activation);
    }

    public ConvolutionParams withBias(boolean b) {
        return new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW, groups,
                padding, b, activation);
    }

    public ConvolutionParams withActivation(Activation a) {
        return new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW, dilationH, dilationW, groups,
                padding, bias, a);
    }
}
