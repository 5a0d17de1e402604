package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model prepared for training on one engine: reverse-mode differentiation above the backend SPI. A training
 * {@link Pass} keeps every layer's input and output (and dropout masks); {@link Pass#backward} walks the layers
 * in reverse and writes the gradient of every parameter into {@link #gradients()}. A convolution kernel is shared
 * by all output positions, so its gradient is the sum over positions (and batch items) — the backend's
 * {@code convolutionBackwardFilter} computes exactly that sum; a concat's input receives the sum of its
 * branches' gradients.
 *
 * <pre>{@code
 * try (Trainable t = Trainable.of(model, engine); Trainable.Pass pass = t.forward(x, true, true, seed)) {
 *     Tensor dLogits = pass.allocate(pass.output().shape());
 *     engine.softmaxCrossEntropy(pass.output(), labels, 1f / n, dLogits);
 *     pass.backward(dLogits);          // t.gradients() now holds dL/dW for every weight
 * }
 * t.weightsChanged();                   // after updating the model's weights
 * }</pre>
 *
 * <p>Not thread-safe: one pass at a time. The weights are the model's own host tensors; call
 * {@link #weightsChanged()} after changing them so the next pass re-plans with the new values.
 *
 * <p>Speed: a pass's activations and gradients are kept after it closes and handed to the next pass of the same
 * batch size (a training loop allocates nothing per step; the tensors of a closed pass must not be used), and a
 * ReLU-activated convolution followed by max pooling takes the ReLU's derivative on the pooled gradient, which is
 * exact (the pooling's gradient only reaches window maxima) and four times smaller.
 */
public final class Trainable implements AutoCloseable {
    private final Model model;
    private final Engine engine;
    private final Inference inference;
    private final TensorScope gradientScope = new TensorScope();
    private final Map<Node, List<Tensor>> gradients = new LinkedHashMap<>();
    private final Map<String, Tensor> namedGradients = new LinkedHashMap<>();
    /** Activations and gradients kept from pass to pass, per batch size. */
    private final Map<Integer, Workspace> workspaces = new HashMap<>();

    private Trainable(Model model, Engine engine) {
        if (!model.isChain()) {
            throw new UnsupportedOperationException("model '" + model.name() + "' is a graph with branches or"
                    + " merges outside concat layers; training supports chains of layers (Sequential models) so far");
        }
        this.model = model;
        this.engine = engine;
        this.inference = new Inference(model, engine, Inference.DEFAULT_CACHED_BATCH_SIZES);
        List<Node> all = new ArrayList<>();
        collect(model.nodes(), all);
        for (Node n : all) {
            List<Tensor> gs = new ArrayList<>();
            for (Param p : n.params()) {
                Tensor g = engine.allocate(p.shape(), Layout.NCHW, gradientScope);
                gs.add(g);
                namedGradients.put(n.name + "." + p.name(), g);
            }
            gradients.put(n, gs);
        }
    }

    /**
     * Prepares {@code model} for training on {@code engine}; throws {@link UnsupportedOperationException} when
     * the backend has no backward ops, naming it.
     */
    public static Trainable of(Model model, Engine engine) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(engine, "engine");
        model.checkOpen();
        if (!engine.supportsTraining()) {
            throw new UnsupportedOperationException("backend '" + engine.name() + "' has no backward ops (it lacks"
                    + " Capability.TRAINING), so model '" + model.name() + "' cannot be trained on it; use a backend"
                    + " that has them, e.g. --backend reference");
        }
        return new Trainable(model, engine);
    }

    public Model model() {
        return model;
    }

    public Engine engine() {
        return engine;
    }

    /** Whether the model's output is a softmax (a {@code Dense(...).softmax()} or a {@code Softmax} layer). */
    public boolean endsWithSoftmax() {
        Node last = model.nodes().getLast();
        return last instanceof Dense.DenseNode d && d.softmax || last.layer instanceof Softmax;
    }

    /** Gradient tensors (engine memory) by weight name, in {@link Model#namedWeights()} order. */
    public Map<String, Tensor> gradients() {
        return namedGradients;
    }

    /**
     * Drops the plans made with the old weights; call after every update of the model's weights. The same as
     * {@link Model#weightsChanged()}, so inferences compiled from the model see the new weights too.
     */
    public void weightsChanged() {
        model.weightsChanged();
    }

    /**
     * Runs the model on the host batch {@code x} ({@code [N, C, H, W]}, any layout).
     *
     * @param training dropout active and activations kept for {@link Pass#backward}; false for evaluation
     * @param logits   stop before a final softmax so a fused softmax cross-entropy loss can take the logits
     *                 (ignored when the model does not end in one)
     * @param seed     seed of this pass's dropout masks
     */
    public Pass forward(Tensor x, boolean training, boolean logits, long seed) {
        int n = x.shape().n();
        Shape expected = model.inputShape(n);
        Violations v = new Violations("model '" + model.name() + "'");
        v.check(x.shape().equals(expected), "input", "input shape " + x.shape() + " != expected " + expected);
        v.throwIfAny("training forward");
        return new Pass(x, training, logits && endsWithSoftmax(), seed);
    }

    @Override
    public void close() {
        inference.close();
        for (Workspace w : workspaces.values()) {
            w.close();
        }
        workspaces.clear();
        gradientScope.close();
    }

    /**
     * One forward pass and, in training mode, its backward pass. Close it to release its activations: they are
     * kept for the next pass of the same batch size, which overwrites them.
     */
    public final class Pass implements AutoCloseable {
        /** Memory of a pass that could not use its batch size's workspace (another pass holds it). */
        private final TensorScope scope;
        private final Workspace workspace;
        /** This pass's plans, held until it closes so that a re-plan cannot close them mid-pass. */
        private final Inference.Plans plans;
        private final Run run;
        private final boolean training;
        private final boolean logits;
        private final List<Entry> tape = new ArrayList<>();
        private final Tensor output;
        private boolean backwardDone;
        private boolean closed;

        private Pass(Tensor x, boolean training, boolean logits, long seed) {
            this.training = training;
            this.logits = logits;
            int n = x.shape().n();
            plans = inference.acquire(n);
            Workspace w = workspaces.computeIfAbsent(n, k -> new Workspace(engine));
            if (w.begin()) {
                workspace = w;
                scope = null;
            } else {
                workspace = null;
                scope = new TensorScope();
            }
            run = new Run(inference, plans, scope, n).workspace(workspace);
            if (training) {
                run.training(new SplittableRandom(seed));
            }
            try {
                Tensor in = allocate(model.inputShape(n));
                engine.copy(x, in);
                output = forward(model.nodes(), in, null, tape, logits);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        /** The model's output in engine memory: the logits when the final softmax is left to the loss. */
        public Tensor output() {
            return output;
        }

        /** Whether {@link #output()} holds logits, the model's final softmax not applied. */
        public boolean isLogits() {
            return logits;
        }

        /** A tensor in engine memory that lives as long as this pass (for a loss's gradient). */
        public Tensor allocate(Shape shape) {
            return workspace != null ? workspace.take(shape, model.layout()) : engine.allocate(shape, model.layout(),
                    scope);
        }

        /**
         * Back-propagates {@code dOutput} (the loss gradient with respect to {@link #output()}, same shape) and
         * writes every parameter's gradient into {@link Trainable#gradients()}. Once per pass.
         */
        public void backward(Tensor dOutput) {
            if (!training) {
                throw new IllegalStateException("backward needs a pass made with training = true");
            }
            if (backwardDone) {
                throw new IllegalStateException("backward was already run for this pass");
            }
            Violations v = new Violations("model '" + model.name() + "' backward");
            v.check(dOutput.shape().equals(output.shape()), "dOutput", "gradient shape " + dOutput.shape()
                    + " != output shape " + output.shape());
            v.throwIfAny("");
            backwardDone = true;
            backward(tape, dOutput, false);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            inference.release(plans);
            if (workspace != null) {
                workspace.end();
            } else {
                scope.close();
            }
        }

        private Tensor forward(List<Node> nodes, Tensor x, Tensor lastDst, List<Entry> entries, boolean fuse) {
            Tensor t = x;
            for (int i = 0; i < nodes.size(); i++) {
                Node node = nodes.get(i);
                boolean last = i == nodes.size() - 1;
                Tensor dst = last ? lastDst : null;
                Tensor in = t;
                if (last && fuse && node.layer instanceof Softmax) {
                    entries.add(new Entry(node, in, in, List.of(), true));
                    continue;
                }
                if (last && fuse && node instanceof Dense.DenseNode d) {
                    t = d.forwardLogits(run, in);
                    entries.add(new Entry(node, in, t, List.of(), true));
                } else if (node instanceof Concat.ConcatNode c && training) {
                    Tensor y = dst != null ? dst : run.allocate(node.output);
                    List<List<Entry>> subs = new ArrayList<>();
                    int offset = 0;
                    for (List<Node> branch : c.branches()) {
                        List<Entry> sub = new ArrayList<>();
                        int channels = branch.getLast().output.c();
                        forward(branch, in, y.channelSlice(offset, channels), sub, false);
                        subs.add(sub);
                        offset += channels;
                    }
                    t = y;
                    entries.add(new Entry(node, in, y, subs, false));
                } else {
                    t = node.forward(run, in, dst);
                    if (training) {
                        entries.add(new Entry(node, in, t, List.of(), false));
                    }
                }
            }
            return t;
        }

        /** Returns the gradient of the entries' first input (null unless {@code needDx}). */
        private Tensor backward(List<Entry> entries, Tensor dy, boolean needDx) {
            Tensor d = dy;
            boolean preActivation = false;
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
                boolean wantDx = i > 0 || needDx;
                boolean masked = false;
                if (e.node instanceof Concat.ConcatNode c) {
                    d = concatBackward(c, e, d, wantDx);
                } else if (e.fused && e.node.layer instanceof Softmax) {
                    // dy is already the gradient of the softmax's input (fused loss).
                } else if (e.fused) {
                    d = ((Dense.DenseNode) e.node).backward(run, e.x, e.y, d, gradients.get(e.node), wantDx, true);
                } else if (e.node instanceof Conv2D.ConvNode conv) {
                    d = conv.backward(run, e.x, e.y, d, gradients.get(e.node), wantDx, preActivation);
                } else if (wantDx && reluBeforeMaxPool(entries, i)) {
                    // ReLU then max pooling: the pooling's gradient reaches only window maxima, where the ReLU's
                    // output is the pooled value, so ReLU's derivative can be applied to the small pooled gradient
                    // (relu'(y_pool) ⊙ dy) instead of the large convolution output: the same values, a quarter of
                    // the memory traffic.
                    Tensor dm = run.allocate(e.node.output);
                    engine.activationBackward(Activation.RELU, e.y, d, dm);
                    d = e.node.backward(run, e.x, e.y, dm, gradients.get(e.node), true);
                    masked = true;
                } else {
                    d = e.node.backward(run, e.x, e.y, d, gradients.get(e.node), wantDx);
                }
                preActivation = masked;
                if (!wantDx) {
                    return null;
                }
            }
            return d;
        }

        /** Whether entry i is a max pooling of the output of a ReLU-activated convolution at entry i − 1. */
        private static boolean reluBeforeMaxPool(List<Entry> entries, int i) {
            return i > 0 && entries.get(i).node instanceof Pooling2D.PoolNode pool
                    && pool.descriptor.mode() == PoolingMode.MAX
                    && entries.get(i - 1).node instanceof Conv2D.ConvNode conv
                    && conv.descriptor.activation() == Activation.RELU && entries.get(i - 1).y == entries.get(i).x;
        }

        private Tensor concatBackward(Concat.ConcatNode c, Entry e, Tensor dy, boolean needDx) {
            Tensor sum = null;
            int offset = 0;
            for (int b = 0; b < c.branches().size(); b++) {
                int channels = c.branches().get(b).getLast().output.c();
                Tensor dx = backward(e.branches.get(b), dy.channelSlice(offset, channels), needDx);
                offset += channels;
                if (!needDx) {
                    continue;
                }
                if (sum == null) {
                    sum = run.allocate(c.input);
                    engine.copy(dx, sum);
                } else {
                    addInto(sum, dx);
                }
            }
            return sum;
        }
    }

    /** {@code acc += t} on host memory (both the concat input's shape). */
    private static void addInto(Tensor acc, Tensor t) {
        if (!acc.isHost() || !t.isHost()) {
            throw new UnsupportedOperationException("training a concat on device memory needs an element-wise add"
                    + " op, which the backend SPI does not have yet");
        }
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED;
        MemorySegment a = acc.buffer();
        MemorySegment b = t.buffer();
        int[] dims = acc.shape().dims();
        int[] pos = new int[dims.length];
        for (long k = 0, total = acc.shape().elementCount(); k < total; k++) {
            long ai = acc.offset();
            long bi = t.offset();
            for (int i = 0; i < dims.length; i++) {
                ai += pos[i] * acc.stride(i);
                bi += pos[i] * t.stride(i);
            }
            a.setAtIndex(f, ai, a.getAtIndex(f, ai) + b.getAtIndex(f, bi));
            for (int i = dims.length - 1; i >= 0; i--) {
                if (++pos[i] < dims[i]) {
                    break;
                }
                pos[i] = 0;
            }
        }
    }

    private static void collect(List<Node> ns, List<Node> out) {
        for (Node n : ns) {
            for (List<Node> b : n.branches()) {
                collect(b, out);
            }
            out.add(n);
        }
    }

    /** What one layer's backward needs: its input and output, and for a concat the tapes of its branches. */
    private record Entry(Node node, Tensor x, Tensor y, List<List<Entry>> branches, boolean fused) {
    }
}
