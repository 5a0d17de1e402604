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
 * Batch normalization: {@code y = γ · (x − μ) / √(σ² + ε) + β} per channel. Weights (Keras' names) {@code gamma},
 * {@code beta}, {@code moving_mean}, {@code moving_variance}, each {@code [C]}.
 *
 * <p>At inference {@code μ} and {@code σ²} are the moving averages. When it follows a convolution whose output
 * nothing else reads, compiling folds it into that convolution's weights and bias; otherwise it runs as a
 * per-channel scale and shift.
 *
 * <p>In a training pass {@code μ} and {@code σ²} are the mean and biased variance of the whole batch over N, H, W
 * (one backend op over the batch tensor, so the statistics never depend on how the backend splits the work between
 * threads), the gradient flows through them, and each pass updates the moving averages as Keras does:
 * {@code moving = momentum · moving + (1 − momentum) · batch} (momentum 0.99 by default, the batch's biased
 * variance). The moving statistics are not learned by the optimizer. A frozen layer (transfer learning) stays in
 * inference form and keeps its moving statistics.
 */
public final class BatchNormalization extends Layer {
    private final float epsilon;
    private final float momentum;

    private BatchNormalization(String name, float epsilon, float momentum) {
        super(name);
        this.epsilon = epsilon;
        this.momentum = momentum;
    }

    /** ε = 0.001 and momentum 0.99, as Keras; PyTorch and ONNX use ε 1e-5 and momentum 0.9 in these terms. */
    public static BatchNormalization create() {
        return new BatchNormalization(null, 1e-3f, 0.99f);
    }

    public BatchNormalization epsilon(float eps) {
        return new BatchNormalization(name(), eps, momentum);
    }

    /** The weight of the old moving statistics in each training update, in [0, 1) (PyTorch's 0.1 is 0.9 here). */
    public BatchNormalization momentum(float m) {
        return new BatchNormalization(name(), epsilon, m);
    }

    public BatchNormalization name(String name) {
        return new BatchNormalization(name, epsilon, momentum);
    }

    public float epsilon() {
        return epsilon;
    }

    public float momentum() {
        return momentum;
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
        v.check(momentum >= 0 && momentum < 1, "momentum", "momentum " + momentum + " must be in [0, 1)");
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

    static final class BatchNormNode extends StridedNode {
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
                    new Param("moving_mean", c, Initializer.ZEROS, 1, 1, false),
                    new Param("moving_variance", c, Initializer.ONES, 1, 1, false));
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            if (run.isTraining() && !run.isFrozen(this)) {
                return trainingForward(run, x, dst);
            }
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

        /**
         * Normalizes with the batch's statistics, keeps them for the backward pass and moves the moving averages
         * toward them.
         */
        private Tensor trainingForward(Run run, Tensor x, Tensor dst) {
            ScaleShiftDescriptor d = descriptor.withBatch(run.batch());
            Shape c = d.parameterShape();
            int channels = c.dim(0);
            List<Tensor> w = run.weights(this);
            float[] mu;
            float[] var;
            try (TensorScope s = new TensorScope()) {
                Tensor mean = s.allocate(c, Layout.NCHW);
                Tensor variance = s.allocate(c, Layout.NCHW);
                run.engine().batchNormStatistics(d, x, mean, variance);
                mu = mean.toArray();
                var = variance.toArray();
            }
            float[] gamma = w.get(0).toArray();
            float[] beta = w.get(1).toArray();
            float[] inv = new float[channels];
            float[] scale = new float[channels];
            float[] shift = new float[channels];
            for (int k = 0; k < channels; k++) {
                inv[k] = (float) (1 / Math.sqrt((double) var[k] + epsilon()));
                scale[k] = (float) ((double) gamma[k] * inv[k]);
                shift[k] = (float) (beta[k] - (double) mu[k] * scale[k]);
            }
            Tensor y = dst != null ? dst : run.allocate(output);
            try (TensorScope s = new TensorScope();
                 var plan = run.engine().planScaleShift(d, s.fromArray(scale, c, Layout.NCHW),
                         s.fromArray(shift, c, Layout.NCHW))) {
                plan.execute(x, y);
            }
            run.save(this, new float[][] {mu, inv});
            float m = ((BatchNormalization) layer).momentum;
            updateMoving(w.get(2), mu, m);
            updateMoving(w.get(3), var, m);
            return y;
        }

        private static void updateMoving(Tensor moving, float[] batch, float momentum) {
            float[] old = moving.toArray();
            for (int k = 0; k < old.length; k++) {
                old[k] = (float) (momentum * (double) old[k] + (1 - (double) momentum) * batch[k]);
            }
            moving.copyFrom(old);
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
            ScaleShiftDescriptor d = descriptor.withBatch(run.batch());
            if (d.activation() != Activation.NONE) {
                throw new IllegalStateException(layer.type() + " '" + name + "': training graphs keep the activation"
                        + " after batch normalization as its own layer");
            }
            List<Tensor> w = run.weights(this);
            Object saved = run.saved(this);
            if (!(saved instanceof float[][] stats)) {
                // A frozen layer ran in inference form: a per-channel scale, whose gradient is dy · scale.
                Tensor dx = needDx ? run.allocate(input) : null;
                if (dx != null) {
                    double[][] ss = scaleShift(w, epsilon());
                    try (TensorScope s = new TensorScope();
                         var plan = run.engine().planScaleShift(d, s.fromArray(toFloat(ss[0]), d.parameterShape(),
                                 Layout.NCHW), s.fromArray(new float[ss[0].length], d.parameterShape(), Layout.NCHW))) {
                        plan.execute(dy, dx);
                    }
                }
                for (Tensor g : grads) {
                    TrainingGraph.zero(run, g);
                }
                return dx;
            }
            // dx is always computed: the backend writes it with the parameter gradients in one pass.
            Tensor dx = run.allocate(input);
            try (TensorScope s = new TensorScope()) {
                Shape c = d.parameterShape();
                run.engine().batchNormBackward(d, x, dy, s.fromArray(stats[0], c, Layout.NCHW),
                        s.fromArray(stats[1], c, Layout.NCHW), w.get(0), dx, grads.get(0), grads.get(1));
            }
            TrainingGraph.zero(run, grads.get(2));
            TrainingGraph.zero(run, grads.get(3));
            return needDx ? dx : null;
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
