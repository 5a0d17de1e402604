package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.ZERO;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The backward ops on cuDNN: {@code cudnnConvolutionBackwardData/Filter/Bias} (in NCHW, see
 * {@link BackwardConvolution}; NHWC and padded tensors staged through scratch buffers), {@code cudnnPoolingBackward}
 * (with the forward's padded input rebuilt and the average divisor's rescaling applied to dy first),
 * {@code cudnnActivationBackward} and {@code cudnnSoftmaxBackward}. The loss reads the log-softmax of the logits
 * (computed on the device) on the host: {@code [N, F]} values, a few kilobytes per step.
 */
final class Training {
    private Training() {
    }

    private static BackwardConvolution.Key key(CudnnBackend b, ConvolutionDescriptor op, CudnnGeometry.Padded g) {
        return new BackwardConvolution.Key(op.input().n(), op.input().c(), g.paddedH(op.input().h()),
                g.paddedW(op.input().w()), op.filters(), op.kernelH(), op.kernelW(), g.padH(), g.padW(),
                op.strideH(), op.strideW(), op.dilationH(), op.dilationW(), op.groups(), op.output().h(),
                op.output().w(), b.mathType());
    }

    /** {@code t} as dense NCHW: itself, or transformed into scratch {@code slot}. */
    private static long nchw(CudnnContext ctx, Tensor t, int slot) {
        Dims4 d = Dims4.of(t);
        Dims4 dense = DeviceOps.denseLike(d, Layout.NCHW);
        if (d.equals(dense)) {
            return CudnnBackend.address(t);
        }
        long s = ctx.buffer(slot, dense.elements() * 4);
        DeviceOps.transform(ctx, d, CudnnBackend.address(t), dense, s);
        return s;
    }

    /** Uploads contiguous host floats (weights given to a backward call) into the WEIGHTS slot. */
    private static long uploadHost(CudnnContext ctx, Tensor host) {
        long bytes = host.shape().elementCount() * 4;
        long dev = ctx.buffer(CudnnContext.WEIGHTS, bytes);
        Native.memcpy(dev, host.buffer().address() + host.offset() * 4, bytes, CudaRuntime.cudaMemcpyHostToDevice);
        return dev;
    }

    static void convolutionData(CudnnBackend b, CudnnContext ctx, ConvolutionDescriptor op, Tensor weights,
                                Tensor dy, Tensor dx) {
        CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
        BackwardConvolution bc = b.backward(ctx, key(b, op, g));
        long w = uploadHost(ctx, weights);
        long dyN = nchw(ctx, dy, CudnnContext.GRAD);
        Dims4 dxd = Dims4.of(dx);
        Dims4 padded = bc.xDims();
        if (!g.explicit() && dxd.equals(padded)) {
            bc.data(ctx, w, dyN, CudnnBackend.address(dx));
            return;
        }
        long tmp = ctx.buffer(CudnnContext.OUTPUT, padded.elements() * 4);
        bc.data(ctx, w, dyN, tmp);
        // The interior of the padded gradient is the input's; what fell on explicit padding is dropped.
        Dims4 interior = padded.withSizes(op.input().n(), op.input().c(), op.input().h(), op.input().w());
        DeviceOps.transform(ctx, interior, tmp + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4, dxd,
                CudnnBackend.address(dx));
    }

    static void convolutionFilter(CudnnBackend b, CudnnContext ctx, ConvolutionDescriptor op, Tensor x, Tensor dy,
                                  Tensor dw) {
        CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
        BackwardConvolution bc = b.backward(ctx, key(b, op, g));
        Dims4 padded = bc.xDims();
        long xN;
        if (!g.explicit()) {
            xN = nchw(ctx, x, CudnnContext.INPUT);
        } else {
            xN = ctx.buffer(CudnnContext.INPUT, padded.elements() * 4);
            try (Descriptors d = new Descriptors()) {
                check(Cudnn.cudnnSetTensor(ctx.handle(), d.tensor(padded), ptr(xN), ZERO), "cudnnSetTensor");
            }
            Dims4 interior = padded.withSizes(op.input().n(), op.input().c(), op.input().h(), op.input().w());
            DeviceOps.transform(ctx, Dims4.of(x), CudnnBackend.address(x), interior,
                    xN + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4);
        }
        long dyN = nchw(ctx, dy, CudnnContext.GRAD);
        bc.filter(ctx, xN, dyN, CudnnBackend.address(dw));
    }

