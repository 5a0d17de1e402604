package dev.fovea.nn;

import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Max, average and global pooling; summaries show Keras' names ({@code MaxPooling2D}, {@code AveragePooling2D},
 * {@code GlobalAveragePooling2D}, {@code GlobalMaxPooling2D}).
 *
 * <pre>{@code
 * Pooling2D.max(2)                                            // Keras MaxPooling2D((2, 2))
 * Pooling2D.max(3).stride(2).ceilMode(true)                   // GoogLeNet's 3×3/2, rounding up
 * Pooling2D.average(3).stride(1).padding(Padding.SAME)
 * Pooling2D.globalAverage()
 * }</pre>
 */
public final class Pooling2D extends Layer {
    private final PoolingParams params;

    private Pooling2D(String name, PoolingParams params) {
        super(name);
        this.params = params;
    }

    /** k×k max pooling, stride k, VALID. */
    public static Pooling2D max(int k) {
        return new Pooling2D(null, PoolingParams.of(PoolingMode.MAX, k, k));
    }

    public static Pooling2D max(int kh, int kw) {
        return new Pooling2D(null, PoolingParams.of(PoolingMode.MAX, kh, kw));
    }

    /** k×k average pooling, stride k, VALID, padding not counted. */
    public static Pooling2D average(int k) {
        return new Pooling2D(null, PoolingParams.of(PoolingMode.AVERAGE, k, k));
    }

    public static Pooling2D average(int kh, int kw) {
        return new Pooling2D(null, PoolingParams.of(PoolingMode.AVERAGE, kh, kw));
    }

    public static Pooling2D globalMax() {
        return new Pooling2D(null, PoolingParams.global(PoolingMode.MAX));
    }

    public static Pooling2D globalAverage() {
        return new Pooling2D(null, PoolingParams.global(PoolingMode.AVERAGE));
    }

    /** The pooling with the given attributes. */
    public static Pooling2D of(PoolingParams params) {
        return new Pooling2D(null, params);
    }

    public Pooling2D stride(int s) {
        return new Pooling2D(name(), params.withStride(s, s));
    }

    public Pooling2D stride(int sh, int sw) {
        return new Pooling2D(name(), params.withStride(sh, sw));
    }

    public Pooling2D padding(Padding p) {
        return new Pooling2D(name(), params.withPadding(p));
    }

    public Pooling2D ceilMode(boolean ceil) {
        return new Pooling2D(name(), params.withCeilMode(ceil));
    }

    public Pooling2D countIncludePad(boolean include) {
        return new Pooling2D(name(), params.withCountIncludePad(include));
    }

    /** Reads every {@code dh}-th row and {@code dw}-th column inside a window (ONNX's {@code dilations}). */
    public Pooling2D dilation(int dh, int dw) {
        return new Pooling2D(name(), params.withDilation(dh, dw));
    }

    public Pooling2D name(String name) {
        return new Pooling2D(name, params);
    }

    public PoolingParams params() {
        return params;
    }

    @Override
    public String type() {
        String kind = params.mode() == PoolingMode.MAX ? "Max" : "Average";
        return params.global() ? "Global" + kind + "Pooling2D" : kind + "Pooling2D";
    }

    @Override
    String autoNamePrefix() {
        String kind = params.mode() == PoolingMode.MAX ? "max" : "average";
        return params.global() ? "global_" + kind + "_pooling2d" : kind + "_pooling2d";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        PoolingDescriptor d = PoolingDescriptor.create(subject(type(), nodeName), input, layout, params);
        return new PoolNode(nodeName, this, d);
    }

    static final class PoolNode extends StridedNode {
        final PoolingDescriptor descriptor;

        PoolNode(String name, Layer layer, PoolingDescriptor d) {
            super(name, layer, d.input(), d.output());
            this.descriptor = d;
        }

        @Override
        int[] window() {
            return new int[] {(descriptor.kernelH() - 1) * descriptor.dilationH() + 1, descriptor.strideH()};
        }

        @Override
        boolean isGlobal() {
            return ((Pooling2D) layer).params.global();
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            run.engine().poolingForward(descriptor.withBatch(run.batch()), x, y);
            return y;
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
            if (!needDx) {
                return null;
            }
            Tensor dx = run.allocate(input);
            run.engine().poolingBackward(descriptor.withBatch(run.batch()), x, y, dy, dx);
            return dx;
        }
    }
}
