package dev.fovea.backend.cudnn;

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
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The element-wise and data-movement ops on the device, as cuDNN calls: activations
 * ({@code cudnnActivationForward}, or {@code cudnnOpTensor} MAX/MIN chains for the clamps), binary ops with
 * broadcasting ({@code cudnnOpTensor}), LRN ({@code cudnnLRNCrossChannelForward}), constant padding
 * ({@code cudnnSetTensor} then {@code cudnnTransformTensor} into the interior) and transposes
 * ({@code cudnnTransformTensor} with permuted strides). Data never leaves the device.
 *
 * <p>Destinations that are not dense (channel slices of a concatenation) are written through a dense scratch
 * tensor and one {@code cudnnTransformTensor}: several cuDNN routines document unit-width-stride or packed
 * requirements, and the transform accepts any strides. No call here writes a buffer it also reads, except
 * {@code cudnnActivationForward} and {@code cudnnAddTensor}, which cuDNN documents as in-place capable.
 */
final class DeviceOps {
    private DeviceOps() {
    }

    /** Where an op writes: the destination itself when dense, else a scratch slot transformed afterwards. */
    record Out(long address, Dims4 dims, boolean staged) {
    }

    static boolean dense(Dims4 d) {
        return d.isDense(Layout.NCHW) || d.isDense(Layout.NHWC);
    }

    static Dims4 denseLike(Dims4 d, Layout layout) {
        return Dims4.dense(d.n(), d.c(), d.h(), d.w(), layout);
    }

    /** {@code y} when dense and not aliased by an input, else scratch {@code slot} (dense in {@code layout}). */
    static Out out(CudnnContext ctx, int slot, Dims4 yd, long y, Layout layout, boolean aliased) {
        if (dense(yd) && !aliased) {
            return new Out(y, yd, false);
        }
        Dims4 d = denseLike(yd, layout);
        return new Out(ctx.buffer(slot, d.elements() * 4), d, true);
    }

    /** Moves a staged result into the destination. */
    static void finish(CudnnContext ctx, Out o, Dims4 yd, long y) {
        if (o.staged()) {
            transform(ctx, o.dims(), o.address(), yd, y);
        }
    }

    static void transform(CudnnContext ctx, Dims4 from, long src, Dims4 to, long dst) {
        try (Descriptors d = new Descriptors()) {
            check(Cudnn.cudnnTransformTensor(ctx.handle(), ONE, d.tensor(from), ptr(src), ZERO, d.tensor(to),
                    ptr(dst)), "cudnnTransformTensor");
        }
    }

