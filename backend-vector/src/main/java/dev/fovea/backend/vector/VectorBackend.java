package dev.fovea.backend.vector;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.util.Set;

/**
 * The SIMD CPU backend: every forward op on {@code jdk.incubator.vector}, multi-threaded on a fixed pool of
 * daemon threads owned by this backend (closed by {@link #close()}). Plans pack their weights once and may
 * be executed from several threads at once; working buffers are per thread.
 */
final class VectorBackend implements Backend {
    private static final System.Logger LOG = System.getLogger("dev.fovea.backend.vector");

    private final WorkerPool pool;

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
        return Set.of();
    }

    /** Threads per op, the caller included. */
    int threads() {
        return pool.threads();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Elementwise.copy(src, dst);
    }

    @Override
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        return new ConvPlan(op, weights.toArray(), bias == null ? null : bias.toArray(), pool);
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
        Elementwise.activation(Epilogue.code(activation), x, y);
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        Elementwise.softmax(x, y);
    }

    @Override
    public void close() {
        pool.close();
    }
}
