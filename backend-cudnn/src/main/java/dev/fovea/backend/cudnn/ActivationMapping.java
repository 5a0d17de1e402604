package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;

/**
 * How each {@link Activation} reaches cuDNN: a {@code cudnnActivationMode_t} with its {@code coef}, or (hard
 * sigmoid, hard swish) a short chain of {@code cudnnOpTensor} calls ({@link DeviceOps#activation}).
 *
 * <p>{@code coef}: for {@code CUDNN_ACTIVATION_RELU} cuDNN documents it as the upper bound of the ReLU in
 * {@code cudnnConvolutionBiasActivationForward} (it clips there), so an unbounded ReLU passes the largest double,
 * as the major frameworks do; for {@code CLIPPED_RELU} it is the clip (6 for ReLU6); the other modes ignore it.
 * Every mode propagates NaN, as Fovea's activations do.
 */
final class ActivationMapping {
    private ActivationMapping() {
    }

    /** Whether cuDNN has a mode computing {@code a} in one call. */
    static boolean hasMode(Activation a) {
        return switch (a) {
            case NONE, RELU, SIGMOID, TANH, RELU6, SILU -> true;
            case HARD_SIGMOID, HARD_SWISH -> false;
        };
    }

    static int mode(Activation a) {
        return switch (a) {
            case RELU -> Cudnn.CUDNN_ACTIVATION_RELU;
            case SIGMOID -> Cudnn.CUDNN_ACTIVATION_SIGMOID;
            case TANH -> Cudnn.CUDNN_ACTIVATION_TANH;
            case NONE -> Cudnn.CUDNN_ACTIVATION_IDENTITY;
            case RELU6 -> Cudnn.CUDNN_ACTIVATION_CLIPPED_RELU;
            case SILU -> Cudnn.CUDNN_ACTIVATION_SWISH;
            case HARD_SIGMOID, HARD_SWISH -> throw new IllegalArgumentException("cuDNN has no activation mode for "
                    + a + "; it runs as cudnnOpTensor calls");
        };
    }

    static double coef(Activation a) {
        return switch (a) {
            case RELU -> Double.MAX_VALUE;
            case RELU6 -> 6.0;
            default -> 0.0;
        };
    }

    /** SiLU is swish with beta 1: {@code x · sigmoid(1 · x)}. */
    static final double SWISH_BETA = 1.0;
}
