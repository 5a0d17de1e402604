package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.ZERO;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A convolution (or a dense layer as a 1×1 convolution) prepared for one shape: weights packed and uploaded,
 * descriptors set, the algorithms to try ranked once through {@code cudnnGetConvolutionForwardAlgorithm_v7} and
 * filtered by {@link AlgorithmChoice} (cached by the backend per geometry; a failing one is replaced by the next).
 *
 * <p>{@link #execute}: the input is used in place when it is dense and needs no extra padding; otherwise it is
 * copied ({@code cudnnTransformTensor}) into the interior of the thread's input buffer, first filled with 0
 * ({@code cudnnSetTensor}) when the padding is asymmetric. The output is written in place when dense, otherwise
 * (a channel slice of a concat) staged and transformed into the strided view. Bias and ReLU are fused through
 * {@code cudnnConvolutionBiasActivationForward}; other activations run after an {@code cudnnAddTensor}
 * ({@link DeviceOps#activation}).
 */
final class ConvolutionPlan implements Plan {
    private static final System.Logger LOG = System.getLogger("dev.fovea.backend.cudnn");

    /** What a plan needs, from a convolution or a dense descriptor. */
    record Spec(String layer, Layout layout, int n, int c, int h, int w, int k, int kh, int kw, int sh, int sw,
                int dh, int dw, int groups, CudnnGeometry.Padded padded, int p, int q, boolean bias,
                Activation activation) {
    }

    /**
     * The algorithms to try for one geometry, best first ({@link AlgorithmChoice#order}), and the index of the
     * one that worked last; shared by the plans of that geometry.
     */
    record Choice(java.util.List<AlgorithmChoice.Candidate> candidates,
                  java.util.concurrent.atomic.AtomicInteger start) {
        AlgorithmChoice.Candidate current() {
            return candidates.get(Math.min(start.get(), candidates.size() - 1));
        }
    }

    /** Everything that determines the algorithm choice. */
    record AlgorithmKey(Layout layout, int n, int c, int h, int w, int k, int kh, int kw, int sh, int sw, int dh,
                        int dw, int groups, int padH, int padW, int mathType, boolean fused) {
    }

    private final CudnnBackend backend;
    private final Spec spec;
    private final Descriptors descriptors = new Descriptors();
    private final Layout compute;
    private final Dims4 inDims;
    private final Dims4 outDims;
    private final MemorySegment xDesc;
    private final MemorySegment wDesc;
    private final MemorySegment convDesc;
    private final MemorySegment yDesc;
    private final MemorySegment biasDesc;
    private final MemorySegment actDesc;
    private final Choice algorithm;
    private final long weights;
    private final long biasBuffer;
    private volatile boolean fused;
    private volatile boolean closed;

    /**
     * @param weightsKcrs weights in {@code [K, C/groups, kH, kW]} order
     * @param bias        {@code [K]} or null
     */
    ConvolutionPlan(CudnnBackend backend, Spec spec, float[] weightsKcrs, float[] bias) {
        this.backend = backend;
        this.spec = spec;
        boolean fuse = spec.bias() && spec.activation() == Activation.RELU && backend.fusionEnabled();
        int mathType = backend.mathType();
        long w = 0;
        long b = 0;
        try (CudnnBackend.Lease lease = backend.lease()) {
            MemorySegment handle = lease.ctx().handle();
            // Prefer the op's own layout; fall back to NCHW (with transforms) if cuDNN has no algorithm for it.
            Layout chosenLayout = null;
            Choice chosen = null;
            Layout[] candidates = spec.layout() == Layout.NHWC ? new Layout[] {Layout.NHWC, Layout.NCHW}
                    : new Layout[] {Layout.NCHW};
            MemorySegment[] d = null;
            for (Layout l : candidates) {
                d = describe(l, mathType);
                final MemorySegment[] dd = d;
                AlgorithmKey key = new AlgorithmKey(l, spec.n(), spec.c(), spec.padded().paddedH(spec.h()),
                        spec.padded().paddedW(spec.w()), spec.k(), spec.kh(), spec.kw(), spec.sh(), spec.sw(),
                        spec.dh(), spec.dw(), spec.groups(), spec.padded().padH(), spec.padded().padW(), mathType,
                        fuse);
                chosen = backend.algorithm(key, () -> choose(handle, dd[0], dd[1], dd[2], dd[3]));
                if (chosen != null) {
                    chosenLayout = l;
                    break;
                }
            }
            if (chosen == null) {
                throw new UnsupportedOperationException(spec.layer() + ": cuDNN offers no forward algorithm for "
                        + spec + " within the workspace limit of " + (backend.workspaceLimit() >> 20)
                        + " MB (-Dfovea.cudnn.workspaceLimitMB) among those accurate enough for float32");
            }
            if (chosenLayout != spec.layout()) {
                LOG.log(System.Logger.Level.INFO, "{0}: cuDNN has no {1} algorithm; computing in {2}", spec.layer(),
                        spec.layout(), chosenLayout);
            }
            compute = chosenLayout;
            xDesc = d[0];
            wDesc = d[1];
            convDesc = d[2];
            yDesc = d[3];
            algorithm = chosen;
            inDims = Dims4.dense(spec.n(), spec.c(), spec.padded().paddedH(spec.h()),
                    spec.padded().paddedW(spec.w()), compute);
            outDims = Dims4.dense(spec.n(), spec.k(), spec.p(), spec.q(), compute);
            biasDesc = spec.bias() ? descriptors.tensor(Dims4.dense(1, spec.k(), 1, 1, Layout.NCHW)) : null;
            // Only the fused call takes an activation descriptor (ReLU, coef = its upper bound: unbounded).
            actDesc = fuse ? descriptors.activation(Activation.RELU) : null;
            w = upload(pack(weightsKcrs, spec, compute));
            b = bias == null ? 0 : upload(bias);
        } catch (RuntimeException | Error e) {
            Native.free(w);
            Native.free(b);
            descriptors.close();
            throw e;
        }
        weights = w;
        biasBuffer = b;
        fused = fuse;
    }

    /** xDesc, wDesc, convDesc, yDesc for computing in {@code l}; verifies cuDNN's output size. */
    private MemorySegment[] describe(Layout l, int mathType) {
        CudnnGeometry.Padded g = spec.padded();
        MemorySegment x = descriptors.tensor(Dims4.dense(spec.n(), spec.c(), g.paddedH(spec.h()),
                g.paddedW(spec.w()), l));
        MemorySegment wd = descriptors.filter(l == Layout.NHWC ? Cudnn.CUDNN_TENSOR_NHWC : Cudnn.CUDNN_TENSOR_NCHW,
                spec.k(), spec.c() / spec.groups(), spec.kh(), spec.kw());
        MemorySegment conv = descriptors.convolution(g.padH(), g.padW(), spec.sh(), spec.sw(), spec.dh(), spec.dw(),
                spec.groups(), mathType);
        MemorySegment y = descriptors.tensor(Dims4.dense(spec.n(), spec.k(), spec.p(), spec.q(), l));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dims = a.allocate(ValueLayout.JAVA_INT, 4);
            check(Cudnn.cudnnGetConvolution2dForwardOutputDim(conv, x, wd, dims, dims.asSlice(4), dims.asSlice(8),
                    dims.asSlice(12)), "cudnnGetConvolution2dForwardOutputDim");
            int[] got = dims.toArray(ValueLayout.JAVA_INT);
            if (got[0] != spec.n() || got[1] != spec.k() || got[2] != spec.p() || got[3] != spec.q()) {
                throw new IllegalStateException(spec.layer() + ": cuDNN computes output " + java.util.Arrays.toString(got)
                        + " but the descriptor says [" + spec.n() + ", " + spec.k() + ", " + spec.p() + ", "
                        + spec.q() + "] (" + spec + "); this is a bug of the cuDNN backend");
            }
        }
        return new MemorySegment[] {x, wd, conv, y};
    }

    /**
     * cuDNN's heuristic ranking ({@code cudnnGetConvolutionForwardAlgorithm_v7}) with each algorithm's workspace,
     * filtered and ordered by {@link AlgorithmChoice#order}; null if nothing is left.
     */
    private Choice choose(MemorySegment handle, MemorySegment x, MemorySegment wd, MemorySegment conv,
                          MemorySegment y) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment max = a.allocate(ValueLayout.JAVA_INT);
            check(Cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, max),
                    "cudnnGetConvolutionForwardAlgorithmMaxCount");
            int requested = Math.max(1, Native.intAt(max));
            MemorySegment returned = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment perf = a.allocate(Cudnn.cudnnConvolutionFwdAlgoPerf_t, requested);
            check(Cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, x, wd, conv, y, requested, returned, perf),
                    "cudnnGetConvolutionForwardAlgorithm_v7");
            long stride = Cudnn.cudnnConvolutionFwdAlgoPerf_t.byteSize();
            java.util.List<AlgorithmChoice.Candidate> ranked = new java.util.ArrayList<>();
            MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
            for (int i = 0; i < Native.intAt(returned); i++) {
                long base = i * stride;
                if (perf.get(ValueLayout.JAVA_INT, base + Cudnn.PERF_STATUS) != Cudnn.CUDNN_STATUS_SUCCESS) {
                    continue;
                }
                int algo = perf.get(ValueLayout.JAVA_INT, base + Cudnn.PERF_ALGO);
                int math = perf.get(ValueLayout.JAVA_INT, base + Cudnn.PERF_MATH_TYPE);
                if (Cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, wd, conv, y, algo, size)
                        == Cudnn.CUDNN_STATUS_SUCCESS) {
                    ranked.add(new AlgorithmChoice.Candidate(algo, size.get(ValueLayout.JAVA_LONG, 0), math));
                }
            }
            var ordered = AlgorithmChoice.order(ranked, AlgorithmChoice.EXCLUDED_FORWARD, backend.workspaceLimit());
            return ordered.isEmpty() ? null : new Choice(ordered, new java.util.concurrent.atomic.AtomicInteger());
        }
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        if (closed) {
            throw new IllegalStateException(spec.layer() + ": the cuDNN plan was closed");
        }
        try (CudnnBackend.Lease lease = backend.lease(); Descriptors call = new Descriptors()) {
            CudnnContext ctx = lease.ctx();
            MemorySegment h = ctx.handle();
            Dims4 xd = Dims4.of(x);
            CudnnGeometry.Padded g = spec.padded();
            long in;
            if (g.explicit() || !xd.isDense(compute)) {
                in = ctx.buffer(CudnnContext.INPUT, inDims.elements() * 4);
                if (g.explicit()) {
                    check(Cudnn.cudnnSetTensor(h, xDesc, ptr(in), ZERO), "cudnnSetTensor");
                }
                Dims4 interior = inDims.withSizes(spec.n(), spec.c(), spec.h(), spec.w());
                long at = in + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4;
                check(Cudnn.cudnnTransformTensor(h, ONE, call.tensor(xd), ptr(CudnnBackend.address(x)), ZERO,
                        call.tensor(interior), ptr(at)), "cudnnTransformTensor");
            } else {
                in = CudnnBackend.address(x);
            }
            Dims4 yd = Dims4.of(y);
            boolean direct = yd.isDense(compute);
            long out = direct ? CudnnBackend.address(y) : ctx.buffer(CudnnContext.OUTPUT, outDims.elements() * 4);
            if (!fused || !runFused(ctx, in, out)) {
                int from = algorithm.start().get();
                AlgorithmChoice.Outcome o = AlgorithmChoice.firstWorking(algorithm.candidates(), from, c -> {
                    long ws = c.workspace() == 0 ? 0 : ctx.buffer(CudnnContext.WORKSPACE, c.workspace());
                    return Cudnn.cudnnConvolutionForward(h, ONE, xDesc, ptr(in), wDesc, ptr(weights), convDesc,
                            c.algo(), ptr(ws), c.workspace(), ZERO, yDesc, ptr(out));
                });
                if (o.index() != from && o.index() < algorithm.candidates().size()) {
                    algorithm.start().set(o.index());
                    LOG.log(System.Logger.Level.INFO, "{0}: cuDNN algorithm {1} failed; using {2}", spec.layer(),
                            algorithm.candidates().get(from).algo(), algorithm.candidates().get(o.index()).algo());
                }
                check(o.status(), "cudnnConvolutionForward");
                if (spec.bias()) {
                    check(Cudnn.cudnnAddTensor(h, ONE, biasDesc, ptr(biasBuffer), ONE, yDesc, ptr(out)),
                            "cudnnAddTensor");
                }
                if (spec.activation() != Activation.NONE) {
                    DeviceOps.activation(ctx, spec.activation(), outDims, out, outDims, out, compute);
                }
            }
            if (!direct) {
                check(Cudnn.cudnnTransformTensor(h, ONE, yDesc, ptr(out), ZERO, call.tensor(yd),
                        ptr(CudnnBackend.address(y))), "cudnnTransformTensor");
            }
        }
    }

    /**
     * Only the convolution call itself on dense, unpadded tensors (no staging, bias or activation): the bare cuDNN
     * cost the benchmark compares {@link #execute} with.
     */
    void executeRaw(Tensor x, Tensor y) {
        try (CudnnBackend.Lease lease = backend.lease()) {
            CudnnContext ctx = lease.ctx();
            AlgorithmChoice.Candidate c = algorithm.current();
            long ws = c.workspace() == 0 ? 0 : ctx.buffer(CudnnContext.WORKSPACE, c.workspace());
            check(Cudnn.cudnnConvolutionForward(ctx.handle(), ONE, xDesc, ptr(CudnnBackend.address(x)), wDesc,
                    ptr(weights), convDesc, c.algo(), ptr(ws), c.workspace(), ZERO, yDesc,
                    ptr(CudnnBackend.address(y))), "cudnnConvolutionForward");
        }
    }

    /** The fused call; false (and fusion off for this plan) if cuDNN does not support it for this geometry. */
    private boolean runFused(CudnnContext ctx, long in, long out) {
        AlgorithmChoice.Candidate c = algorithm.current();
        long ws = c.workspace() == 0 ? 0 : ctx.buffer(CudnnContext.WORKSPACE, c.workspace());
        int st = Cudnn.cudnnConvolutionBiasActivationForward(ctx.handle(), ONE, xDesc, ptr(in), wDesc, ptr(weights),
                convDesc, c.algo(), ptr(ws), c.workspace(), ZERO, yDesc, ptr(out), biasDesc, ptr(biasBuffer),
                actDesc, yDesc, ptr(out));
        if (AlgorithmChoice.isRetryable(st)) {
            fused = false;
            LOG.log(System.Logger.Level.INFO, "{0}: cudnnConvolutionBiasActivationForward unsupported here ({1});"
                    + " using convolution + bias + activation", spec.layer(), Native.cudnnStatusName(st));
            return false;
        }
        check(st, "cudnnConvolutionBiasActivationForward");
        return true;
    }

    /** Weights in the filter order of {@code layout}: KCRS for NCHW, KRSC for NHWC. */
    static float[] pack(float[] kcrs, Spec s, Layout layout) {
        if (layout == Layout.NCHW) {
            return kcrs;
        }
        int cg = s.c() / s.groups();
        float[] krsc = new float[kcrs.length];
        for (int k = 0; k < s.k(); k++) {
            for (int c = 0; c < cg; c++) {
                for (int r = 0; r < s.kh(); r++) {
                    for (int t = 0; t < s.kw(); t++) {
                        krsc[((k * s.kh() + r) * s.kw() + t) * cg + c] = kcrs[((k * cg + c) * s.kh() + r) * s.kw() + t];
                    }
                }
            }
        }
        return krsc;
    }

    private static long upload(float[] data) {
        return CudnnBackend.upload(data);
    }

    Layout computeLayout() {
        return compute;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        backend.forget(this);
        try {
            Native.free(weights);
            Native.free(biasBuffer);
        } finally {
            descriptors.close();
        }
    }
}
