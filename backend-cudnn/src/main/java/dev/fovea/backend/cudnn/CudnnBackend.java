package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.NEGATIVE_INFINITY;
import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.ZERO;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Capability;
import dev.fovea.spi.HostCopy;
import dev.fovea.spi.Plan;
import dev.fovea.spi.Support;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fovea's ops on an NVIDIA GPU through cuDNN 9. Tensors from {@link #allocate} live in device memory (from the
 * {@link DeviceArena}: blocks are reused across passes); activations stay there between layers and only
 * {@link #copy} moves data to and from the host.
 *
 * <p>Threads: cuDNN handles must not be used by two threads at once, so each op borrows a handle with its
 * grow-only workspaces from a bounded {@link Pool} (sized by the device's free memory, idle ones released after
 * {@value #IDLE_SECONDS} s). Every thread's work goes to the legacy default stream, so the device serializes it
 * and a {@code cudaMemcpy} to the host sees all earlier results. {@link #close()} must not run while another
 * thread is still inside an op.
 *
 * <p>Numerics: convolutions use {@code CUDNN_FMA_MATH} (plain float32) unless {@code -Dfovea.cudnn.tf32=true}
 * allows TF32 tensor cores, which round inputs to 10 mantissa bits and would fail the conformance tolerances;
 * algorithms whose error can exceed them are never chosen ({@link AlgorithmChoice}).
 * Settings: {@code -Dfovea.cudnn.device} (default 0), {@code -Dfovea.cudnn.workspaceLimitMB} (default 1024),
 * {@code -Dfovea.cudnn.handles} (pool size), {@code -Dfovea.cudnn.fuse=false} to never use
 * {@code cudnnConvolutionBiasActivationForward}.
 */
final class CudnnBackend implements Backend {
    static final long IDLE_SECONDS = 30;

    private final int device;
    private final boolean tf32;
    private final boolean fuse;
    private final long workspaceLimit;

    private final Pool<CudnnContext> contexts;
    private final DeviceArena arena;
    private final Set<Long> owned = ConcurrentHashMap.newKeySet();
    private final Map<ConvolutionPlan.AlgorithmKey, ConvolutionPlan.Choice> algorithms = new ConcurrentHashMap<>();
    private final Set<Plan> plans = ConcurrentHashMap.newKeySet();
    private final Map<PoolingKey, Long> poolingScales = new ConcurrentHashMap<>();
    private final Map<BackwardConvolution.Key, BackwardConvolution> backward = new ConcurrentHashMap<>();
    private volatile boolean closed;

    CudnnBackend(int device) {
        this.device = device;
        this.tf32 = Boolean.getBoolean("fovea.cudnn.tf32");
        this.fuse = !"false".equalsIgnoreCase(System.getProperty("fovea.cudnn.fuse", "true"));
        this.workspaceLimit = Long.getLong("fovea.cudnn.workspaceLimitMB", 1024) << 20;
        Native.checkCuda(CudaRuntime.cudaSetDevice(device), "cudaSetDevice");
        int handles = Integer.getInteger("fovea.cudnn.handles", poolSize(Native.freeDeviceMemory(), workspaceLimit,
                Runtime.getRuntime().availableProcessors()));
        this.contexts = new Pool<>(handles, TimeUnit.SECONDS.toNanos(IDLE_SECONDS), () -> new CudnnContext(device),
                CudnnContext::close, System::nanoTime);
        // Free blocks kept for reuse: at most a quarter of the device memory free now.
        this.arena = new DeviceArena(Native::mallocOrOutOfMemory, Native::free, Native.freeDeviceMemory() / 4);
        try (Lease l = lease()) {
            l.ctx().handle(); // fail now, not in the first op, if the device cannot be used
        }
    }

    /**
     * How many handles (each with workspaces up to the workspace limit plus scratch tensors) may exist: an eighth
     * of the free device memory's worth, at least 1, at most one per CPU (more threads than CPUs gain nothing).
     */
    static int poolSize(long freeBytes, long workspaceLimit, int cpus) {
        long perHandle = workspaceLimit + (256L << 20);
        long byMemory = freeBytes / 8 / perHandle;
        return (int) Math.max(1, Math.min(byMemory, Math.max(1, cpus)));
    }

    /** A borrowed handle; {@link #close()} returns it to the pool. */
    record Lease(Pool<CudnnContext> pool, CudnnContext ctx) implements AutoCloseable {
        @Override
        public void close() {
            pool.release(ctx);
        }
    }

    /** Borrows a handle for one op, with the calling thread bound to the backend's device. */
    Lease lease() {
        if (closed) {
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        CudnnContext ctx = contexts.acquire();
        try {
            ctx.bind();
        } catch (RuntimeException e) {
            contexts.release(ctx);
            throw e;
        }
        return new Lease(contexts, ctx);
    }

    @Override
    public String name() {
        return CudnnBackendProvider.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.DEVICE_MEMORY, Capability.TRAINING);
    }

    @Override
    public Support supports(OpDescriptor op) {
        return supportsOp(op);
    }

    /** cuDNN's largest LRN window, smallest k and beta ({@code CUDNN_LRN_MAX_N}, {@code _MIN_K}, {@code _MIN_BETA}). */
    static final int LRN_MAX_N = 16;
    static final double LRN_MIN_K = 1e-5;
    static final double LRN_MIN_BETA = 0.01;

    /**
     * What cuDNN cannot do here, with the reason: pooling dilation (the legacy pooling API has none), division
     * ({@code cudnnOpTensor} has no DIV), a binary op broadcasting both operands (cuDNN broadcasts only the second),
     * LRN outside cuDNN's limits, tensors of rank above 4, and tensors beyond cuDNN's 32-bit sizes.
     */
    static Support supportsOp(OpDescriptor op) {
        switch (op) {
            case PoolingDescriptor p when p.dilated() -> {
                return Support.no("pooling dilation " + p.dilationH() + "×" + p.dilationW()
                        + " has no cuDNN call (the pooling descriptor has no dilation)");
            }
            case BinaryDescriptor b when b.op() == BinaryOp.DIV -> {
                return Support.no("binary op DIV has no cuDNN call (cudnnOpTensor offers ADD, MUL, MIN, MAX)");
            }
            case BinaryDescriptor b when !b.a().equals(b.output()) && !b.b().equals(b.output()) -> {
                return Support.no("binary op broadcasting both operands (" + b.a() + ", " + b.b()
                        + "): cudnnOpTensor broadcasts only one");
            }
            case LrnDescriptor l when l.size() > LRN_MAX_N -> {
                return Support.no("LRN size " + l.size() + " exceeds cuDNN's maximum " + LRN_MAX_N);
            }
            case LrnDescriptor l when l.bias() < LRN_MIN_K -> {
                return Support.no("LRN bias " + l.bias() + " is below cuDNN's minimum k " + LRN_MIN_K);
            }
            case LrnDescriptor l when l.beta() < LRN_MIN_BETA -> {
                return Support.no("LRN beta " + l.beta() + " is below cuDNN's minimum " + LRN_MIN_BETA);
            }
            default -> { }
        }
        int rank = Math.max(op.input().rank(), op.output().rank());
        if (op instanceof BinaryDescriptor b) {
            rank = Math.max(rank, b.b().rank());
        }
        if (rank > 4) {
            return Support.no("tensors of rank " + rank + ": the cuDNN backend describes tensors in 4-D");
        }
        long limit = Integer.MAX_VALUE;
        long in = op.input().elementCount();
        if (op instanceof ConvolutionDescriptor c) {
            CudnnGeometry.Padded g = CudnnGeometry.convolution(c);
            in = (long) c.input().n() * c.input().c() * g.paddedH(c.input().h()) * g.paddedW(c.input().w());
        } else if (op instanceof PoolingDescriptor p) {
            CudnnGeometry.Padded g = CudnnGeometry.pooling(p);
            in = (long) p.input().n() * p.input().c() * g.paddedH(p.input().h()) * g.paddedW(p.input().w());
        }
        if (in > limit || op.output().elementCount() > limit) {
            return Support.no("cuDNN's 32-bit descriptors cannot address more than 2^31 − 1 elements per tensor"
                    + " (input " + in + ", output " + op.output().elementCount() + ")");
        }
        return Support.YES;
    }

    // ---- memory ----

    /** Device memory from the arena; not zeroed (every op writes all of its destination). */
    @Override
    public Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        if (closed) {
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        long address = arena.allocate(shape.elementCount() * 4);
        try {
            scope.onClose(() -> {
                owned.remove(address);
                arena.release(address);
            });
        } catch (RuntimeException e) {
            arena.release(address);
            throw e;
        }
        owned.add(address);
        return Tensor.wrap(shape, layout, ptr(address), scope, false);
    }

    @Override
    public boolean isResident(Tensor t) {
        return !t.isHost() && t.isAlive() && owned.contains(t.buffer().address());
    }

    /** The device address of element (0, ...) of a device tensor. */
    static long address(Tensor t) {
        return t.buffer().address() + t.offset() * 4;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.isHost() && dst.isHost()) {
            HostCopy.copy(src, dst);
            return;
        }
        try (Lease l = lease()) {
            copy(l.ctx(), src, dst);
        }
    }

    /** {@link #copy(Tensor, Tensor)} with a handle the caller already holds (never borrow a second one). */
    void copy(CudnnContext ctx, Tensor src, Tensor dst) {
        long bytes = src.shape().elementCount() * 4;
        boolean sameDense = src.isContiguous() && dst.isContiguous()
                && java.util.Arrays.equals(src.strides(), dst.strides());
        if (!src.isHost() && !dst.isHost()) {
            if (sameDense) {
                Native.memcpy(address(dst), address(src), bytes, CudaRuntime.cudaMemcpyDeviceToDevice);
            } else {
                DeviceOps.transform(ctx, Dims4.of(src), address(src), Dims4.of(dst), address(dst));
            }
            return;
        }
        if (sameDense) {
            long s = src.isHost() ? src.buffer().address() + src.offset() * 4 : address(src);
            long d = dst.isHost() ? dst.buffer().address() + dst.offset() * 4 : address(dst);
            Native.memcpy(d, s, bytes, src.isHost() ? CudaRuntime.cudaMemcpyHostToDevice
                    : CudaRuntime.cudaMemcpyDeviceToHost);
            return;
        }
        // Layout conversion or strided views: through a dense host staging tensor.
        try (TensorScope staging = new TensorScope()) {
            if (src.isHost()) {
                Tensor stage = staging.allocate(src.shape(), dst.layout());
                HostCopy.copy(src, stage);
                long host = stage.buffer().address();
                if (dst.isContiguous() && java.util.Arrays.equals(stage.strides(), dst.strides())) {
                    Native.memcpy(address(dst), host, bytes, CudaRuntime.cudaMemcpyHostToDevice);
                } else {
                    long tmp = ctx.buffer(CudnnContext.OUTPUT, bytes);
                    Native.memcpy(tmp, host, bytes, CudaRuntime.cudaMemcpyHostToDevice);
                    DeviceOps.transform(ctx, Dims4.of(stage), tmp, Dims4.of(dst), address(dst));
                }
            } else {
                Tensor stage = staging.allocate(src.shape(), src.layout());
                long host = stage.buffer().address();
                if (src.isContiguous()) {
                    Native.memcpy(host, address(src), bytes, CudaRuntime.cudaMemcpyDeviceToHost);
                } else {
                    long tmp = ctx.buffer(CudnnContext.OUTPUT, bytes);
                    DeviceOps.transform(ctx, Dims4.of(src), address(src), Dims4.of(stage), tmp);
                    Native.memcpy(host, tmp, bytes, CudaRuntime.cudaMemcpyDeviceToHost);
                }
                HostCopy.copy(stage, dst);
            }
        }
    }

    // ---- ops ----

    @Override
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        var spec = new ConvolutionPlan.Spec(op.layer(), op.layout(), op.input().n(), op.input().c(), op.input().h(),
                op.input().w(), op.filters(), op.kernelH(), op.kernelW(), op.strideH(), op.strideW(), op.dilationH(),
                op.dilationW(), op.groups(), CudnnGeometry.convolution(op), op.output().h(), op.output().w(),
                op.bias(), op.activation());
        return remember(new ConvolutionPlan(this, spec, weights.toArray(), bias == null ? null : bias.toArray()));
    }

    /** A dense layer is a 1×1 convolution of {@code [N, F, 1, 1]} with filters {@code [U, F, 1, 1]} (W transposed). */
    @Override
    public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
        int f = op.input().c();
        int u = op.units();
        var spec = new ConvolutionPlan.Spec(op.layer(), Layout.NCHW, op.input().n(), f, 1, 1, u, 1, 1, 1, 1, 1, 1,
                1, new CudnnGeometry.Padded(0, 0, 0, 0, 0, 0), 1, 1, op.bias(), op.activation());
        return remember(new ConvolutionPlan(this, spec, transpose(weights.toArray(), f, u),
                bias == null ? null : bias.toArray()));
    }

    /** {@code [rows, cols]} row-major → {@code [cols, rows]}. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    private Plan remember(Plan plan) {
        plans.add(plan);
        if (closed) {
            plan.close();
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        return plan;
    }

    void forget(Plan plan) {
        plans.remove(plan);
    }

    private record PoolingKey(int h, int w, int kh, int kw, int sh, int sw, Pads pads, int p, int q,
                              boolean countIncludePad, int cudnnMode) {
    }

    /** The input as cuDNN sees it: {@code x} itself, or a pre-filled padded copy in the INPUT slot. */
    private record PoolingInput(Dims4 dims, long address) {
    }

    private static PoolingInput poolingInput(CudnnContext ctx, PoolingDescriptor op, CudnnGeometry.Padded g,
                                             Tensor x) {
        Dims4 xd = Dims4.of(x);
        if (!g.explicit()) {
            return new PoolingInput(xd, address(x));
        }
        int n = op.input().n();
        int c = op.input().c();
        Dims4 pd = Dims4.dense(n, c, g.paddedH(op.input().h()), g.paddedW(op.input().w()), op.layout());
        long in = ctx.buffer(CudnnContext.INPUT, pd.elements() * 4);
        try (Descriptors call = new Descriptors()) {
            // Padding is −∞ for max (never chosen) and 0 for average (rescaled by the caller).
            check(Cudnn.cudnnSetTensor(ctx.handle(), call.tensor(pd), ptr(in), op.mode() == PoolingMode.MAX
                    ? NEGATIVE_INFINITY : ZERO), "cudnnSetTensor");
        }
        Dims4 interior = pd.withSizes(n, c, op.input().h(), op.input().w());
        DeviceOps.transform(ctx, xd, address(x), interior, in + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4);
        return new PoolingInput(pd, in);
    }

    @Override
    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        try (Lease l = lease(); Descriptors call = new Descriptors()) {
            CudnnContext ctx = l.ctx();
            MemorySegment h = ctx.handle();
            CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
            CudnnGeometry.Padded g = plan.padded();
            PoolingInput in = poolingInput(ctx, op, g, x);
            MemorySegment pool = call.pooling(plan.cudnnMode(), Cudnn.CUDNN_PROPAGATE_NAN, op.kernelH(),
                    op.kernelW(), g.padH(), g.padW(), op.strideH(), op.strideW());
            Dims4 yd = Dims4.of(y);
            if (!plan.rescale()) {
                // cuDNN's pooling wants unit width stride: a channel slice goes through a dense buffer.
                DeviceOps.Out o = DeviceOps.out(ctx, CudnnContext.GRAD, yd, address(y), op.layout(), false);
                check(Cudnn.cudnnPoolingForward(h, pool, ONE, call.tensor(in.dims()), ptr(in.address()), ZERO,
                        call.tensor(o.dims()), ptr(o.address())), "cudnnPoolingForward");
                DeviceOps.finish(ctx, o, yd, address(y));
                return;
            }
            Dims4 td = Dims4.dense(op.output().n(), op.output().c(), op.output().h(), op.output().w(), op.layout());
            long tmp = ctx.buffer(CudnnContext.OUTPUT, td.elements() * 4);
            check(Cudnn.cudnnPoolingForward(h, pool, ONE, call.tensor(in.dims()), ptr(in.address()), ZERO,
                    call.tensor(td), ptr(tmp)), "cudnnPoolingForward");
            DeviceOps.Out o = DeviceOps.out(ctx, CudnnContext.GRAD, yd, address(y), op.layout(), false);
            DeviceOps.opTensor(ctx, Cudnn.CUDNN_OP_TENSOR_MUL, 1f, td, tmp, 1f, scaleDims(op),
                    poolingScale(op, plan.scale()), o.dims(), o.address());
            DeviceOps.finish(ctx, o, yd, address(y));
        }
    }

    private static Dims4 scaleDims(PoolingDescriptor op) {
        return Dims4.dense(1, 1, op.output().h(), op.output().w(), Layout.NCHW);
    }

    /** The device copy of {@code s} ({@link CudnnGeometry#averageScale}), uploaded once per geometry. */
    private long poolingScale(PoolingDescriptor op, float[] s) {
        PoolingKey key = new PoolingKey(op.input().h(), op.input().w(), op.kernelH(), op.kernelW(), op.strideH(),
                op.strideW(), op.pads(), op.output().h(), op.output().w(), op.countIncludePad(),
                op.countIncludePad() ? 1 : 2);
        return poolingScales.computeIfAbsent(key, k -> upload(s));
    }

    /** A new device buffer holding {@code data} (freed by the caller). */
    static long upload(float[] data) {
        long bytes = (long) data.length * 4;
        long dev = Native.malloc(bytes);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocateFrom(ValueLayout.JAVA_FLOAT, data);
            Native.memcpy(dev, host.address(), bytes, CudaRuntime.cudaMemcpyHostToDevice);
        } catch (RuntimeException e) {
            Native.free(dev);
            throw e;
        }
        return dev;
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.activation(l.ctx(), activation, Dims4.of(x), address(x), Dims4.of(y), address(y),
                    x.layout() == null ? Layout.NCHW : x.layout());
        }
    }

    /** Row-wise over {@code [N, F]} seen as {@code [N, F, 1, 1]}: {@code CUDNN_SOFTMAX_ACCURATE} (max subtracted). */
    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        try (Lease l = lease(); Descriptors call = new Descriptors()) {
            check(Cudnn.cudnnSoftmaxForward(l.ctx().handle(), Cudnn.CUDNN_SOFTMAX_ACCURATE,
                    Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE, ONE, call.tensor(Dims4.of(x)), ptr(address(x)), ZERO,
                    call.tensor(Dims4.of(y)), ptr(address(y))), "cudnnSoftmaxForward");
        }
    }

    // ---- ops of imported networks ----

    @Override
    public void binaryForward(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.binary(l.ctx(), op, a, b, y);
        }
    }

    @Override
    public Plan planScaleShift(ScaleShiftDescriptor op, Tensor scale, Tensor shift) {
        return remember(new ScaleShiftPlan(this, op, scale.toArray(), shift.toArray()));
    }

    @Override
    public void clampForward(ClampDescriptor op, Tensor x, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.clamp(l.ctx(), op, x, y);
        }
    }

    @Override
    public void lrnForward(LrnDescriptor op, Tensor x, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.lrn(l.ctx(), op, x, y);
        }
    }

    @Override
    public void padForward(PadDescriptor op, Tensor x, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.pad(l.ctx(), op, x, y);
        }
    }

    @Override
    public void transposeForward(TransposeDescriptor op, Tensor x, Tensor y) {
        try (Lease l = lease()) {
            DeviceOps.transpose(l.ctx(), op, x, y);
        }
    }

    // ---- training ----

    @Override
    public void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        try (Lease l = lease()) {
            Training.convolutionData(this, l.ctx(), op, weights, dy, dx);
        }
    }

    @Override
    public void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        try (Lease l = lease()) {
            Training.convolutionFilter(this, l.ctx(), op, x, dy, dw);
        }
    }

    @Override
    public void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        try (Lease l = lease()) {
            Training.bias(l.ctx(), dy, db);
        }
    }

    @Override
    public void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        try (Lease l = lease()) {
            CudnnContext ctx = l.ctx();
            CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
            PoolingInput in = poolingInput(ctx, op, plan.padded(), x);
            long scale = plan.rescale() ? poolingScale(op, plan.scale()) : 0;
            Training.pooling(ctx, op, plan, in.dims(), in.address(), scale, scaleDims(op), y, dy, dx);
        }
    }

    @Override
    public void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        try (Lease l = lease()) {
            Training.activation(l.ctx(), activation, y, dy, dx);
        }
    }

    @Override
    public void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                              Tensor db) {
        try (Lease l = lease()) {
            Training.dense(this, l.ctx(), op, weights, x, dy, dx, dw, db);
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        try (Lease l = lease(); Descriptors call = new Descriptors()) {
            check(Cudnn.cudnnSoftmaxBackward(l.ctx().handle(), Cudnn.CUDNN_SOFTMAX_ACCURATE,
                    Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE, ONE, call.tensor(Dims4.of(y)), ptr(address(y)),
                    call.tensor(Dims4.of(dy)), ptr(address(dy)), ZERO, call.tensor(Dims4.of(dx)), ptr(address(dx))),
                    "cudnnSoftmaxBackward");
        }
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        try (Lease l = lease()) {
            return Training.softmaxCrossEntropy(this, l.ctx(), logits, labels, scale, dx);
        }
    }

    /** The backward descriptors and algorithms of one geometry, made once. */
    BackwardConvolution backward(CudnnContext ctx, BackwardConvolution.Key key) {
        if (closed) {
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        return backward.computeIfAbsent(key, k -> new BackwardConvolution(ctx.handle(), k, workspaceLimit));
    }

    // ---- settings and algorithm cache ----

    ConvolutionPlan.Choice algorithm(ConvolutionPlan.AlgorithmKey key, Supplier<ConvolutionPlan.Choice> choose) {
        ConvolutionPlan.Choice a = algorithms.get(key);
        if (a == null) {
            a = choose.get();
            if (a != null) {
                ConvolutionPlan.Choice prev = algorithms.putIfAbsent(key, a);
                a = prev != null ? prev : a;
            }
        }
        return a;
    }

    int mathType() {
        return tf32 ? Cudnn.CUDNN_DEFAULT_MATH : Cudnn.CUDNN_FMA_MATH;
    }

    boolean fusionEnabled() {
        return fuse;
    }

    long workspaceLimit() {
        return workspaceLimit;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Plan p : new ArrayList<>(plans)) {
            p.close();
        }
        backward.values().forEach(BackwardConvolution::close);
        backward.clear();
        poolingScales.values().forEach(Native::free);
        poolingScales.clear();
        contexts.close();
        arena.close();
    }
}
