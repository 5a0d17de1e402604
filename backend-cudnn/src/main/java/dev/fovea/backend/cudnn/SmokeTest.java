package dev.fovea.backend.cudnn;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;

/**
 * The probe's last step: one 3×3 input convolved with a 2×2 filter plus bias and ReLU on the device (the fused
 * path, so the engines, cuBLASLt and NVRTC get loaded and used as a real network would), compared exactly with
 * the values worked out here (small integers, exact in float32).
 */
final class SmokeTest {
    private SmokeTest() {
    }

    /** Null when the device's result is right, else what differs. */
    static String convolve(CudnnBackend backend) {
        ConvolutionDescriptor op = ConvolutionDescriptor.create("probe", Shape.nchw(1, 1, 3, 3), Layout.NCHW,
                ConvolutionParams.of(1, 2, 2).withBias(true).withActivation(dev.fovea.op.Activation.RELU));
        try (TensorScope scope = new TensorScope()) {
            Tensor x = scope.allocate(Shape.nchw(1, 1, 3, 3), Layout.NCHW);
            float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            for (int i = 0; i < in.length; i++) {
                x.buffer().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, in[i]);
            }
            Tensor w = scope.allocate(Shape.nchw(1, 1, 2, 2), Layout.NCHW);
            float[] filter = {1, 0, -1, 2};
            for (int i = 0; i < filter.length; i++) {
                w.buffer().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, filter[i]);
            }
            Tensor b = scope.allocate(Shape.of(1), Layout.NCHW);
            b.buffer().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, -10f);
            // y[p][q] = x[p][q] − x[p+1][q] + 2·x[p+1][q+1] − 10, then ReLU:
            // 1−4+10−10 = −3, 2−5+12−10 = −1, 4−7+16−10 = 3, 5−8+18−10 = 5.
            float[] expected = {0, 0, 3, 5};
            Tensor dx = backend.allocate(x.shape(), Layout.NCHW, scope);
            Tensor dy = backend.allocate(op.output(), Layout.NCHW, scope);
            Tensor y = scope.allocate(op.output(), Layout.NCHW);
            backend.copy(x, dx);
            try (Plan plan = backend.planConvolution(op, w, b)) {
                plan.execute(dx, dy);
            }
            backend.copy(dy, y);
            float[] got = y.toArray();
            return Arrays.equals(got, expected) ? null
                    : "expected " + Arrays.toString(expected) + ", got " + Arrays.toString(got);
        }
    }
}
