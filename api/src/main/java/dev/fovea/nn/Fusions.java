package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;

/**
 * The rewrite rules compiling applies to a model's graph before it runs: most rules look at a layer and the one
 * layer that reads its output (and nothing else does), and may replace the pair with one node. The rules, in
 * order:
 * <ol>
 *   <li>batch normalization folded into the convolution before it (weights scaled, a bias added);</li>
 *   <li>{@code x · sigmoid(x)} (a sigmoid activation layer and a multiply of the same shape reading x and it, in
 *       either order, the sigmoid read by nothing else) as one SiLU activation layer on x, and
 *       {@code x · hardSigmoid(x)} likewise as hard swish: how SiLU and hard swish come out of ONNX exports, two
 *       passes over memory where the next rule makes none;</li>
 *   <li>a channel shuffle, as ONNX exports of ShuffleNet write it (a reshape of {@code [N, C, H, W]} to
 *       {@code [N, g, C/g, H, W]}, a transpose of axes 1 and 2, a reshape back to {@code [N, C, H, W]}, each read
 *       only by the next), as one permutation of the channels: the reshapes would each copy a channels-last tensor
 *       into row-major order and back;</li>
 *   <li>an activation layer fused into the convolution, batch normalization or element-wise op before it;</li>
 *   <li>a convolution and the pooling after it as one plan, where the backend offers that
 *       ({@code planConvolutionPooled}).</li>
 * </ol>
 * Fused nodes read the original layers' weights, so weight changes reach them like any other node.
 */
final class Fusions {
    /** A rule: rewrites one match in {@code steps} (in place) and says whether it found one. */
    record Rule(String name, Rewrite rewrite) {
        /** A rule over a producer and its only consumer ({@code fuse}: the fused node, or null for no match). */
        static Rule pair(String name, BinaryOperator<Node> fuse) {
            return new Rule(name, (steps, outputs) -> fusePair(steps, outputs, fuse));
        }
    }

    /** One rewrite of a step list, given the graph's output values. */
    interface Rewrite {
        boolean once(List<Model.Step> steps, int[] outputs);
    }

    static final List<Rule> INFERENCE = List.of(
            Rule.pair("fold batch normalization into convolution", Fusions::foldBatchNorm),
            new Rule("x · sigmoid(x) as SiLU, x · hardSigmoid(x) as hard swish", Fusions::selfGate),
            new Rule("reshape, transpose, reshape as a channel shuffle", Fusions::channelShuffle),
            Rule.pair("fuse activation", Fusions::fuseActivation),
            Rule.pair("convolution + pooling", Fusions::convPool));

    /**
     * The rules of training graphs ({@link TrainingGraph}); they must not change what the forward pass computes,
     * nor the gradients (training results stay bit for bit those of the unrewritten graph).
     */
    static final List<Rule> TRAINING = List.of(
            Rule.pair("ReLU convolution + max pooling backward", Fusions::reluConvMaxPool));

    private Fusions() {
    }

    /** {@code steps} rewritten by {@code rules} until none applies; the model's own steps are not changed. */
    static List<Model.Step> apply(List<Model.Step> steps, int[] outputs, List<Rule> rules) {
        List<Model.Step> out = new ArrayList<>(steps);
        for (Rule rule : rules) {
            while (rule.rewrite().once(out, outputs)) {
                // again, until the rule finds nothing
            }
        }
        return out;
    }

    /** The first producer–consumer pair {@code fuse} joins, replaced by the fused node; false when none. */
    private static boolean fusePair(List<Model.Step> steps, int[] outputs, BinaryOperator<Node> fuse) {
        for (int k = 0; k < steps.size(); k++) {
            Model.Step producer = steps.get(k);
            int m = onlyConsumer(steps, outputs, producer.output());
            if (m < 0) {
                continue;
            }
            Model.Step consumer = steps.get(m);
            Node fused = fuse.apply(producer.node(), consumer.node());
            if (fused != null) {
                steps.set(m, new Model.Step(fused, producer.inputs(), consumer.output()));
                steps.remove(k);
                return true;
            }
        }
        return false;
    }

