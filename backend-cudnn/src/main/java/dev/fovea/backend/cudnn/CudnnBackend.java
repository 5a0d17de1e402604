package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.NEGATIVE_INFINITY;
import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.ZERO;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Fovea's ops on an NVIDIA GPU through cuDNN 9. Tensors from {@link #allocate} live in device memory
 * ({@code cudaMalloc}, freed when their {@link TensorScope} closes); activations stay there between layers and
 * only {@link #copy} moves data to and from the host.
 *
 * <p>Threads: each thread gets its own cuDNN handle and grow-only workspace on first use (cuDNN handles are not
 * safe for concurrent use); all of them are released by {@link #close()}, which must not run while another
 * thread is still inside an op. Every thread's work goes to the legacy default stream, so the device serializes
 * it and a {@code cudaMemcpy} to the host sees all earlier results.
 *
 * <p>Numerics: convolutions use {@code CUDNN_FMA_MATH} (plain float32) unless {@code -Dfovea.cudnn.tf32=true}
 * allows TF32 tensor cores, which round inputs to 10 mantissa bits and would fail the conformance tolerances.
 * Settings: {@code -Dfovea.cudnn.device} (default 0), {@code -Dfovea.cudnn.workspaceLimitMB} (default 1024),
 * {@code -Dfovea.cudnn.fuse=false} to never use {@code cudnnConvolutionBiasActivationForward}.
 */
final class CudnnBackend implements Backend {
    private final int device;
    private final boolean tf32;
    private final boolean fuse;
    private final long workspaceLimit;

    private final ThreadLocal<CudnnContext> context = new ThreadLocal<>();
    private final List<CudnnContext> contexts = new ArrayList<>();
    private final Set<Long> owned = ConcurrentHashMap.newKeySet();
    private final Map<ConvolutionPlan.AlgorithmKey, ConvolutionPlan.Algorithm> algorithms = new ConcurrentHashMap<>();
    private final Set<ConvolutionPlan> plans = ConcurrentHashMap.newKeySet();
    private final Map<PoolingKey, Long> poolingScales = new ConcurrentHashMap<>();
    private volatile boolean closed;

    CudnnBackend(BackendOptions.Cudnn options) {
        this.device = options.device();
        this.tf32 = options.tf32();
        this.fuse = options.fuse();
        this.workspaceLimit = options.workspaceLimitBytes();
        context(); // fail now, not in the first op, if the device cannot be used
    }

    @Override
    public String name() {
        return CudnnBackendProvider.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.DEVICE_MEMORY);
    }

    @Override
    public Support supports(OpDescriptor op) {
        return supportsOp(op);
    }

    /**
     * cuDNN's descriptors hold 32-bit sizes and strides; the ops of imported networks (element-wise, scale-shift,
     * LRN, pad, transpose) and the activations cuDNN has no mode for are not mapped to device calls yet.
     */
    static Support supportsOp(OpDescriptor op) {
        switch (op) {
            case ConvolutionDescriptor c when !c.activation().hasOutputGradient() ->
                    { return Support.no("activation " + c.activation() + " is not mapped to cuDNN yet"); }
            case DenseDescriptor d when !d.activation().hasOutputGradient() ->
                    { return Support.no("activation " + d.activation() + " is not mapped to cuDNN yet"); }
            case PoolingDescriptor p when p.dilated() ->
                    { return Support.no("pooling dilation " + p.dilationH() + "×" + p.dilationW()
                            + " is not mapped to cuDNN"); }
            case ConvolutionDescriptor c -> { }
            case DenseDescriptor d -> { }
            case PoolingDescriptor p -> { }
            default -> { return Support.no(op.getClass().getSimpleName().replace("Descriptor", "")
                    + " is not mapped to cuDNN calls yet"); }
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

    @Override
    public Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        context();
        long bytes = shape.elementCount() * 4;
        long address = Native.malloc(bytes);
        try {
            Native.checkCuda(CudaRuntime.cudaMemset(ptr(address), 0, bytes), "cudaMemset");
            scope.onClose(() -> {
                owned.remove(address);
                Native.free(address);
            });
        } catch (RuntimeException e) {
            Native.free(address);
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
        CudnnContext ctx = context();
        long bytes = src.shape().elementCount() * 4;
        boolean sameDense = src.isContiguous() && dst.isContiguous()
                && java.util.Arrays.equals(src.strides(), dst.strides());
        if (!src.isHost() && !dst.isHost()) {
            if (sameDense) {
                Native.memcpy(address(dst), address(src), bytes, CudaRuntime.cudaMemcpyDeviceToDevice);
            } else {
                transform(ctx, Dims4.of(src), address(src), Dims4.of(dst), address(dst));
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
                    transform(ctx, Dims4.of(stage), tmp, Dims4.of(dst), address(dst));
                }
            } else {
                Tensor stage = staging.allocate(src.shape(), src.layout());
                long host = stage.buffer().address();
                if (src.isContiguous()) {
                    Native.memcpy(host, address(src), bytes, CudaRuntime.cudaMemcpyDeviceToHost);
                } else {
                    long tmp = ctx.buffer(CudnnContext.OUTPUT, bytes);
                    transform(ctx, Dims4.of(src), address(src), Dims4.of(stage), tmp);
                    Native.memcpy(host, tmp, bytes, CudaRuntime.cudaMemcpyDeviceToHost);
                }
                HostCopy.copy(stage, dst);
            }
        }
    }

    private static void transform(CudnnContext ctx, Dims4 from, long src, Dims4 to, long dst) {
        try (Descriptors d = new Descriptors()) {
            check(Cudnn.cudnnTransformTensor(ctx.handle(), ONE, d.tensor(from), ptr(src), ZERO, d.tensor(to),
                    ptr(dst)), "cudnnTransformTensor");
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
        float[] w = weights.toArray();
        float[] kc = new float[w.length];
        for (int i = 0; i < f; i++) {
            for (int j = 0; j < u; j++) {
                kc[j * f + i] = w[i * u + j];
            }
        }
        var spec = new ConvolutionPlan.Spec(op.layer(), Layout.NCHW, op.input().n(), f, 1, 1, u, 1, 1, 1, 1, 1, 1,
                1, new CudnnGeometry.Padded(0, 0, 0, 0, 0, 0), 1, 1, op.bias(), op.activation());
        return remember(new ConvolutionPlan(this, spec, kc, bias == null ? null : bias.toArray()));
    }

    private Plan remember(ConvolutionPlan plan) {
        plans.add(plan);
        if (closed) {
            plan.close();
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        return plan;
    }

    void forget(ConvolutionPlan plan) {
        plans.remove(plan);
    }

    private record PoolingKey(int h, int w, int kh, int kw, int sh, int sw, Pads pads, int p, int q,
                              boolean countIncludePad, int cudnnMode) {
    }

    @Override
    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        CudnnContext ctx = context();
        MemorySegment h = ctx.handle();
        CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
        CudnnGeometry.Padded g = plan.padded();
        int n = op.input().n();
        int c = op.input().c();
        try (Descriptors call = new Descriptors()) {
            Dims4 xd = Dims4.of(x);
            MemorySegment inDesc;
            long in;
            if (g.explicit()) {
                Dims4 pd = Dims4.dense(n, c, g.paddedH(op.input().h()), g.paddedW(op.input().w()), op.layout());
                in = ctx.buffer(CudnnContext.INPUT, pd.elements() * 4);
                inDesc = call.tensor(pd);
                // Padding is −∞ for max (never chosen) and 0 for average (rescaled below).
                check(Cudnn.cudnnSetTensor(h, inDesc, ptr(in), op.mode() == PoolingMode.MAX ? NEGATIVE_INFINITY
                        : ZERO), "cudnnSetTensor");
                Dims4 interior = pd.withSizes(n, c, op.input().h(), op.input().w());
                check(Cudnn.cudnnTransformTensor(h, ONE, call.tensor(xd), ptr(address(x)), ZERO,
                        call.tensor(interior), ptr(in + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4)),
                        "cudnnTransformTensor");
            } else {
                in = address(x);
                inDesc = call.tensor(xd);
            }
            MemorySegment pool = call.pooling(plan.cudnnMode(), Cudnn.CUDNN_PROPAGATE_NAN, op.kernelH(),
                    op.kernelW(), g.padH(), g.padW(), op.strideH(), op.strideW());
            MemorySegment yDesc = call.tensor(Dims4.of(y));
            if (!plan.rescale()) {
                check(Cudnn.cudnnPoolingForward(h, pool, ONE, inDesc, ptr(in), ZERO, yDesc, ptr(address(y))),
                        "cudnnPoolingForward");
                return;
            }
            Dims4 td = Dims4.dense(n, c, op.output().h(), op.output().w(), op.layout());
            long tmp = ctx.buffer(CudnnContext.OUTPUT, td.elements() * 4);
            MemorySegment tDesc = call.tensor(td);
            check(Cudnn.cudnnPoolingForward(h, pool, ONE, inDesc, ptr(in), ZERO, tDesc, ptr(tmp)),
                    "cudnnPoolingForward");
            long scale = poolingScale(op, plan.scale());
            MemorySegment sDesc = call.tensor(Dims4.dense(1, 1, op.output().h(), op.output().w(), Layout.NCHW));
            check(Cudnn.cudnnOpTensor(h, call.opTensor(Cudnn.CUDNN_OP_TENSOR_MUL), ONE, tDesc, ptr(tmp), ONE, sDesc,
                    ptr(scale), ZERO, yDesc, ptr(address(y))), "cudnnOpTensor");
        }
    }

    /** The device copy of {@code s} ({@link CudnnGeometry#averageScale}), uploaded once per geometry. */
    private long poolingScale(PoolingDescriptor op, float[] s) {
        PoolingKey key = new PoolingKey(op.input().h(), op.input().w(), op.kernelH(), op.kernelW(), op.strideH(),
                op.strideW(), op.pads(), op.output().h(), op.output().w(), op.countIncludePad(),
                op.countIncludePad() ? 1 : 2);
        return poolingScales.computeIfAbsent(key, k -> {
            long dev = Native.malloc((long) s.length * 4);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment host = a.allocateFrom(ValueLayout.JAVA_FLOAT, s);
                Native.memcpy(dev, host.address(), (long) s.length * 4, CudaRuntime.cudaMemcpyHostToDevice);
            } catch (RuntimeException e) {
                Native.free(dev);
                throw e;
            }
            return dev;
        });
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        CudnnContext ctx = context();
        Dims4 xd = Dims4.of(x);
        Dims4 yd = Dims4.of(y);
        if (activation == Activation.NONE) {
            if (address(x) != address(y) || !xd.equals(yd)) {
                transform(ctx, xd, address(x), yd, address(y));
            }
            return;
        }
        try (Descriptors call = new Descriptors()) {
            MemorySegment act = call.activation(ConvolutionPlan.activationMode(activation),
                    Cudnn.CUDNN_NOT_PROPAGATE_NAN, 0.0);
            check(Cudnn.cudnnActivationForward(ctx.handle(), act, ONE, call.tensor(xd), ptr(address(x)), ZERO,
                    call.tensor(yd), ptr(address(y))), "cudnnActivationForward");
        }
    }

    /** Row-wise over {@code [N, F]} seen as {@code [N, F, 1, 1]}: {@code CUDNN_SOFTMAX_ACCURATE} (max subtracted). */
    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        CudnnContext ctx = context();
        try (Descriptors call = new Descriptors()) {
            check(Cudnn.cudnnSoftmaxForward(ctx.handle(), Cudnn.CUDNN_SOFTMAX_ACCURATE, Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE,
                    ONE, call.tensor(Dims4.of(x)), ptr(address(x)), ZERO, call.tensor(Dims4.of(y)),
                    ptr(address(y))), "cudnnSoftmaxForward");
        }
    }

    // ---- per-thread state and settings ----

    /** This thread's handle and buffers, created on first use. */
    CudnnContext context() {
        if (closed) {
            throw new IllegalStateException("the cuDNN backend was closed");
        }
        CudnnContext ctx = context.get();
        if (ctx == null) {
            ctx = new CudnnContext(device);
            synchronized (contexts) {
                if (closed) {
                    ctx.close();
                    throw new IllegalStateException("the cuDNN backend was closed");
                }
                contexts.add(ctx);
            }
            context.set(ctx);
        }
        return ctx;
    }

    ConvolutionPlan.Algorithm algorithm(ConvolutionPlan.AlgorithmKey key,
                                        Supplier<ConvolutionPlan.Algorithm> choose) {
        ConvolutionPlan.Algorithm a = algorithms.get(key);
        if (a == null) {
            a = choose.get();
            if (a != null) {
                algorithms.putIfAbsent(key, a);
            }
        }
        return a;
    }

    int mathType() {
        return tf32 ? Cudnn.CUDNN_DEFAULT_MATH : Cudnn.CUDNN_FMA_MATH;
    }

    boolean tf32Allowed() {
        return tf32;
    }

    boolean fusionEnabled() {
        return fuse;
    }

    long workspaceLimit() {
        return workspaceLimit;
    }

    @Override
    public void close() {
        List<CudnnContext> all;
        synchronized (contexts) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(contexts);
            contexts.clear();
        }
        for (ConvolutionPlan p : new ArrayList<>(plans)) {
            p.close();
        }
        poolingScales.values().forEach(Native::free);
        poolingScales.clear();
        for (CudnnContext c : all) {
            c.close();
        }
    }
}
