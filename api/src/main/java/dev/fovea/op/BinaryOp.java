package dev.fovea.op;

/** An element-wise operation of two tensors ({@link BinaryDescriptor}). */
public enum BinaryOp {
    /** {@code a + b} (residual connections). */
    ADD,
    /** {@code a − b}. */
    SUB,
    /** {@code a · b} (squeeze-and-excitation's channel scaling). */
    MUL,
    /** {@code a / b} (IEEE: x/0 is ±∞ or NaN). */
    DIV;

    /** The operation on one pair of values, in double (the reference's definition). */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }
}