    /**
     * The first {@code y = x · gate(x)} replaced by one activation step on x (SiLU for a sigmoid gate, hard swish
     * for a hard sigmoid): a gate activation step whose output is read only by a multiply (no fused activation, no
     * broadcasting) of x and that output.
     */
    private static boolean selfGate(List<Model.Step> steps, int[] outputs) {
        for (int k = 0; k < steps.size(); k++) {
            Model.Step sig = steps.get(k);
            if (!(sig.node() instanceof ActivationLayer.ActivationNode a)) {
                continue;
            }
            Activation gated = switch (a.activation()) {
                case SIGMOID -> Activation.SILU;
                case HARD_SIGMOID -> Activation.HARD_SWISH;
                default -> null;
            };
            if (gated == null) {
                continue;
            }
            int x = sig.inputs()[0];
            int m = onlyReader(steps, outputs, sig.output());
            if (m < 0) {
                continue;
            }
            Model.Step mul = steps.get(m);
            int[] in = mul.inputs();
            if (mul.node() instanceof BinaryNode b && b.descriptor.op() == BinaryOp.MUL
                    && b.descriptor.activation() == Activation.NONE && b.descriptor.sameShapes()
                    && (in[0] == x && in[1] == sig.output() || in[1] == x && in[0] == sig.output())) {
                ActivationLayer layer = ActivationLayer.of(gated);
                Node fused = layer.new ActivationNode(b.name, layer, b.output);
                steps.set(m, new Model.Step(fused, new int[] {x}, mul.output()));
                steps.remove(k);
                return true;
            }
        }
        return false;
    }

    /**
     * The first reshape {@code [N, C, H, W] → [N, g, C/g, H, W]}, transpose {@code (0, 2, 1, 3, 4)} and reshape back
     * to {@code [N, C, H, W]}, each read only by the next, replaced by one {@link ChannelShuffle} step.
     */
    private static boolean channelShuffle(List<Model.Step> steps, int[] outputs) {
        for (int k = 0; k < steps.size(); k++) {
            Model.Step split = steps.get(k);
            Shape in = split.node().input;
            Shape grouped = split.node().output;
            if (!(split.node().layer instanceof Reshape) || in.rank() != 4 || grouped.rank() != 5
                    || grouped.dim(0) != in.dim(0) || (long) grouped.dim(1) * grouped.dim(2) != in.dim(1)
                    || grouped.dim(3) != in.dim(2) || grouped.dim(4) != in.dim(3)) {
                continue;
            }
            int t = onlyConsumer(steps, outputs, split.output());
            if (t < 0 || !(steps.get(t).node().layer instanceof Transpose tr)
                    || !Arrays.equals(tr.perm(), new int[] {0, 2, 1, 3, 4})) {
                continue;
            }
            int m = onlyConsumer(steps, outputs, steps.get(t).output());
            if (m < 0 || !(steps.get(m).node().layer instanceof Reshape) || !steps.get(m).node().output.equals(in)) {
                continue;
            }
            Model.Step merge = steps.get(m);
            Node shuffle = new ChannelShuffle(steps.get(t).node(), in, grouped.dim(1));
            steps.set(m, new Model.Step(shuffle, split.inputs(), merge.output()));
            steps.remove(Math.max(k, t));
            steps.remove(Math.min(k, t));
            return true;
        }
        return false;
    }

    /** The index of the one step reading {@code value} (once, among any inputs), or −1 (none, several, an output). */
    private static int onlyReader(List<Model.Step> steps, int[] outputs, int value) {
        for (int o : outputs) {
            if (o == value) {
                return -1;
            }
        }
        int found = -1;
        for (int i = 0; i < steps.size(); i++) {
            for (int in : steps.get(i).inputs()) {
                if (in == value) {
                    if (found >= 0) {
                        return -1;
                    }
                    found = i;
                }
            }
        }
        return found;
    }

    /** The index of the one step reading {@code value} as its only input, or −1 (several readers, an output). */
    private static int onlyConsumer(List<Model.Step> steps, int[] outputs, int value) {
        for (int o : outputs) {
            if (o == value) {
                return -1;
            }
        }
        int found = -1;
        for (int i = 0; i < steps.size(); i++) {
            for (int in : steps.get(i).inputs()) {
                if (in == value) {
                    if (found >= 0 || steps.get(i).inputs().length != 1) {
                        return -1;
                    }
                    found = i;
                }
            }
        }
        return found;
    }

