package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model prepared for training on one engine: reverse-mode differentiation above the backend SPI. A training
 * {@link Pass} keeps every value of the model's graph (each layer's inputs and output, and dropout masks);
 * {@link Pass#backward} walks the graph's steps in reverse, each layer computing its own backward pass, and writes
 * the gradient of every parameter into {@link #gradients()}. A convolution kernel is shared by all output
 * positions, so its gradient is the sum over positions (and batch items) — the backend's
 * {@code convolutionBackwardFilter} computes exactly that sum; likewise a value read by several layers (a residual
 * connection's input, a concat's input) receives the sum of their gradients. Models with one input and one output
 * are supported; layers without a backward pass throw, naming the layer.
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
 * exact (the pooling's gradient only reaches window maxima) and four times smaller (a training rewrite rule).
 */
public final class Trainable implements AutoCloseable {
    private final Model model;
    private final Engine engine;
    private final Inference inference;
    private final TensorScope gradientScope = new TensorScope();
    private final Map<Node, List<Tensor>> gradients = new LinkedHashMap<>();
    /** Gradients of the weights the optimizer learns: trainable parameters of layers that are not frozen. */
    private final Map<String, Tensor> namedGradients = new LinkedHashMap<>();
    private final Map<String, Tensor> learnedWeights = new LinkedHashMap<>();
    private final java.util.Set<Node> frozen = new java.util.HashSet<>();
    /** Activations and gradients kept from pass to pass, per batch size. */
    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    /** The model's graph prepared for training. */
    private final TrainingGraph graph;
    /** The graph with the final softmax left to the loss (the output is the logits); null without one. */
    private final TrainingGraph logitsGraph;

    private Trainable(Model model, Engine engine, java.util.Set<String> frozenLayers) {
        if (model.inputs().size() != 1 || model.outputCount() != 1) {
            throw new UnsupportedOperationException("model '" + model.name() + "' has " + model.inputs().size()
                    + " inputs and " + model.outputCount() + " outputs; training supports models with one input and"
                    + " one output so far");
        }
        this.model = model;
        this.engine = engine;
        this.inference = new Inference(model, engine, Inference.DEFAULT_CACHED_BATCH_SIZES);
        List<Node> all = new ArrayList<>();
        collect(model.nodes(), all);
        for (Node n : all) {
            if (frozenLayers.contains(n.name)) {
                frozen.add(n);
            }
        }
        int output = model.outputValues()[0];
        this.graph = new TrainingGraph(model.steps(), 1, output, frozen);
        this.logitsGraph = withoutSoftmax(model.steps(), output, frozen);
        Map<String, Tensor> weights = model.namedWeights();
        for (Node n : all) {
            List<Tensor> gs = new ArrayList<>();
            for (Param p : n.params()) {
                Tensor g = engine.allocate(p.shape(), Layout.NCHW, gradientScope);
                gs.add(g);
                if (p.trainable() && !frozen.contains(n)) {
                    String name = n.name + "." + p.name();
                    namedGradients.put(name, g);
                    learnedWeights.put(name, weights.get(name));
                }
            }
            gradients.put(n, gs);
        }
    }

    /**
     * Prepares {@code model} for training on {@code engine}; throws {@link UnsupportedOperationException} when
     * the backend has no backward ops, naming it.
     */
    public static Trainable of(Model model, Engine engine) {
        return of(model, engine, java.util.Set.of());
    }

    /**
     * Prepares {@code model} for training with the weights of the layers named in {@code frozenLayers} left as they
     * are (their gradients are not handed to the optimizer; their batch normalization keeps its moving statistics);
     * an unknown name throws {@link dev.fovea.op.ValidationException} naming it.
     */
    public static Trainable of(Model model, Engine engine, java.util.Set<String> frozenLayers) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(engine, "engine");
        java.util.Objects.requireNonNull(frozenLayers, "frozenLayers");
        model.checkOpen();
        List<Node> all = new ArrayList<>();
        collect(model.nodes(), all);
        java.util.Set<String> names = new java.util.HashSet<>();
        all.forEach(n -> names.add(n.name));
        Violations v = new Violations("model '" + model.name() + "'");
        for (String f : frozenLayers) {
            v.check(names.contains(f), "frozenLayers", "no layer named '" + f + "' to freeze");
        }
        v.throwIfAny("training");
        if (!engine.supportsTraining()) {
            throw new UnsupportedOperationException("backend '" + engine.name() + "' has no backward ops (it lacks"
                    + " Capability.TRAINING), so model '" + model.name() + "' cannot be trained on it; use a backend"
                    + " that has them, e.g. --backend reference");
        }
        return new Trainable(model, engine, frozenLayers);
    }

    public Model model() {
        return model;
    }

    public Engine engine() {
        return engine;
    }

    /** Whether the model's output is a softmax (a {@code Dense(...).softmax()} or a {@code Softmax} layer). */
    public boolean endsWithSoftmax() {
        return logitsGraph != null;
    }

    /** The training graph whose output step computes the logits instead of the softmax, or null. */
    private static TrainingGraph withoutSoftmax(List<Model.Step> steps, int output, java.util.Set<Node> frozen) {
        List<Model.Step> out = new ArrayList<>(steps);
        for (int k = 0; k < out.size(); k++) {
            Model.Step s = out.get(k);
            if (s.output() == output) {
                Node logits = s.node().withoutSoftmax();
                if (logits == null) {
                    return null;
                }
                out.set(k, new Model.Step(logits, s.inputs(), s.output()));
                return new TrainingGraph(out, 1, output, frozen);
            }
        }
        return null;
    }

    /**
     * Gradient tensors (engine memory) of the weights the optimizer learns, by weight name, in
     * {@link Model#namedWeights()} order: not batch normalization's moving statistics, nor frozen layers' weights.
     */
    public Map<String, Tensor> gradients() {
        return namedGradients;
    }

    /** The model's weight tensors the optimizer learns, with the same names as {@link #gradients()}. */
    public Map<String, Tensor> learnedWeights() {
        return learnedWeights;
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
        private final TrainingGraph passGraph;
        /** Every value of the forward pass, what the nodes' backward passes read. */
        private final Tensor[] values;
        private final Tensor output;
        private boolean backwardDone;
        private boolean closed;

        private Pass(Tensor x, boolean training, boolean logits, long seed) {
            this.training = training;
            this.logits = logits;
            this.passGraph = logits ? logitsGraph : graph;
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
            run = new Run(inference, plans, scope, n).workspace(workspace).gradients(gradients).frozen(frozen);
            if (training) {
                run.training(new SplittableRandom(seed));
            }
            try {
                Tensor in = allocate(model.inputShape(n));
                engine.copy(x, in);
                values = passGraph.forward(run, List.of(in), null);
                output = values[passGraph.output()];
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
            passGraph.backward(run, values, dOutput, new boolean[] {false});
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
    }

    private static void collect(List<Node> ns, List<Node> out) {
        for (Node n : ns) {
            for (List<Node> b : n.branches()) {
                collect(b, out);
            }
            out.add(n);
        }
    }
}
