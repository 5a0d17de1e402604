package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * The activations and gradients of training passes of one batch size, kept from pass to pass: a pass allocates
 * the same shapes in the same order every step, so the i-th request is served by the i-th tensor of the previous
 * pass (a new one only when the shape differs). This saves allocating, zeroing and freeing tens of megabytes per
 * step. The tensors hold the previous pass's values: every op writes all of its destination, so nothing reads them.
 * One pass at a time ({@link #begin} refuses a second).
 */
final class Workspace implements AutoCloseable {
    private final Engine engine;
    private final TensorScope scope = new TensorScope();
    private final List<Tensor> tensors = new ArrayList<>();
    private int next;
    private boolean inUse;

    Workspace(Engine engine) {
        this.engine = engine;
    }

    /** Starts a pass; false when another pass still holds this workspace. */
    boolean begin() {
        if (inUse) {
            return false;
        }
        inUse = true;
        next = 0;
        return true;
    }

    /** Ends the pass that {@link #begin} started: its tensors may be handed out again. */
    void end() {
        inUse = false;
    }

    /** Passes over the next tensor, keeping it (if any) for a later pass that takes it. */
    void skip() {
        if (next == tensors.size()) {
            tensors.add(null);
        }
        next++;
    }

    Tensor take(Shape shape, Layout layout) {
        if (next < tensors.size()) {
            Tensor t = tensors.get(next);
            if (t != null && t.shape().equals(shape) && t.layout() == layout) {
                next++;
                return t;
            }
            Tensor fresh = engine.allocate(shape, layout, scope);
            tensors.set(next++, fresh);
            return fresh;
        }
        Tensor fresh = engine.allocate(shape, layout, scope);
        tensors.add(fresh);
        next++;
        return fresh;
    }

    @Override
    public void close() {
        scope.close();
        tensors.clear();
    }
}
