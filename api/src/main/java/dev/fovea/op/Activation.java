package dev.fovea.op;

/** Element-wise activation, standalone or fused into a convolution or dense layer. */
public enum Activation {
    /** Identity. */
    NONE,
    /** {@code max(x, 0)}. */
    RELU,
    /** {@code 1 / (1 + exp(−x))}. */
    SIGMOID,
    /** {@code tanh(x)}. */
    TANH;

    /** The activation applied to one value, in double (the reference's definition). */
    public double apply(double x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> x > 0 ? x : 0;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }
}
