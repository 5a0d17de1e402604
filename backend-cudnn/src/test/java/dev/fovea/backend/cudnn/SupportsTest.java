package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Support;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

/** What the backend maps to cuDNN and what it declines, with the reason (pure: no library needed). */
class SupportsTest {
    private static final Shape X = Shape.nchw(2, 8, 5, 5);

    private static void declined(Support s, String part) {
        assertFalse(s.supported());
        assertTrue(s.reason().contains(part), s.reason());
    }

    @Test
    void binaryOpsMapToOpTensorExceptDivisionAndDoubleBroadcast() {
        Shape perChannel = Shape.nchw(2, 8, 1, 1);
        Shape perPixel = Shape.nchw(2, 1, 5, 5);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL}) {
            assertEquals(Support.YES, CudnnBackend.supportsOp(BinaryDescriptor.create("b", op, X, perChannel,
                    Layout.NHWC, Activation.RELU)), op.name());
            assertEquals(Support.YES, CudnnBackend.supportsOp(BinaryDescriptor.create("b", op, perChannel, X,
                    Layout.NCHW, Activation.NONE)), op + " with the first operand broadcast");
        }
        declined(CudnnBackend.supportsOp(BinaryDescriptor.create("d", BinaryOp.DIV, X, X, Layout.NCHW,
                Activation.NONE)), "DIV");
        declined(CudnnBackend.supportsOp(BinaryDescriptor.create("bb", BinaryOp.ADD, perChannel, perPixel,
                Layout.NCHW, Activation.NONE)), "broadcasting both");
    }

    @Test
    void everyActivationIsSupportedInConvolutions() {
        for (Activation a : Activation.values()) {
            assertEquals(Support.YES, CudnnBackend.supportsOp(ConvolutionDescriptor.create("c", X, Layout.NHWC,
                    ConvolutionParams.of(4, 3, 3).withActivation(a))), a.name());
        }
    }

    @Test
    void dilatedPoolingAndLrnOutsideCudnnLimitsAreDeclined() {
        declined(CudnnBackend.supportsOp(PoolingDescriptor.create("p", X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withDilation(2, 2))), "dilation 2×2");
        assertEquals(Support.YES, CudnnBackend.supportsOp(LrnDescriptor.create("l", X, Layout.NCHW, 5, 1e-4f, 0.75f,
                2f)));
        declined(CudnnBackend.supportsOp(LrnDescriptor.create("l", X, Layout.NCHW, 17, 1e-4f, 0.75f, 2f)),
                "LRN size 17");
        declined(CudnnBackend.supportsOp(LrnDescriptor.create("l", X, Layout.NCHW, 5, 1e-4f, 0.001f, 2f)),
                "LRN beta");
    }

    /** cuDNN routines with unit-width-stride requirements write channel slices through a dense buffer. */
    @Test
    void channelSlicesAreStagedDenseTensorsAreNot() {
        Dims4 concat = Dims4.dense(2, 12, 5, 5, Layout.NHWC);
        Dims4 slice = concat.withSizes(2, 8, 5, 5);
        assertFalse(DeviceOps.dense(slice));
        assertTrue(DeviceOps.dense(Dims4.dense(2, 8, 5, 5, Layout.NHWC)));
        assertTrue(DeviceOps.dense(Dims4.dense(2, 8, 5, 5, Layout.NCHW)));
        assertFalse(DeviceOps.dense(Dims4.dense(2, 12, 5, 5, Layout.NCHW).withSizes(2, 8, 5, 5)));
    }
}
