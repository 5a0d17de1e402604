package dev.fovea.nn;

import dev.fovea.op.LrnDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Cross-channel local response normalization, as AlexNet and Caffe's GoogLeNet use it:
 * {@code y = x / (bias + alpha / size · Σ x²)^beta} over {@code size} neighbouring channels (see
 * {@link LrnDescriptor}). {@code LocalResponseNormalization.of(5, 1e-4f, 0.75f, 1f)} is AlexNet's.
 */
public final class LocalResponseNormalization extends Layer {
    private final int size;
    private final float alpha;
    private final float beta;
    private final float bias;

    private LocalResponseNormalization(String name, int size, float alpha, float beta, float bias) {
        super(name);
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
    }

    public static LocalResponseNormalization of(int size, float alpha, float beta, float bias) {
        return new LocalResponseNormalization(null, size, alpha, beta, bias);
    }

    public LocalResponseNormalization name(String name) {
        return new LocalResponseNormalization(name, size, alpha, beta, bias);
    }

    public int size() {
        return size;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float bias() {
        return bias;
    }

    @Override
    public String type() {
        return "LocalResponseNormalization";
    }

    @Override
    String autoNamePrefix() {
        return "local_response_normalization";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        LrnDescriptor d = LrnDescriptor.create(subject(type(), nodeName), input, layout, size, alpha, beta, bias);
        return new StridedNode(nodeName, this, input, input) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().lrnForward(d.withBatch(run.batch()), x, y);
                return y;
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor dx = run.allocate(input);
                run.engine().lrnBackward(d.withBatch(run.batch()), x, dy, dx);
                return dx;
            }
        };
    }
}
