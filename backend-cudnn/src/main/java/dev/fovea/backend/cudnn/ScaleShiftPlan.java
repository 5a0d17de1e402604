package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;

/**
 * Batch norm at inference ({@link ScaleShiftDescriptor}): {@code cudnnOpTensor} MUL by the per-channel scale
 * (broadcast {@code [1, C, 1, 1]}), {@code cudnnAddTensor} of the shift, then the activation; scale and shift are
 * uploaded once. A destination that is a channel slice or the input itself is written through a dense buffer.
 */
final class ScaleShiftPlan implements Plan {
    private final CudnnBackend backend;
    private final ScaleShiftDescriptor op;
    private final long scale;
    private final long shift;
    private final Dims4 parameter;
    private volatile boolean closed;

    ScaleShiftPlan(CudnnBackend backend, ScaleShiftDescriptor op, float[] scale, float[] shift) {
        this.backend = backend;
        this.op = op;
        this.parameter = Dims4.dense(1, scale.length, 1, 1, Layout.NCHW);
        this.scale = CudnnBackend.upload(scale);
        long s;
        try {
            s = CudnnBackend.upload(shift);
        } catch (RuntimeException e) {
            Native.free(this.scale);
            throw e;
        }
        this.shift = s;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        if (closed) {
            throw new IllegalStateException(op.layer() + ": the cuDNN plan was closed");
        }
        Layout layout = op.layout() == null ? Layout.NCHW : op.layout();
        try (CudnnBackend.Lease l = backend.lease(); Descriptors d = new Descriptors()) {
            CudnnContext ctx = l.ctx();
            Dims4 xd = Dims4.of(x);
            Dims4 yd = Dims4.of(y);
            long ya = CudnnBackend.address(y);
            DeviceOps.Out o = DeviceOps.out(ctx, CudnnContext.OUTPUT, yd, ya, layout, ya == CudnnBackend.address(x));
            DeviceOps.opTensor(ctx, Cudnn.CUDNN_OP_TENSOR_MUL, 1f, xd, CudnnBackend.address(x), 1f, parameter, scale,
                    o.dims(), o.address());
            check(Cudnn.cudnnAddTensor(ctx.handle(), ONE, d.tensor(parameter), ptr(shift), ONE, d.tensor(o.dims()),
                    ptr(o.address())), "cudnnAddTensor");
            if (op.activation() != Activation.NONE) {
                DeviceOps.activation(ctx, op.activation(), o.dims(), o.address(), o.dims(), o.address(), layout);
            }
            DeviceOps.finish(ctx, o, yd, ya);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        backend.forget(this);
        Native.free(scale);
        Native.free(shift);
    }
}