    private static Node foldBatchNorm(Node producer, Node consumer) {
        if (producer instanceof Conv2D.ConvNode conv && conv.descriptor.activation() == Activation.NONE
                && consumer instanceof BatchNormalization.BatchNormNode bn
                && bn.descriptor.activation() == Activation.NONE) {
            return new FoldedConv(conv, bn, conv.descriptor.withBias(true));
        }
        return null;
    }

    private static Node fuseActivation(Node producer, Node consumer) {
        if (!(consumer instanceof ActivationLayer.ActivationNode a)) {
            return null;
        }
        Activation act = a.activation();
        return switch (producer) {
            case Conv2D.ConvNode c when c.descriptor.activation() == Activation.NONE -> c.withActivation(act);
            case FoldedConv f when f.descriptor.activation() == Activation.NONE -> f.withActivation(act);
            case BatchNormalization.BatchNormNode b when b.descriptor.activation() == Activation.NONE ->
                    b.withActivation(act);
            case BinaryNode b when b.descriptor.activation() == Activation.NONE -> b.withActivation(act);
            default -> null;
        };
    }

    private static Node convPool(Node producer, Node consumer) {
        if (consumer instanceof Pooling2D.PoolNode pool && (producer instanceof Conv2D.ConvNode
                || producer instanceof FoldedConv)) {
            return new ConvPool(producer, pool);
        }
        return null;
    }

    private static Node reluConvMaxPool(Node producer, Node consumer) {
        if (producer instanceof Conv2D.ConvNode conv && conv.descriptor.activation() == Activation.RELU
                && consumer instanceof Pooling2D.PoolNode pool && pool.descriptor.mode() == PoolingMode.MAX) {
            return new ReluConvMaxPool(conv, pool);
        }
        return null;
    }

    /** The weights and bias a convolution node plans with (host tensors, possibly computed into {@code scope}). */
    private static Tensor[] convWeights(Node conv, Run run, TensorScope scope) {
        if (conv instanceof FoldedConv f) {
            return f.folded(run, scope);
        }
        Conv2D.ConvNode c = (Conv2D.ConvNode) conv;
        List<Tensor> w = run.weights(c);
        return new Tensor[] {w.get(0), c.descriptor.bias() ? w.get(1) : null};
    }

    private static ConvolutionDescriptor convDescriptor(Node conv) {
        return conv instanceof FoldedConv f ? f.descriptor : ((Conv2D.ConvNode) conv).descriptor;
    }

    /** A convolution with the batch normalization after it folded into its weights and bias. */
    static final class FoldedConv extends StridedNode {
        final ConvolutionDescriptor descriptor;
        private final Conv2D.ConvNode conv;
        private final BatchNormalization.BatchNormNode bn;

        FoldedConv(Conv2D.ConvNode conv, BatchNormalization.BatchNormNode bn, ConvolutionDescriptor d) {
            super(bn.name, conv.layer, d.input(), d.output());
            this.conv = conv;
            this.bn = bn;
            this.descriptor = d;
        }

        FoldedConv withActivation(Activation act) {
            return new FoldedConv(conv, bn, descriptor.withActivation(act));
        }

        /** {@code kernel[k] · scale[k]} and {@code bias[k] · scale[k] + shift[k]}, computed in double. */
        Tensor[] folded(Run run, TensorScope scope) {
            List<Tensor> cw = run.weights(conv);
            double[][] ss = BatchNormalization.scaleShift(run.weights(bn), bn.epsilon());
            float[] kernel = cw.get(0).toArray();
            float[] bias = conv.descriptor.bias() ? cw.get(1).toArray() : new float[descriptor.filters()];
            int perFilter = kernel.length / descriptor.filters();
            for (int k = 0; k < descriptor.filters(); k++) {
                for (int i = 0; i < perFilter; i++) {
                    kernel[k * perFilter + i] = (float) (kernel[k * perFilter + i] * ss[0][k]);
                }
                bias[k] = (float) (bias[k] * ss[0][k] + ss[1][k]);
            }
            return new Tensor[] {scope.fromArray(kernel, descriptor.weightShape(), Layout.NCHW),
                    scope.fromArray(bias, descriptor.biasShape(), Layout.NCHW)};
        }

