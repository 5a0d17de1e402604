package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** One forward pass: the engine, the batch size, the scope activations come from, and plan lookup. */
final class Run {
    private final Inference inference;
    private final Inference.Plans plans;
    /** Where activations come from without a workspace; null when a workspace serves every allocation. */
    private final TensorScope scope;
    private final int batch;
    /** Training mode (dropout active, state saved for backward): the random stream dropout draws from. */
    private SplittableRandom training;
    private final Map<Node, Object> saved = new HashMap<>();
    /** Training passes: tensors reused from the previous pass of this batch size instead of the scope's. */
    private Workspace workspace;
    /** Training passes: the gradient tensors of each node's parameters, by the node owning the weights. */
    private Map<Node, List<Tensor>> gradients = Map.of();
    /** Training passes: the weight-owning nodes whose weights stay as they are (transfer learning). */
    private java.util.Set<Node> frozen = java.util.Set.of();

    Run(Inference inference, Inference.Plans plans, TensorScope scope, int batch) {
        this.inference = inference;
        this.plans = plans;
        this.scope = scope;
        this.batch = batch;
    }

    /** Switches this run to training mode with dropout masks drawn from {@code random}. */
    Run training(SplittableRandom random) {
        this.training = random;
        return this;
    }

    /** Serves {@link #allocate} from {@code w} (training passes). */
    Run workspace(Workspace w) {
        this.workspace = w;
        return this;
    }

    /** Gives backward passes the gradient tensors to write into, by weight-owning node (training passes). */
    Run gradients(Map<Node, List<Tensor>> g) {
        this.gradients = g;
        return this;
    }

    /**
     * The gradient tensors of {@code node}'s weights, in {@link Node#params()} order: those of the node owning the
     * weights, so a node a rewrite rule made writes into the original layer's gradients.
     */
    List<Tensor> gradients(Node node) {
        return gradients.getOrDefault(node.weightsOwner(), List.of());
    }

    /** Marks the weight-owning nodes whose weights training leaves as they are. */
    Run frozen(java.util.Set<Node> nodes) {
        this.frozen = nodes;
        return this;
    }

    /** Whether {@code node}'s weights are frozen: layers with state (batch normalization) then run as at inference. */
    boolean isFrozen(Node node) {
        return frozen.contains(node.weightsOwner());
    }

    boolean isTraining() {
        return training != null;
    }

    SplittableRandom random() {
        return training;
    }

    /** Keeps {@code state} for {@code node}'s backward pass (a dropout mask). */
    void save(Node node, Object state) {
        saved.put(node, state);
    }

    Object saved(Node node) {
        return saved.get(node);
    }

    Engine engine() {
        return inference.engine();
    }

    int batch() {
        return batch;
    }

    Layout layout() {
        return inference.model().layout();
    }

    /** A new activation for {@code perItem} (a batch-1 shape) at this run's batch size. */
    Tensor allocate(Shape perItem) {
        if (workspace != null) {
            return workspace.take(perItem.withBatch(batch), layout());
        }
        return engine().allocate(perItem.withBatch(batch), layout(), scope);
    }

    /**
     * Keeps the workspace's order when an activation another pass allocates here comes from the caller instead
     * (an input used in place), so that the two kinds of pass reuse the same tensors.
     */
    void skipActivation() {
        if (workspace != null) {
            workspace.skip();
        }
    }

    /** A new activation of {@code shape} (batch included) stored in {@code layout}, freed with the pass. */
    Tensor allocateIn(Shape shape, Layout layout) {
        if (workspace != null) {
            return workspace.take(shape, layout);
        }
        return engine().allocate(shape, layout, scope);
    }

    /** The node's weights, in {@link Node#params()} order. */
    List<Tensor> weights(Node node) {
        return inference.model().weightsOf(node.weightsOwner());
    }

    /** The node's plan for this batch size and these weights, created once. */
    Plan plan(Node node, Supplier<Plan> create) {
        return plans.plan(node, create);
    }
}
