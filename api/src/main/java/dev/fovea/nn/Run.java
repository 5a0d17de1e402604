package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.function.Supplier;

/** One forward pass: the engine, the batch size, the scope activations come from, and plan lookup. */
final class Run {
    private final Inference inference;
    private final TensorScope scope;
    private final int batch;

    Run(Inference inference, TensorScope scope, int batch) {
        this.inference = inference;
        this.scope = scope;
        this.batch = batch;
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
        return engine().allocate(perItem.withBatch(batch), layout(), scope);
    }

    /** The node's weights, in {@link Node#params()} order. */
    List<Tensor> weights(Node node) {
        return inference.model().weightsOf(node);
    }

    /** The node's plan for this batch size, created once. */
    Plan plan(Node node, Supplier<Plan> create) {
        return inference.plan(node, batch, create);
    }
}
