package dev.fovea.backend.vector;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SIMD CPU backend: every forward and backward op ({@link Capability#TRAINING}) on
 * {@code jdk.incubator.vector}, multi-threaded on a fixed pool of daemon threads owned by this backend (closed by
 * {@link #close()}). Plans pack their weights once and may be executed from several threads at once; working
 * buffers are per thread; large tensors are recycled between scopes ({@link HostPool}). Every result, weight
 * gradients included, is the same for any number of threads.
 */
final class VectorBackend implements Backend {
    private static final System.Logger LOG = System.getLogger("dev.fovea.backend.vector");

    private final WorkerPool pool;
    private final HostPool memory = new HostPool();
    /** Backward geometry per convolution (a training loop calls the same shapes every step). */
    private final Map<ConvolutionDescriptor, ConvBackward.Filter> filters = new ConcurrentHashMap<>();
    private final Map<ConvolutionDescriptor, ConvBackward.Data> data = new ConcurrentHashMap<>();

    VectorBackend(int threads) {
        pool = new WorkerPool(threads);
        LOG.log(System.Logger.Level.DEBUG, "fovea vector backend: {0} vectors, {1} threads", Simd.describe(),
                pool.threads());
    }

    @Override
    public String name() {
        return VectorBackendProvider.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.TRAINING);
    }

    /** Threads per op, the caller included. */
    int threads() {
        return pool.threads();
    }

    @Override
    public Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        return memory.allocate(shape, layout, scope);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Elementwise.copy(src, dst, pool);
    }

    @Override
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        if (Winograd.applies(op)) {
            return new Winograd(op, weights.toArray(), bias == null ? null : bias.toArray(), pool);
        }
        if (Conv1x1.applies(op)) {
            return new Conv1x1(op, weights.toArray(), bias == null ? null : bias.toArray(), pool);
        }
        if (DepthwisePlan.applies(op)) {
            return new DepthwisePlan(op, weights.toArray(), bias == null ? null : bias.toArray(), pool);
        }
        return new ConvPlan(op, null, weights.toArray(), bias == null ? null : bias.toArray(), pool);
    }

    @Override
    public Optional<Plan> planConvolutionPooled(ConvolutionDescriptor conv, PoolingDescriptor pooling, Tensor weights,
                                                Tensor bias) {
        if (pooling.dilated()) {
            return Optional.empty(); // the fused tile pooling reads adjacent cells only
        }
        if (Winograd.applies(conv, pooling)) {
            return Optional.of(new Winograd(conv, pooling, weights.toArray(), bias == null ? null : bias.toArray(),
                    pool));
        }
        if (Winograd.applies(conv)) {
            // A pooling Winograd's tiles cannot hold (GoogLeNet's 3×3 stride-2 max after its second convolution): the
            // convolution alone in Winograd and the pooling apart beat direct convolution pooled from its tiles.
            return Optional.empty();
        }
        return Optional.of(new ConvPlan(conv, pooling, weights.toArray(), bias == null ? null : bias.toArray(), pool));
    }

    @Override
    public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
        return new DensePlan(op, weights.toArray(), bias == null ? null : bias.toArray(), pool);
    }

    @Override
    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        Pooling.forward(op, x, y, pool);
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        Pointwise.activation(Epilogue.code(activation), x, y, pool);
    }

    @Override
    public void binaryForward(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        Pointwise.binary(op, a, b, y, pool);
    }

    @Override
    public Plan planScaleShift(ScaleShiftDescriptor op, Tensor scale, Tensor shift) {
        return new Pointwise.ScaleShift(op, scale.toArray(), shift.toArray(), pool);
    }

    @Override
    public void clampForward(ClampDescriptor op, Tensor x, Tensor y) {
        Pointwise.clamp(op, x, y, pool);
    }

    @Override
    public void lrnForward(LrnDescriptor op, Tensor x, Tensor y) {
        Lrn.forward(op, x, y, pool);
    }

    @Override
    public void padForward(PadDescriptor op, Tensor x, Tensor y) {
        Pad.forward(op, x, y, pool);
    }

    @Override
    public void transposeForward(TransposeDescriptor op, Tensor x, Tensor y) {
        Elementwise.transpose(op, x, y, pool);
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        Elementwise.softmax(x, y);
    }

    @Override
    public void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        data.computeIfAbsent(op, ConvBackward.Data::new).execute(weights, dy, dx, pool);
    }

    @Override
    public void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        filters.computeIfAbsent(op, ConvBackward.Filter::new).execute(x, dy, dw, null, pool);
    }

    @Override
    public void convolutionBackwardWeights(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        filters.computeIfAbsent(op, ConvBackward.Filter::new).execute(x, dy, dw, db, pool);
    }

    @Override
    public void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        ConvBackward.bias(op, dy, db, pool);
    }

    @Override
    public void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        PoolingBackward.backward(op, x, dy, dx, pool);
    }

    @Override
    public void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        Gradients.activation(Epilogue.code(activation), y, dy, dx, pool);
    }

    @Override
    public void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                              Tensor db) {
        DenseBackward.backward(op, weights, x, dy, dx, dw, db, pool);
    }

    @Override
    public void batchNormStatistics(ScaleShiftDescriptor op, Tensor x, Tensor mean, Tensor variance) {
        BatchNormKernels.statistics(op, x, mean, variance, pool);
    }

    @Override
    public void batchNormBackward(ScaleShiftDescriptor op, Tensor x, Tensor dy, Tensor mean, Tensor invStd,
                                  Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta) {
        BatchNormKernels.backward(op, x, dy, mean, invStd, gamma, dx, dGamma, dBeta, pool);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        Gradients.softmax(y, dy, dx);
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        return Gradients.softmaxCrossEntropy(logits, labels, scale, dx);
    }

    @Override
    public void close() {
        pool.close();
    }
}