        @Override
        int[] window() {
            return conv.window();
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            run.plan(this, () -> {
                try (TensorScope s = new TensorScope()) {
                    Tensor[] w = folded(run, s);
                    return run.engine().planConvolution(descriptor.withBatch(run.batch()), w[0], w[1]);
                }
            }).execute(x, y);
            return y;
        }
    }

    /**
     * Training: a ReLU-activated convolution and the max pooling of its output, run as the two layers. Backward
     * takes ReLU's derivative on the pooled gradient instead of the convolution's: the pooling's gradient reaches
     * only window maxima, where the ReLU's output is the pooled value, so {@code relu'(y_pool) ⊙ dy} is exact and
     * a quarter of the memory traffic (for 2×2 pooling).
     */
    static final class ReluConvMaxPool extends Node {
        private final Conv2D.ConvNode conv;
        private final Pooling2D.PoolNode pool;

        ReluConvMaxPool(Conv2D.ConvNode conv, Pooling2D.PoolNode pool) {
            super(pool.name, pool.layer, conv.input, pool.output);
            this.conv = conv;
            this.pool = pool;
        }

        /** The convolution's weights, so that {@code grads} in backward are the convolution's gradients. */
        @Override
        Node weightsOwner() {
            return conv.weightsOwner();
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor convolved = conv.forward(run, x, null);
            run.save(this, convolved);
            return pool.forward(run, convolved, dst);
        }

        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
            Tensor convolved = (Tensor) run.saved(this);
            Tensor masked = run.allocate(pool.output);
            run.engine().activationBackward(Activation.RELU, y, dy, masked);
            Tensor dConv = pool.backward(run, convolved, y, masked, List.of(), true);
            return conv.backward(run, x, convolved, dConv, grads, needDx, true);
        }
    }

    /** A convolution and the pooling that reads its output: one backend plan where offered, else the two ops. */
    static final class ConvPool extends StridedNode {
        /** The cached "plan" of a backend without the fusion. */
        private static final Plan UNFUSED = (x, y) -> {
            throw new IllegalStateException("not a plan");
        };
        final Node conv;
        final Pooling2D.PoolNode pool;

        ConvPool(Node conv, Pooling2D.PoolNode pool) {
            super(pool.name, pool.layer, conv.input, pool.output);
            this.conv = conv;
            this.pool = pool;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Plan both = run.plan(this, () -> {
                try (TensorScope s = new TensorScope()) {
                    Tensor[] w = convWeights(conv, run, s);
                    Optional<Plan> p = run.engine().planConvolutionPooled(
                            convDescriptor(conv).withBatch(run.batch()), pool.descriptor.withBatch(run.batch()), w[0],
                            w[1]);
                    return p.orElse(UNFUSED);
                }
            });
            if (both == UNFUSED) {
                return pool.forward(run, conv.forward(run, x, null), dst);
            }
            Tensor y = dst != null ? dst : run.allocate(output);
            both.execute(x, y);
            return y;
        }
    }

    /**
     * A channel shuffle: output channel {@code j·g + i} is input channel {@code i·(C/g) + j}. Input and output are seen
     * as {@code [N, g, C/g, H, W]} and {@code [N, C/g, g, H, W]} through their strides ({@link Tensor#splitAxis}),
     * so one backend transpose moves every value once, in whatever layout the tensors have.
     */
    static final class ChannelShuffle extends StridedNode {
        private final int groups;

        ChannelShuffle(Node transpose, Shape shape, int groups) {
            super(transpose.name, transpose.layer, shape, shape);
            this.groups = groups;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            Tensor from = x.splitAxis(1, groups);
            Tensor to = y.splitAxis(1, output.dim(1) / groups);
            run.engine().transposeForward(TransposeDescriptor.create(name, from.shape(), x.layout(),
                    new int[] {0, 2, 1, 3, 4}), from, to);
            return y;
        }
    }
}