    /** Uploads a few floats (constants of one call) into the context's WEIGHTS slot; their device address. */
    static long constants(CudnnContext ctx, float... values) {
        long dev = ctx.buffer(CudnnContext.WEIGHTS, values.length * 4L);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            Native.memcpy(dev, host.address(), values.length * 4L, CudaRuntime.cudaMemcpyHostToDevice);
        }
        return dev;
    }

    private static final Dims4 SCALAR = Dims4.dense(1, 1, 1, 1, Layout.NCHW);

    /** {@code c = op(alpha1·a, alpha2·b)}; b may broadcast (size 1 along an axis), a and c have the full shape. */
    static void opTensor(CudnnContext ctx, int op, float alpha1, Dims4 ad, long a, float alpha2, Dims4 bd, long b,
                         Dims4 cd, long c) {
        try (Descriptors d = new Descriptors(); Arena arena = Arena.ofConfined()) {
            check(Cudnn.cudnnOpTensor(ctx.handle(), d.opTensor(op), arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha1),
                    d.tensor(ad), ptr(a), arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha2), d.tensor(bd), ptr(b),
                    ZERO, d.tensor(cd), ptr(c)), "cudnnOpTensor");
        }
    }

    // ---- activations and clamps ----

    /** {@code y = act(x)}; {@code y} may be {@code x}. */
    static void activation(CudnnContext ctx, Activation act, Dims4 xd, long x, Dims4 yd, long y, Layout layout) {
        switch (act) {
            case NONE -> {
                if (x != y || !xd.equals(yd)) {
                    transform(ctx, xd, x, yd, y);
                }
            }
            case HARD_SIGMOID -> clamp(ctx, 1f / 6, 0.5f, 0f, 1f, xd, x, yd, y, layout);
            case HARD_SWISH -> {
                // x · hardSigmoid(x): the clamp into T3, then one multiplication.
                Dims4 td = denseLike(xd, layout);
                long t = ctx.buffer(CudnnContext.T3, td.elements() * 4);
                clamp(ctx, 1f / 6, 0.5f, 0f, 1f, xd, x, td, t, layout);
                Out o = out(ctx, CudnnContext.T1, yd, y, layout, x == y);
                opTensor(ctx, Cudnn.CUDNN_OP_TENSOR_MUL, 1f, xd, x, 1f, td, t, o.dims(), o.address());
                finish(ctx, o, yd, y);
            }
            default -> {
                Out o = dense(yd) ? new Out(y, yd, false) : out(ctx, CudnnContext.T1, yd, y, layout, false);
                try (Descriptors d = new Descriptors()) {
                    check(Cudnn.cudnnActivationForward(ctx.handle(), d.activation(act), ONE, d.tensor(xd), ptr(x),
                            ZERO, d.tensor(o.dims()), ptr(o.address())), "cudnnActivationForward");
                }
                finish(ctx, o, yd, y);
            }
        }
    }

    /**
     * {@code y = min(max(alpha·x + beta, min), max)} as up to three {@code cudnnOpTensor} calls (ADD with a
     * broadcast constant, MAX, MIN; NaN propagated), each writing another buffer than it reads: T1/T2 in turn,
     * the last one into {@code y}. Steps that change nothing (alpha 1 and beta 0, an infinite bound) are skipped.
     */
    static void clamp(CudnnContext ctx, float alpha, float beta, float min, float max, Dims4 xd, long x, Dims4 yd,
                      long y, Layout layout) {
        long k = constants(ctx, beta, min, max);
        boolean affine = alpha != 1f || beta != 0f;
        boolean lower = min != Float.NEGATIVE_INFINITY;
        boolean upper = max != Float.POSITIVE_INFINITY;
        int steps = (affine ? 1 : 0) + (lower ? 1 : 0) + (upper ? 1 : 0);
        if (steps == 0) {
            transform(ctx, xd, x, yd, y);
            return;
        }
        Dims4 td = denseLike(xd, layout);
        int[] slots = {CudnnContext.T1, CudnnContext.T2};
        Dims4 srcDims = xd;
        long src = x;
        int done = 0;
        int[] ops = {Cudnn.CUDNN_OP_TENSOR_ADD, Cudnn.CUDNN_OP_TENSOR_MAX, Cudnn.CUDNN_OP_TENSOR_MIN};
        boolean[] wanted = {affine, lower, upper};
        for (int i = 0; i < 3; i++) {
            if (!wanted[i]) {
                continue;
            }
            done++;
            boolean last = done == steps;
            Out o = last ? out(ctx, slots[done % 2], yd, y, layout, false)
                    : new Out(ctx.buffer(slots[done % 2], td.elements() * 4), td, true);
            if (last && src == y) {
                o = out(ctx, slots[done % 2], yd, y, layout, true);
            }
            opTensor(ctx, ops[i], i == 0 ? alpha : 1f, srcDims, src, 1f, SCALAR, k + i * 4L, o.dims(), o.address());
            if (last) {
                finish(ctx, o, yd, y);
            }
            srcDims = o.dims();
            src = o.address();
        }
    }

    static void clamp(CudnnContext ctx, ClampDescriptor op, Tensor x, Tensor y) {
        clamp(ctx, op.alpha(), op.beta(), op.min(), op.max(), Dims4.of(x), CudnnBackend.address(x), Dims4.of(y),
                CudnnBackend.address(y), op.layout());
    }

    // ---- binary ----

    /**
     * {@code y = act(a op b)}: cuDNN broadcasts only its second operand, so the operand with the output's shape
     * goes first (ADD and MUL commute; a − b with a broadcast is {@code −1·b + 1·a}). Supported: ADD, SUB, MUL
     * with at most one broadcast operand ({@link CudnnBackend#supportsOp}).
     */
    static void binary(CudnnContext ctx, BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        boolean aFull = a.shape().equals(op.output());
        Tensor first = aFull ? a : b;
        Tensor second = aFull ? b : a;
        float alphaFirst = 1f;
        float alphaSecond = 1f;
        if (op.op() == BinaryOp.SUB) {
            if (aFull) {
                alphaSecond = -1f;
            } else {
                alphaFirst = -1f;
            }
        }
        int cudnnOp = op.op() == BinaryOp.MUL ? Cudnn.CUDNN_OP_TENSOR_MUL : Cudnn.CUDNN_OP_TENSOR_ADD;
        long ya = CudnnBackend.address(y);
        Dims4 yd = Dims4.of(y);
        boolean aliased = ya == CudnnBackend.address(a) || ya == CudnnBackend.address(b);
        Out o = out(ctx, CudnnContext.OUTPUT, yd, ya, op.layout(), aliased);
        opTensor(ctx, cudnnOp, alphaFirst, Dims4.of(first), CudnnBackend.address(first), alphaSecond,
                Dims4.of(second), CudnnBackend.address(second), o.dims(), o.address());
        if (op.activation() != Activation.NONE) {
            activation(ctx, op.activation(), o.dims(), o.address(), o.dims(), o.address(), op.layout());
        }
        finish(ctx, o, yd, ya);
    }

    // ---- LRN, pad, transpose ----

    /** cuDNN's LRN window equals Fovea's ({@code ⌊(n−1)/2⌋} channels before, the rest after); computed in NCHW. */
    static void lrn(CudnnContext ctx, LrnDescriptor op, Tensor x, Tensor y) {
        Dims4 xd = Dims4.of(x);
        Dims4 yd = Dims4.of(y);
        Dims4 nchw = denseLike(xd, Layout.NCHW);
        long in = CudnnBackend.address(x);
        if (!xd.equals(nchw)) {
            long t = ctx.buffer(CudnnContext.INPUT, nchw.elements() * 4);
            transform(ctx, xd, in, nchw, t);
            in = t;
        }
        long ya = CudnnBackend.address(y);
        Out o = yd.equals(nchw) ? new Out(ya, yd, false)
                : new Out(ctx.buffer(CudnnContext.OUTPUT, nchw.elements() * 4), nchw, true);
        try (Descriptors d = new Descriptors()) {
            MemorySegment desc = d.tensor(nchw);
            check(Cudnn.cudnnLRNCrossChannelForward(ctx.handle(), d.lrn(op.size(), op.alpha(), op.beta(), op.bias()),
                    Cudnn.CUDNN_LRN_CROSS_CHANNEL_DIM1, ONE, desc, ptr(in), ZERO, desc, ptr(o.address())),
                    "cudnnLRNCrossChannelForward");
        }
        finish(ctx, o, yd, ya);
    }

    /** The value everywhere ({@code cudnnSetTensor}), then the input into the interior. */
    static void pad(CudnnContext ctx, PadDescriptor op, Tensor x, Tensor y) {
        int rank = x.shape().rank();
        long[] ys = y.strides();
        long offset = 0;
        for (int a = 0; a < rank; a++) {
            offset += op.before()[a] * ys[a];
        }
        Dims4 yd = Dims4.of(y);
        long ya = CudnnBackend.address(y);
        try (Descriptors d = new Descriptors(); Arena arena = Arena.ofConfined()) {
            check(Cudnn.cudnnSetTensor(ctx.handle(), d.tensor(yd), ptr(ya),
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, op.value())), "cudnnSetTensor");
        }
        Dims4 interior = Dims4.of(y.shape().rank(), x.shape().dims(), ys);
        transform(ctx, Dims4.of(x), CudnnBackend.address(x), interior, ya + offset * 4);
    }

    /** {@code y[i] = x[j]} with {@code j[perm[i]] = i}: x read through its strides permuted into y's axis order. */
    static void transpose(CudnnContext ctx, TransposeDescriptor op, Tensor x, Tensor y) {
        int[] perm = op.perm();
        long[] xs = x.strides();
        long[] permuted = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            permuted[i] = xs[perm[i]];
        }
        Dims4 view = Dims4.of(perm.length, y.shape().dims(), permuted);
        transform(ctx, view, CudnnBackend.address(x), Dims4.of(y), CudnnBackend.address(y));
    }
}
