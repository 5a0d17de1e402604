package dev.fovea.nn;

import dev.fovea.op.ClampDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Element-wise {@code y = min(max(alpha · x + beta, min), max)}: ONNX's {@code Clip} ({@code Clip.of(lo, hi)})
 * and {@code HardSigmoid} with any slope ({@code Clip.affine(alpha, beta, 0, 1)}). For ReLU6 and PyTorch's
 * hard sigmoid prefer {@link ActivationLayer} with {@code RELU6} / {@code HARD_SIGMOID}, which fuse into the
 * layer before them.
 */
public final class Clip extends Layer {
    private final float alpha;
    private final float beta;
    private final float min;
    private final float max;

    private Clip(String name, float alpha, float beta, float min, float max) {
        super(name);
        this.alpha = alpha;
        this.beta = beta;
        this.min = min;
        this.max = max;
    }

    /** Values limited to {@code [min, max]} (either may be infinite). */
    public static Clip of(float min, float max) {
        return new Clip(null, 1, 0, min, max);
    }

    /** {@code min(max(alpha · x + beta, min), max)}. */
    public static Clip affine(float alpha, float beta, float min, float max) {
        return new Clip(null, alpha, beta, min, max);
    }

    public Clip name(String name) {
        return new Clip(name, alpha, beta, min, max);
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    @Override
    public String type() {
        return "Clip";
    }

    @Override
    String autoNamePrefix() {
        return "clip";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        ClampDescriptor d = ClampDescriptor.create(subject(type(), nodeName), input, layout, alpha, beta, min, max);
        return new StridedNode(nodeName, this, input, input) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().clampForward(d.withBatch(run.batch()), x, y);
                return y;
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor dx = run.allocate(input);
                run.engine().clampBackward(d.withBatch(run.batch()), x, dy, dx);
                return dx;
            }
        };
    }
}
