package dev.fovea.op;

/** Element-wise activation, standalone or fused into a convolution or dense layer. */
public enum Activation {
    /** Identity. */
    NONE,
    /** {@code max(x, 0)}; NaN stays NaN. */
    RELU,
    /** {@code 1 / (1 + exp(−x))}. */
    SIGMOID,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code min(max(x, 0), 6)} (MobileNet's ReLU6; ONNX {@code Clip(0, 6)}). */
    RELU6,
    /** {@code min(max(x/6 + 1/2, 0), 1)} (PyTorch's {@code Hardsigmoid}; ONNX {@code HardSigmoid(1/6, 1/2)}). */
    HARD_SIGMOID,
    /** {@code x · hardSigmoid(x)} (MobileNetV3's {@code Hardswish}). */
    HARD_SWISH,
    /** {@code x · sigmoid(x)} (EfficientNet's SiLU, also called swish). */
    SILU;

    /**
     * The activation applied to one value, in double (the reference's definition). Every activation propagates
     * NaN ({@code Math.min}/{@code Math.max} semantics), as PyTorch and ONNX Runtime do.
     */
    public double apply(double x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> Math.max(x, 0); // NaN stays NaN
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU6 -> Math.min(Math.max(x, 0), 6);
            case HARD_SIGMOID -> hardSigmoid(x);
            case HARD_SWISH -> x * hardSigmoid(x);
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    /** Whether {@code activationBackward} can compute this activation's gradient from its output alone. */
    public boolean hasOutputGradient() {
        return this == NONE || this == RELU || this == SIGMOID || this == TANH;
    }

    private static double hardSigmoid(double x) {
        return Math.min(Math.max(x / 6 + 0.5, 0), 1);
    }
}
