package dev.fovea.spi;

import dev.fovea.tensor.Tensor;

/**
 * An op prepared once for fixed shapes (weights packed, algorithm chosen, workspace sized), then executed any
 * number of times. {@link #execute} does no validation and, after warm-up, no allocation.
 * Plans must allow concurrent {@code execute} calls from several threads on distinct tensors.
 */
public interface Plan extends AutoCloseable {
    /**
     * Runs the op. {@code x} and {@code y} have exactly the descriptor's shapes and layout, are alive, and are
     * resident for this backend; {@code y} may be a strided view (a channel slice of a concat output) and must
     * be written in every element and nowhere else.
     */
    void execute(Tensor x, Tensor y);

    /** Releases packed weights and other resources. Idempotent. */
    @Override
    default void close() {
    }
}
