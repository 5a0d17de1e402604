package dev.fovea.spi;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Optional;
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
 * <p>Memory order. Activations ({@code x}, {@code y}, {@code dy}, {@code dx}) are in the descriptor's
 * {@link OpDescriptor#layout()} (NCHW or NHWC), addressed through their strides and offset. Weights, biases and
 * weight gradients always arrive as contiguous F32 host tensors in logical (NCHW) order, whatever the activations'
 * layout: convolution filters {@code [K, C/groups, kH, kW]}, i.e. OIHW, element {@code (k, c, r, s)} at
 * {@code ((k·C/groups + c)·kH + r)·kW + s}; dense weights {@code [F, U]} (inputs × units), element {@code (f, u)}
 * at {@code f·U + u}; biases {@code [K]} / {@code [U]}. A backend that wants another order (HWIO, packed panels)
 * converts in its plan.
 *
 * <p>Thread-safety: a backend may be used from several threads at once on distinct destination tensors.
 */
public interface Backend extends AutoCloseable {
    /** The provider's name. */
    String name();

    /** Optional abilities; the empty set means forward inference on host memory. */
    Set<Capability> capabilities();

    /**
     * Whether this backend runs {@code op} (already validated): {@link Support#YES} for every configuration it
     * computes correctly, else {@link Support#no(String)} with a reason that names the parameter and its value
     * ({@code "dilation 2×2 is not implemented"}). The engine asks before every plan and op, forward and backward
     * (a declined descriptor is declined for both), and throws {@link UnsupportedOperationException} with the
     * reason instead of calling the backend; the conformance suite skips the case with it. Must be cheap, must not
     * throw, and must give the same answer for equal descriptors. The default supports everything.
     */
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

    /**
     * Optionally prepares a convolution and the pooling that reads its output ({@code pool.input()} is
     * {@code conv.output()}, same layout) as one plan: {@code execute(x, y)} reads the convolution's input and
     * writes the pooling's output, so the activation between them need never reach memory. The results equal
     * {@link #planConvolution} followed by {@link #poolingForward}. Empty (the default) when the backend offers no
     * such fusion; callers then run the two ops apart. {@code weights} and {@code bias} as for planConvolution.
     */
    default Optional<Plan> planConvolutionPooled(ConvolutionDescriptor conv, PoolingDescriptor pool, Tensor weights,
                                                 Tensor bias) {
        return Optional.empty();
    }

    /** Prepares a dense layer; {@code weights} is a host tensor {@code [F, U]}, {@code bias} {@code [U]} or null. */
    Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias);

    /** Pools {@code x} into {@code y} as {@link PoolingDescriptor} defines. */
    void poolingForward(PoolingDescriptor op, Tensor x, Tensor y);

    /** {@code y = act(x)} element-wise; same shape and layout; {@code x} and {@code y} may be the same tensor. */
    void activationForward(Activation activation, Tensor x, Tensor y);

    // ---- Ops of imported networks (residual connections, batch norm, squeeze-excitation, ...). Each has a
    // default body over host tensors (HostOps, the definition in double); a backend overrides what it makes
    // faster, and a device backend overrides them all or declines them in supports().

    /**
     * {@code y = act(a op b)} with broadcasting ({@link BinaryDescriptor}). {@code y} may be {@code a} or
     * {@code b} when that operand has the output's shape.
     */
    default void binaryForward(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        HostOps.binary(op, a, b, y);
    }

    /**
     * Prepares {@code y = act(x · scale[c] + shift[c])} ({@link ScaleShiftDescriptor}); {@code scale} and
     * {@code shift} are contiguous host tensors {@code [C]} that the plan copies.
     */
    default Plan planScaleShift(ScaleShiftDescriptor op, Tensor scale, Tensor shift) {
        float[] sc = scale.toArray();
        float[] sh = shift.toArray();
        return (x, y) -> HostOps.scaleShift(op, sc, sh, x, y);
    }

    /** {@code y = min(max(alpha·x + beta, min), max)} ({@link ClampDescriptor}); {@code y} may be {@code x}. */
    default void clampForward(ClampDescriptor op, Tensor x, Tensor y) {
        HostOps.clamp(op, x, y);
    }

    /** Cross-channel local response normalization ({@link LrnDescriptor}); {@code y} is not {@code x}. */
    default void lrnForward(LrnDescriptor op, Tensor x, Tensor y) {
        HostOps.lrn(op, x, y);
    }

    /** Constant padding ({@link PadDescriptor}). */
    default void padForward(PadDescriptor op, Tensor x, Tensor y) {
        HostOps.pad(op, x, y);
    }

    /** Axis permutation ({@link TransposeDescriptor}). */
    default void transposeForward(TransposeDescriptor op, Tensor x, Tensor y) {
        HostOps.transpose(op, x, y);
    }

    /** Row-wise softmax of {@code x [N, F]} into {@code y [N, F]}; subtracts the row maximum first. */
    void softmaxForward(Tensor x, Tensor y);

    // ---- Backward ops for training. A backend listing Capability.TRAINING implements all of them; the engine
    // refuses to call them on one that does not. Same pre-checks as the forward ops (shapes, layouts, residency).
    // "dy" is always the gradient of the loss with respect to the op's output; gradients are written, never
    // accumulated, and every element of the destination is written.

    /**
     * Convolution gradient with respect to its input: {@code dx} ({@code op.input()}, {@code op.layout()}) from
     * {@code dy} ({@code op.output()}) and the host weights {@code [K, C/groups, kH, kW]} (contiguous, logical
     * order). {@code dy} is the gradient of the convolution <em>before</em> its fused activation: callers apply
     * {@link #activationBackward} first. Input cells no window reads (stride larger than the kernel) get 0.
     */
    default void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardData");
    }

    /**
     * Convolution gradient with respect to its weights: {@code dw [K, C/groups, kH, kW]} (contiguous, logical
     * order, resident) from the forward's {@code x} and {@code dy} (pre-activation, as above), summed over the
     * batch and every output position: a weight shared by all positions receives the sum of their gradients.
     */
    default void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardFilter");
    }

    /** {@code db [K]}: {@code dy} (pre-activation) summed over N, P, Q. */
    default void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        throw new UnsupportedOperationException(name() + " has no convolutionBackwardBias");
    }

    /**
     * {@link #convolutionBackwardFilter} and, when {@code db} is not null, {@link #convolutionBackwardBias} in one
     * call, what training asks for. By default the two ops; a backend overrides it to read {@code dy} once for both.
     */
    default void convolutionBackwardWeights(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        convolutionBackwardFilter(op, x, dy, dw);
        if (db != null) {
            convolutionBackwardBias(op, dy, db);
        }
    }

    /**
     * Pooling gradient {@code dx} from the forward's {@code x}, {@code y} and {@code dy}. MAX: each window's
     * {@code dy} goes to the first maximal input cell in window order (rows, then columns, over the cells inside
     * the input); a backend that kept no argmax recomputes it from {@code x}. AVERAGE: each cell inside the input
     * receives {@code dy / divisor}, with the forward's divisor ({@link PoolingDescriptor#countIncludePad()}).
     * Overlapping windows add up.
     */
    default void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no poolingBackward");
    }

    /**
     * {@code dx} from the forward's output {@code y} and {@code dy}: NONE {@code dy}; RELU {@code y > 0 ? dy : 0};
     * SIGMOID {@code dy·y·(1 − y)}; TANH {@code dy·(1 − y²)}. Same shape and layout; {@code dx} may be {@code dy}.
     */
    default void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no activationBackward");
    }

    /**
     * Dense layer gradients from the forward's {@code x [N, F]}, {@code dy [N, U]} (before the fused activation)
     * and the host weights {@code [F, U]}: {@code dx = dy · Wᵀ} (skipped when {@code dx} is null: the first
     * layer needs none), {@code dw [F, U] = xᵀ · dy}, {@code db [U] = Σ_n dy} (null when the layer has no bias).
     */
    default void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                               Tensor db) {
        throw new UnsupportedOperationException(name() + " has no denseBackward");
    }

    /** Row-wise softmax gradient: {@code dx = y ⊙ (dy − Σ_j dy_j·y_j)} for the forward's output {@code y [N, F]}. */
    default void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no softmaxBackward");
    }

    /**
     * Softmax cross-entropy with integer labels, fused: for logits {@code [N, F]} and {@code labels[n]} in
     * {@code [0, F)}, row loss {@code logsumexp(z) − z[label]} (the row maximum subtracted first). Writes
     * {@code dx = scale · (softmax(z) − onehot(label))} unless {@code dx} is null, and returns the sum of the row
     * losses (callers pass {@code scale = 1/N} and divide the sum by N for the mean).
     */
    default double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        throw new UnsupportedOperationException(name() + " has no softmaxCrossEntropy");
    }

    /**
     * Gradients of {@code y = act(a op b)} with broadcasting ({@link BinaryDescriptor}) from {@code dz}, the
     * gradient before the activation ({@code op.output()}): {@code da} ({@code op.a()}) and {@code db}
     * ({@code op.b()}), each summed over the axes its operand is broadcast along; a null destination is not needed.
     * Default: {@link HostOps#binaryBackward}.
     */
    default void binaryBackward(BinaryDescriptor op, Tensor a, Tensor b, Tensor dz, Tensor da, Tensor db) {
        HostOps.binaryBackward(op, a, b, dz, da, db);
    }

    /**
     * {@code dx = dy · act'(x)} from the forward's input {@code x}: every activation, those whose derivative the
     * output does not give (hard swish, SiLU) included. Default: {@link HostOps#activationBackward}.
     */
    default void activationInputBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        HostOps.activationBackward(activation, x, dy, dx);
    }

    /** {@link ClampDescriptor} gradient from the forward's {@code x}. Default: {@link HostOps#clampBackward}. */
    default void clampBackward(ClampDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        HostOps.clampBackward(op, x, dy, dx);
    }

    /** {@link LrnDescriptor} gradient from the forward's {@code x}. Default: {@link HostOps#lrnBackward}. */
    default void lrnBackward(LrnDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        HostOps.lrnBackward(op, x, dy, dx);
    }

    /** {@link PadDescriptor} gradient: the input's part of {@code dy}. Default: {@link HostOps#padBackward}. */
    default void padBackward(PadDescriptor op, Tensor dy, Tensor dx) {
        HostOps.padBackward(op, dy, dx);
    }

    /**
     * Training-mode batch normalization, first half: the per-channel mean and biased variance ({@code Σ(x − μ)²/M},
     * M = N·H·W) of {@code x} ({@code op.input()}, {@code op.layout()}) over the whole batch, written into the host
     * tensors {@code mean} and {@code variance} {@code [C]}. The normalization itself is then a
     * {@link #planScaleShift} with {@code scale = γ/√(σ² + ε)}. Default: {@link HostOps#batchNormStatistics}.
     */
    default void batchNormStatistics(ScaleShiftDescriptor op, Tensor x, Tensor mean, Tensor variance) {
        HostOps.batchNormStatistics(op, x, mean, variance);
    }

    /**
     * Training-mode batch normalization gradients for the forward's {@code x}, batch {@code mean} and
     * {@code invStd = 1/√(σ² + ε)} (host {@code [C]}) and {@code gamma} (host {@code [C]}), with
     * {@code x̂ = (x − μ)·invStd}: {@code dGamma = Σ dy·x̂}, {@code dBeta = Σ dy} (resident {@code [C]}, summed over
     * N, H, W) and {@code dx = γ·invStd·(dy − dBeta/M − x̂·dGamma/M)}, the batch statistics differentiated too.
     * {@code dy} is the gradient before a fused activation (the descriptor's activation is ignored).
     * Default: {@link HostOps#batchNormBackward}.
     */
    default void batchNormBackward(ScaleShiftDescriptor op, Tensor x, Tensor dy, Tensor mean, Tensor invStd,
                                   Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta) {
        HostOps.batchNormBackward(op, x, dy, mean, invStd, gamma, dx, dGamma, dBeta);
    }

    /** Frees the backend's workspaces, threads and handles. Idempotent. */
    @Override
    void close();
}
