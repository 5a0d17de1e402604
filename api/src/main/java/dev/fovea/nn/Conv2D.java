package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * 2-D convolution with optional bias and fused activation; groups for grouped and depthwise convolution.
 * Weights {@code kernel [K, C/groups, kH, kW]}, {@code bias [K]}.
 *
 * <pre>{@code
 * Conv2D.of(32, 3).activation(Activation.RELU)              // Keras Conv2D(32, (3, 3), activation='relu')
 * Conv2D.of(64, 5).padding(Padding.SAME).stride(2)
 * Conv2D.pointwise(16)                                       // 1×1 convolution
 * Conv2D.depthwise(3, 1)                                     // 3×3 depthwise, channel multiplier 1
 * }</pre>
 */
public final class Conv2D extends Layer {
    private final ConvolutionParams params;
    private final int depthMultiplier;
    private final Initializer kernelInitializer;

    private Conv2D(String name, ConvolutionParams params, int depthMultiplier, Initializer kernelInitializer) {
        super(name);
        this.params = params;
        this.depthMultiplier = depthMultiplier;
        this.kernelInitializer = kernelInitializer;
    }

    /** {@code filters} outputs, square {@code kernel}, stride 1, VALID, bias, no activation. */
    public static Conv2D of(int filters, int kernel) {
        return of(filters, kernel, kernel);
    }

    public static Conv2D of(int filters, int kernelH, int kernelW) {
        return new Conv2D(null, ConvolutionParams.of(filters, kernelH, kernelW), 0, Initializer.GLOROT_UNIFORM);
    }

    /** A 1×1 convolution: a per-pixel matrix product over channels. */
    public static Conv2D pointwise(int filters) {
        return of(filters, 1, 1);
    }

    /** A depthwise convolution: groups = input channels, {@code multiplier} filters per channel. */
    public static Conv2D depthwise(int kernel, int multiplier) {
        return new Conv2D(null, ConvolutionParams.of(multiplier, kernel, kernel), multiplier,
                Initializer.GLOROT_UNIFORM);
    }

    /** The convolution with the given attributes (for everything at once). */
    public static Conv2D of(ConvolutionParams params) {
        return new Conv2D(null, params, 0, Initializer.GLOROT_UNIFORM);
    }

    public Conv2D stride(int s) {
        return with(params.withStride(s, s));
    }

    public Conv2D stride(int sh, int sw) {
        return with(params.withStride(sh, sw));
    }

    public Conv2D padding(Padding p) {
        return with(params.withPadding(p));
    }

    public Conv2D dilation(int d) {
        return with(params.withDilation(d, d));
    }

    public Conv2D dilation(int dh, int dw) {
        return with(params.withDilation(dh, dw));
    }

    public Conv2D groups(int g) {
        return with(params.withGroups(g));
    }

    public Conv2D useBias(boolean bias) {
        return with(params.withBias(bias));
    }

    public Conv2D activation(Activation a) {
        return with(params.withActivation(a));
    }

    public Conv2D kernelInitializer(Initializer init) {
        return new Conv2D(name(), params, depthMultiplier, init);
    }

    public Conv2D name(String name) {
        return new Conv2D(name, params, depthMultiplier, kernelInitializer);
    }

    public ConvolutionParams params() {
        return params;
    }

    /**
     * The attributes for an input of {@code channels} channels: a depthwise convolution's filters and groups
     * follow the input ({@code channels × multiplier} filters in {@code channels} groups).
     */
    public ConvolutionParams params(int channels) {
        if (depthMultiplier == 0) {
            return params;
        }
        return new ConvolutionParams(channels * depthMultiplier, params.kernelH(), params.kernelW(), params.strideH(),
                params.strideW(), params.dilationH(), params.dilationW(), channels, params.padding(), params.bias(),
                params.activation());
    }

    private Conv2D with(ConvolutionParams p) {
        return new Conv2D(name(), p, depthMultiplier, kernelInitializer);
    }

    @Override
    public String type() {
        return depthMultiplier > 0 ? "DepthwiseConv2D" : "Conv2D";
    }

    @Override
    String autoNamePrefix() {
        return depthMultiplier > 0 ? "depthwise_conv2d" : "conv2d";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        ConvolutionParams p = input.rank() == 4 ? params(input.c()) : params;
        ConvolutionDescriptor d = ConvolutionDescriptor.create(subject(type(), nodeName), input, layout, p);
        return new ConvNode(nodeName, this, d, kernelInitializer);
    }

    static final class ConvNode extends StridedNode {
        final ConvolutionDescriptor descriptor;
        private final Initializer init;
        private final Node owner;

        ConvNode(String name, Layer layer, ConvolutionDescriptor d, Initializer init) {
            this(name, layer, d, init, null);
        }

        private ConvNode(String name, Layer layer, ConvolutionDescriptor d, Initializer init, Node owner) {
            super(name, layer, d.input(), d.output());
            this.descriptor = d;
            this.init = init;
            this.owner = owner == null ? this : owner;
        }

        /** This convolution with {@code act} fused; it keeps reading the original node's weights. */
        ConvNode withActivation(Activation act) {
            return new ConvNode(name, layer, descriptor.withActivation(act), init, owner);
        }

        @Override
        Node weightsOwner() {
            return owner;
        }

        @Override
        List<Param> params() {
            if (owner != this) {
                return List.of();
            }
            int taps = descriptor.kernelH() * descriptor.kernelW();
            List<Param> ps = new ArrayList<>();
            ps.add(new Param("kernel", descriptor.weightShape(), init,
                    descriptor.input().c() / descriptor.groups() * taps, descriptor.filters() * taps));
            if (descriptor.bias()) {
                ps.add(new Param("bias", descriptor.biasShape(), Initializer.ZEROS, 1, 1));
            }
            return ps;
        }

        @Override
        int[] window() {
            return new int[] {(descriptor.kernelH() - 1) * descriptor.dilationH() + 1, descriptor.strideH()};
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            List<Tensor> w = run.weights(this);
            run.plan(this, () -> run.engine().planConvolution(descriptor.withBatch(run.batch()), w.get(0),
                    descriptor.bias() ? w.get(1) : null)).execute(x, y);
            return y;
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
            return backward(run, x, y, dy, grads, needDx, false);
        }

        /** With {@code preActivation}, {@code dy} is already the gradient of the output before the activation. */
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx,
                        boolean preActivation) {
            ConvolutionDescriptor d = descriptor.withBatch(run.batch());
            Tensor dz = dy;
            if (d.activation() != Activation.NONE && !preActivation) {
                dz = run.allocate(output);
                run.engine().activationBackward(d.activation(), y, dy, dz);
            }
            run.engine().convolutionBackwardWeights(d, x, dz, grads.get(0), d.bias() ? grads.get(1) : null);
            if (!needDx) {
                return null;
            }
            Tensor dx = run.allocate(input);
            run.engine().convolutionBackwardData(d, run.weights(this).get(0), dz, dx);
            return dx;
        }
    }
}
