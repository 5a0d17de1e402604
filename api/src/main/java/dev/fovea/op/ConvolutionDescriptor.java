package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated 2-D convolution: {@code y = act(conv(x, w) + b)}.
 * <ul>
 *   <li>x: {@code [N, C, H, W]} in {@link #layout()}</li>
 *   <li>w: {@code [K, C/groups, kH, kW]}, always stored contiguously in that order</li>
 *   <li>b: {@code [K]} when {@link #bias()}</li>
 *   <li>y: {@code [N, K, P, Q]} in {@link #layout()}</li>
 * </ul>
 * Input pixel of output (p, q) for kernel tap (r, s): {@code h = p·strideH − pads.top + r·dilationH}
 * (and likewise for w); taps outside the input read 0.
 */
public record ConvolutionDescriptor(String layer, Shape input, Layout layout, int filters, int kernelH, int kernelW,
                                    int strideH, int strideW, int dilationH, int dilationW, int groups, Pads pads,
                                    boolean bias, Activation activation, Padding padding, Shape output)
        implements OpDescriptor {

    /** Validates every attribute; the pads and the output must be the ones they give. */
    public ConvolutionDescriptor {
        Derived d = derive(layer, input, layout, new ConvolutionParams(filters, kernelH, kernelW, strideH, strideW,
                dilationH, dilationW, groups, padding, bias, activation));
        Violations.requireDerived(layer, "pads", pads, d.pads());
        Violations.requireDerived(layer, "output", output, d.output());
    }

    /**
     * Validates {@code params} against {@code input} and computes the output shape; every problem is reported
     * in one {@link ValidationException} naming {@code layer}.
     *
     * @param layer e.g. {@code "Conv2D 'conv2d_1'"}
     */
    public static ConvolutionDescriptor create(String layer, Shape input, Layout layout, ConvolutionParams params) {
        Derived d = derive(layer, input, layout, params);
        return new ConvolutionDescriptor(layer, input, layout, params.filters(), params.kernelH(), params.kernelW(),
                params.strideH(), params.strideW(), params.dilationH(), params.dilationW(), params.groups(), d.pads(),
                params.bias(), params.activation(), params.padding(), d.output());
    }

    private record Derived(Pads pads, Shape output) {
    }

    /** The pads and output shape, after every check. */
    private static Derived derive(String layer, Shape input, Layout layout, ConvolutionParams params) {
        Violations v = new Violations(layer);
        String ctx = "input " + (input == null ? "null" : input + " " + layout) + ", kernel " + params.kernelH() + "×"
                + params.kernelW() + ", stride " + params.strideH() + "×" + params.strideW() + ", dilation "
                + params.dilationH() + "×" + params.dilationW() + ", groups " + params.groups() + ", "
                + params.padding();
        if (!v.check(input != null && input.rank() == 4, "input",
                "input must be 4-D [N, C, H, W], got " + (input == null ? "null" : input.rank() + "-D " + input))) {
            v.throwIfAny(ctx);
        }
        v.check(layout != null, "layout", "layout must not be null");
        int c = input.c();
        v.check(params.filters() > 0, "filters", "filters " + params.filters() + " must be > 0");
        Padding p = params.padding();
        Windows.check(v, "kernel", params.kernelH(), params.kernelW(), params.strideH(), params.strideW(),
                params.dilationH(), params.dilationW(), p);
        int g = params.groups();
        if (v.check(g > 0, "groups", "groups " + g + " must be > 0")) {
            v.check(c % g == 0, "groups", "input channels " + c + " not divisible by groups " + g);
            v.check(params.filters() <= 0 || params.filters() % g == 0, "groups",
                    "filters " + params.filters() + " not divisible by groups " + g);
        }
        v.throwIfAny(ctx);
        Windows.Axis hAxis = Windows.resolve(v, "height", input.h(), params.kernelH(), params.strideH(),
                params.dilationH(), p, p.top(), p.bottom(), false);
        Windows.Axis wAxis = Windows.resolve(v, "width", input.w(), params.kernelW(), params.strideW(),
                params.dilationW(), p, p.left(), p.right(), false);
        v.throwIfAny(ctx);
        return new Derived(new Pads(hAxis.before(), wAxis.before(), hAxis.after(), wAxis.after()),
                Shape.of(input.n(), params.filters(), hAxis.out(), wAxis.out()));
    }

    /** {@code [K, C/groups, kH, kW]}. */
    public Shape weightShape() {
        return Shape.of(filters, input.c() / groups, kernelH, kernelW);
    }

    /** {@code [K]}. */
    public Shape biasShape() {
        return Shape.of(filters);
    }

    /** Learnable parameters: weights plus bias. */
    public long parameterCount() {
        return weightShape().elementCount() + (bias ? filters : 0);
    }

    /** Multiply-adds times two: {@code 2·N·K·(C/groups)·kH·kW·P·Q}. */
    public long flops() {
        return 2L * output.n() * filters * (input.c() / groups) * kernelH * kernelW * output.h() * output.w();
    }

    /** True for a 1×1, stride-1, unpadded, undilated, ungrouped convolution: a plain matrix product. */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && pads.isZero() && groups == 1;
    }

    /** The same convolution with another fused activation. */
    public ConvolutionDescriptor withActivation(Activation act) {
        return new ConvolutionDescriptor(layer, input, layout, filters, kernelH, kernelW, strideH, strideW, dilationH,
                dilationW, groups, pads, bias, act, padding, output);
    }

    /** The same convolution with or without a bias (batch-norm folding adds one). */
    public ConvolutionDescriptor withBias(boolean b) {
        return new ConvolutionDescriptor(layer, input, layout, filters, kernelH, kernelW, strideH, strideW, dilationH,
                dilationW, groups, pads, b, activation, padding, output);
    }

    /** The same convolution for another batch size. */
    public ConvolutionDescriptor withBatch(int n) {
        return new ConvolutionDescriptor(layer, input.withBatch(n), layout, filters, kernelH, kernelW, strideH,
                strideW, dilationH, dilationW, groups, pads, bias, activation, padding, output.withBatch(n));
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConvolutionDescriptor d && input.equals(d.input) && layout == d.layout
                && filters == d.filters && kernelH == d.kernelH && kernelW == d.kernelW && strideH == d.strideH
                && strideW == d.strideW && dilationH == d.dilationH && dilationW == d.dilationW && groups == d.groups
                && pads.equals(d.pads) && bias == d.bias && activation == d.activation && padding.equals(d.padding)
                && output.equals(d.output);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(input, layout, filters, kernelH, kernelW, strideH, strideW, dilationH,
                dilationW, groups, pads, bias, activation, padding, output);
    }
}
