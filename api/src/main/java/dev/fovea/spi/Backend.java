package dev.fovea.spi;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Set;

/**
 * The ops a backend implements. Callers reach it only through {@code dev.fovea.engine.Engine}, which has
 * already checked, before any method here runs:
 * <ul>
 *   <li>every descriptor was built by its {@code create} factory (all parameters and shapes valid);</li>
 *   <li>every tensor is alive, F32, resident for this backend ({@link #isResident}), and has exactly the shape
 *       and layout the descriptor states;</li>
 *   <li>an op this backend reported unsupported through {@link #supports} is never called.</li>
 * </ul>
 * So implementations never re-validate. Destination tensors may be strided views (channel slices of a concat
 * output): write every element of the view and nothing outside it. Host tensors' memory is shared, so worker
 * threads may read and write it.
 *
 * <p>Thread-safety: a backend may be used from several threads at once on distinct destination tensors.
 */
public interface Backend extends AutoCloseable {
    /** The provider's name. */
    String name();

    /** Optional abilities; the empty set means forward inference on host memory. */
    Set<Capability> capabilities();

    /** Whether this backend runs {@code op}; an unsupported op is skipped with the reason by the conformance suite. */
    default Support supports(OpDescriptor op) {
        return Support.YES;
    }

    /** Allocates a dense tensor this backend can compute on. Host backends use the scope's host memory. */
    default Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        return scope.allocate(shape, layout);
    }

    /** Whether {@code t}'s memory is usable by this backend's ops (host memory for CPU backends). */
    default boolean isResident(Tensor t) {
        return t.isHost();
    }

    /**
     * Copies {@code src} into {@code dst}: same logical shape, either may be host memory or this backend's, any
     * layouts and strides (this is also the layout conversion and the host↔device transfer).
     */
    default void copy(Tensor src, Tensor dst) {
        HostCopy.copy(src, dst);
    }

    /**
     * Prepares a convolution. {@code weights} is a contiguous host tensor {@code [K, C/groups, kH, kW]};
     * {@code bias} a host tensor {@code [K]}, or null when the descriptor has no bias. The plan must copy or
     * pack what it needs: the caller may change or free both after this returns.
     */
    Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias);

    /** Prepares a dense layer; {@code weights} is a host tensor {@code [F, U]}, {@code bias} {@code [U]} or null. */
    Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias);

    /** Pools {@code x} into {@code y} as {@link PoolingDescriptor} defines. */
    void poolingForward(PoolingDescriptor op, Tensor x, Tensor y);

    /** {@code y = act(x)} element-wise; same shape and layout; {@code x} and {@code y} may be the same tensor. */
    void activationForward(Activation activation, Tensor x, Tensor y);

    /** Row-wise softmax of {@code x [N, F]} into {@code y [N, F]}; subtracts the row maximum first. */
    void softmaxForward(Tensor x, Tensor y);

    // ---- Backward ops for training ({@link Capability#TRAINING}); the training issue fills these in. ----

    /** {@code dx} from {@code dy} and the weights {@code [K, C/groups, kH, kW]}. */
    default void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardData");
    }

    /** {@code dw [K, C/groups, kH, kW]} from {@code x} and {@code dy}. */
    default void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardFilter");
    }

    /** {@code db [K]}: {@code dy} summed over N, P, Q. */
    default void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardBias");
    }

    /** {@code dx} from the forward's {@code x}, {@code y} and {@code dy}. */
    default void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no poolingBackward");
    }

    /** {@code dx} from the forward's output {@code y} and {@code dy}. */
    default void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no activationBackward");
    }

    /** Frees the backend's workspaces, threads and handles. Idempotent. */
    @Override
    void close();
}
