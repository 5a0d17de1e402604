package dev.fovea.backend.cudnn;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.spi.Backend;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The probe's last step: one 3×3 input convolved with a 2×2 filter plus bias and ReLU on the device (the fused
 * path, so the engines, cuBLASLt and NVRTC get loaded and used as a real network would), compared exactly with
 * the values worked out here (small integers, exact in float32).
 */
final class SmokeTest {
    private SmokeTest() {
    }

    static final ConvolutionDescriptor OP = ConvolutionDescriptor.create("probe", Shape.nchw(1, 1, 3, 3),
            Layout.NCHW, ConvolutionParams.of(1, 2, 2).withBias(true).withActivation(Activation.RELU));
    static final float[] INPUT = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static final float[] FILTER = {1, 0, -1, 2};
    static final float[] BIAS = {-10};
    /**
     * y[p][q] = x[p][q] − x[p+1][q] + 2·x[p+1][q+1] − 10, then ReLU:
     * 1−4+10−10 = −3, 2−5+12−10 = −1, 4−7+16−10 = 3, 5−8+18−10 = 5.
     */
    static final float[] EXPECTED = {0, 0, 3, 5};

    /** Null when {@code backend} (a device backend: its own memory) computes {@link #EXPECTED}, else what differs. */
    static String convolve(Backend backend) {
        try (TensorScope scope = new TensorScope()) {
            Tensor x = host(scope, OP.input(), INPUT);
            Tensor w = host(scope, Shape.nchw(1, 1, 2, 2), FILTER);
            Tensor b = host(scope, Shape.of(1), BIAS);
            Tensor dx = backend.allocate(x.shape(), Layout.NCHW, scope);
            Tensor dy = backend.allocate(OP.output(), Layout.NCHW, scope);
            Tensor y = scope.allocate(OP.output(), Layout.NCHW);
            backend.copy(x, dx);
            try (Plan plan = backend.planConvolution(OP, w, b)) {
                plan.execute(dx, dy);
            }
            backend.copy(dy, y);
            float[] got = y.toArray();
            return Arrays.equals(got, EXPECTED) ? null
                    : "expected " + Arrays.toString(EXPECTED) + ", got " + Arrays.toString(got);
        }
    }

    private static Tensor host(TensorScope scope, Shape shape, float[] values) {
        Tensor t = scope.allocate(shape, Layout.NCHW);
        for (int i = 0; i < values.length; i++) {
            t.buffer().setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i]);
        }
        return t;
    }
}
