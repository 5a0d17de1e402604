package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;

/**
 * Batch normalization at inference: {@code y = γ · (x − μ) / √(σ² + ε) + β} per channel, with the moving mean
 * {@code μ} and variance {@code σ²} learnt in training. Weights (Keras' names) {@code gamma}, {@code beta},
 * {@code moving_mean}, {@code moving_variance}, each {@code [C]}. When it follows a convolution whose output
 * nothing else reads, compiling folds it into that convolution's weights and bias; otherwise it runs as a
 * per-channel scale and shift.
 */
public final class BatchNormalization extends Layer {
    private final float epsilon;

    private BatchNormalization(String name, float epsilon) {
        super(name);
        this.epsilon = epsilon;
    }

    /** ε = 0.001, as Keras; PyTorch and ONNX use 1e-5 ({@link #epsilon(float)}). */
    public static BatchNormalization create() {
        return new BatchNormalization(null, 1e-3f);
    }

    public BatchNormalization epsilon(float eps) {
        return new BatchNormalization(name(), eps);
    }

    public BatchNormalization name(String name) {
        return new BatchNormalization(name, epsilon);
    }

    public float epsilon() {
        return epsilon;
    }

    @Override
    public String type() {
        return "BatchNormalization";
    }

    @Override
    String autoNamePrefix() {
        return "batch_normalization";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        String subject = subject(type(), nodeName);
        Violations v = new Violations(subject);
        v.check(epsilon > 0 && Float.isFinite(epsilon), "epsilon", "epsilon " + epsilon + " must be finite and > 0");
        v.throwIfAny("input " + input);
        return new BatchNormNode(nodeName, this, ScaleShiftDescriptor.create(subject, input, layout, Activation.NONE),
                null);
    }

    /** Per-channel {@code scale = γ / √(σ² + ε)} and {@code shift = β − μ · scale}, in double. */
    static double[][] scaleShift(List<Tensor> w, float epsilon) {
        float[] gamma = w.get(0).toArray();
        float[] beta = w.get(1).toArray();
        float[] mean = w.get(2).toArray();
        float[] var = w.get(3).toArray();
        double[] scale = new double[gamma.length];
        double[] shift = new double[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = gamma[c] / Math.sqrt((double) var[c] + epsilon);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new double[][] {scale, shift};
    }

    static final class BatchNormNode extends Node {
        final ScaleShiftDescriptor descriptor;
        private final Node owner;

        BatchNormNode(String name, Layer layer, ScaleShiftDescriptor d, Node owner) {
            super(name, layer, d.input(), d.output());
            this.descriptor = d;
            this.owner = owner == null ? this : owner;
        }

        float epsilon() {
            return ((BatchNormalization) layer).epsilon;
        }

        /** This node with {@code act} fused; it keeps reading the original node's weights. */
        BatchNormNode withActivation(Activation act) {
            return new BatchNormNode(name, layer, descriptor.withActivation(act), owner);
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
            Shape c = descriptor.parameterShape();
            return List.of(new Param("gamma", c, Initializer.ONES, 1, 1), new Param("beta", c, Initializer.ZEROS, 1, 1),
                    new Param("moving_mean", c, Initializer.ZEROS, 1, 1),
                    new Param("moving_variance", c, Initializer.ONES, 1, 1));
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            ScaleShiftDescriptor d = descriptor.withBatch(run.batch());
            run.plan(this, () -> {
                double[][] ss = scaleShift(run.weights(this), epsilon());
                try (TensorScope s = new TensorScope()) {
                    return run.engine().planScaleShift(d, s.fromArray(toFloat(ss[0]), d.parameterShape(), Layout.NCHW),
                            s.fromArray(toFloat(ss[1]), d.parameterShape(), Layout.NCHW));
                }
            }).execute(x, y);
            return y;
        }
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