    /** {@code db[k] = Σ dy[n, k, p, q]}; a strided dy (channel slice) is made dense first. */
    static void bias(CudnnContext ctx, Tensor dy, Tensor db) {
        Dims4 dyd = Dims4.of(dy);
        long dya = CudnnBackend.address(dy);
        if (!DeviceOps.dense(dyd)) {
            dya = nchw(ctx, dy, CudnnContext.GRAD);
            dyd = DeviceOps.denseLike(dyd, Layout.NCHW);
        }
        try (Descriptors d = new Descriptors()) {
            check(Cudnn.cudnnConvolutionBackwardBias(ctx.handle(), ONE, d.tensor(dyd), ptr(dya), ZERO,
                    d.tensor(Dims4.dense(1, db.shape().dim(0), 1, 1, Layout.NCHW)), ptr(CudnnBackend.address(db))),
                    "cudnnConvolutionBackwardBias");
        }
    }

    /**
     * Dense as 1×1 convolutions: {@code dx} by backward data with the filters {@code [U, F]} (W transposed),
     * {@code dw [F, U]} by backward filter with the roles of x and dy swapped (Σ_n x[n, f]·dy[n, u] is the
     * filter gradient of a convolution of dy by F filters), {@code db} by backward bias.
     */
    static void dense(CudnnBackend b, CudnnContext ctx, DenseDescriptor op, Tensor weights, Tensor x, Tensor dy,
                      Tensor dx, Tensor dw, Tensor db) {
        int n = op.input().n();
        int f = op.input().c();
        int u = op.units();
        long xN = nchw(ctx, x, CudnnContext.INPUT);
        long dyN = nchw(ctx, dy, CudnnContext.GRAD);
        if (dx != null) {
            BackwardConvolution data = b.backward(ctx, new BackwardConvolution.Key(n, f, 1, 1, u, 1, 1, 0, 0, 1, 1,
                    1, 1, 1, 1, 1, b.mathType()));
            long wt = ctx.buffer(CudnnContext.WEIGHTS, (long) f * u * 4);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment host = a.allocateFrom(ValueLayout.JAVA_FLOAT, CudnnBackend.transpose(weights.toArray(),
                        f, u));
                Native.memcpy(wt, host.address(), (long) f * u * 4, CudaRuntime.cudaMemcpyHostToDevice);
            }
            Dims4 dxd = Dims4.of(dx);
            DeviceOps.Out o = DeviceOps.out(ctx, CudnnContext.OUTPUT, dxd, CudnnBackend.address(dx), Layout.NCHW,
                    !dxd.isDense(Layout.NCHW));
            data.data(ctx, wt, dyN, o.address());
            DeviceOps.finish(ctx, o, dxd, CudnnBackend.address(dx));
        }
        BackwardConvolution swapped = b.backward(ctx, new BackwardConvolution.Key(n, u, 1, 1, f, 1, 1, 0, 0, 1, 1,
                1, 1, 1, 1, 1, b.mathType()));
        swapped.filter(ctx, dyN, xN, CudnnBackend.address(dw));
        if (db != null) {
            try (Descriptors d = new Descriptors()) {
                check(Cudnn.cudnnConvolutionBackwardBias(ctx.handle(), ONE, d.tensor(Dims4.dense(n, u, 1, 1,
                        Layout.NCHW)), ptr(dyN), ZERO, d.tensor(Dims4.dense(1, u, 1, 1, Layout.NCHW)),
                        ptr(CudnnBackend.address(db))), "cudnnConvolutionBackwardBias");
            }
        }
    }

    /**
     * {@code cudnnPoolingBackward} on the forward's geometry: {@code in} is the (padded) input as the forward
     * saw it. Average pooling with a rescaled divisor multiplies dy by the same per-position factor first (the
     * forward's {@code y = cudnnAverage · s}, so {@code dx = cudnnAverageBackward(dy · s)}). Max pooling uses
     * {@code CUDNN_POOLING_MAX_DETERMINISTIC}. Strided y, dy and dx are staged (unit width stride).
     */
    static void pooling(CudnnContext ctx, PoolingDescriptor op, CudnnGeometry.PoolingPlan plan, Dims4 inDims,
                        long in, long scale, Dims4 scaleDims, Tensor y, Tensor dy, Tensor dx) {
        CudnnGeometry.Padded g = plan.padded();
        Layout layout = op.layout();
        Dims4 yd = Dims4.of(y);
        Dims4 dyd = Dims4.of(dy);
        long ya = CudnnBackend.address(y);
        long dya = CudnnBackend.address(dy);
        Dims4 outDense = DeviceOps.denseLike(yd, layout);
        if (!DeviceOps.dense(yd)) {
            long t = ctx.buffer(CudnnContext.T1, outDense.elements() * 4);
            DeviceOps.transform(ctx, yd, ya, outDense, t);
            yd = outDense;
            ya = t;
        }
        if (plan.rescale()) {
            long t = ctx.buffer(CudnnContext.T2, outDense.elements() * 4);
            DeviceOps.opTensor(ctx, Cudnn.CUDNN_OP_TENSOR_MUL, 1f, dyd, dya, 1f, scaleDims, scale, outDense, t);
            dyd = outDense;
            dya = t;
        } else if (!DeviceOps.dense(dyd)) {
            long t = ctx.buffer(CudnnContext.T2, outDense.elements() * 4);
            DeviceOps.transform(ctx, dyd, dya, outDense, t);
            dyd = outDense;
            dya = t;
        }
        Dims4 dxd = Dims4.of(dx);
        long dxa = CudnnBackend.address(dx);
        boolean direct = !g.explicit() && DeviceOps.dense(dxd);
        long target = direct ? dxa : ctx.buffer(CudnnContext.OUTPUT, inDims.elements() * 4);
        Dims4 targetDims = direct ? dxd : DeviceOps.denseLike(inDims, layout);
        int mode = op.mode() == PoolingMode.MAX ? Cudnn.CUDNN_POOLING_MAX_DETERMINISTIC : plan.cudnnMode();
        try (Descriptors d = new Descriptors()) {
            MemorySegment pool = d.pooling(mode, Cudnn.CUDNN_PROPAGATE_NAN, op.kernelH(), op.kernelW(), g.padH(),
                    g.padW(), op.strideH(), op.strideW());
            check(Cudnn.cudnnPoolingBackward(ctx.handle(), pool, ONE, d.tensor(yd), ptr(ya), d.tensor(dyd), ptr(dya),
                    d.tensor(inDims), ptr(in), ZERO, d.tensor(targetDims), ptr(target)), "cudnnPoolingBackward");
        }
        if (!direct) {
            Dims4 interior = targetDims.withSizes(op.input().n(), op.input().c(), op.input().h(), op.input().w());
            DeviceOps.transform(ctx, interior, target + interior.offset(0, 0, g.extraTop(), g.extraLeft()) * 4, dxd,
                    dxa);
        }
    }

    /** From the forward's output: cuDNN is given y for x too (ReLU, sigmoid and tanh gradients need only y). */
    static void activation(CudnnContext ctx, Activation act, Tensor y, Tensor dy, Tensor dx) {
        Dims4 dyd = Dims4.of(dy);
        Dims4 dxd = Dims4.of(dx);
        if (act == Activation.NONE) {
            if (CudnnBackend.address(dy) != CudnnBackend.address(dx) || !dyd.equals(dxd)) {
                DeviceOps.transform(ctx, dyd, CudnnBackend.address(dy), dxd, CudnnBackend.address(dx));
            }
            return;
        }
        try (Descriptors d = new Descriptors()) {
            MemorySegment yDesc = d.tensor(Dims4.of(y));
            check(Cudnn.cudnnActivationBackward(ctx.handle(), d.activation(act), ONE, yDesc,
                    ptr(CudnnBackend.address(y)), d.tensor(dyd), ptr(CudnnBackend.address(dy)), yDesc,
                    ptr(CudnnBackend.address(y)), ZERO, d.tensor(dxd), ptr(CudnnBackend.address(dx))),
                    "cudnnActivationBackward");
        }
    }

    /**
     * Row loss {@code −log softmax(z)[label]} from cuDNN's {@code CUDNN_SOFTMAX_LOG} (max subtracted), and
     * {@code dx = scale · (softmax(z) − onehot)} written back to the device.
     */
    static double softmaxCrossEntropy(CudnnBackend b, CudnnContext ctx, Tensor logits, int[] labels, float scale,
                                      Tensor dx) {
        int n = logits.shape().dim(0);
        int f = logits.shape().dim(1);
        Dims4 dense = Dims4.dense(n, f, 1, 1, Layout.NCHW);
        long logp = ctx.buffer(CudnnContext.T1, dense.elements() * 4);
        try (Descriptors d = new Descriptors()) {
            check(Cudnn.cudnnSoftmaxForward(ctx.handle(), Cudnn.CUDNN_SOFTMAX_LOG, Cudnn.CUDNN_SOFTMAX_MODE_INSTANCE,
                    ONE, d.tensor(Dims4.of(logits)), ptr(CudnnBackend.address(logits)), ZERO, d.tensor(dense),
                    ptr(logp)), "cudnnSoftmaxForward");
        }
        try (TensorScope host = new TensorScope()) {
            Tensor lp = host.allocate(logits.shape(), Layout.NCHW);
            Native.memcpy(lp.buffer().address(), logp, dense.elements() * 4, CudaRuntime.cudaMemcpyDeviceToHost);
            MemorySegment m = lp.buffer();
            double total = 0;
            for (int i = 0; i < n; i++) {
                total -= m.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * f + labels[i]);
            }
            if (dx != null) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < f; j++) {
                        long at = (long) i * f + j;
                        double p = Math.exp(m.getAtIndex(ValueLayout.JAVA_FLOAT, at));
                        m.setAtIndex(ValueLayout.JAVA_FLOAT, at, (float) (scale * (p - (j == labels[i] ? 1 : 0))));
                    }
                }
                b.copy(ctx, lp, dx);
            }
            return total;
        }
    }
}
