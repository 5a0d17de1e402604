package dev.fovea.conformance;

/**
 * How close a backend's float32 result must be to the expected value, which the suite computes in double:
 * {@code |actual − expected| ≤ atol + rtol·|expected|} (the reference value computed in double). NaN never matches.
 *
 * <p>Per op:
 * <ul>
 *   <li>Convolution and dense ({@link #accumulation}): {@code atol = 1e-5 · S}, {@code rtol = 1e-5}, where S is
 *       the largest {@code Σ|x·w| + |b|} of any output (the size of what was summed, so float32 rounding in any
 *       summation order, FMA, blocking or Winograd passes; a semantic error such as one misplaced tap changes an
 *       output by about {@code S/terms} and fails). TF32 tensor-core math has a 10-bit mantissa and fails.</li>
 *   <li>Max pooling, ReLU, identity, copies ({@link #EXACT}): exact; the result is one of the inputs.</li>
 *   <li>Average pooling ({@link #average}): {@code atol = 1e-5 · max|x|}.</li>
 *   <li>Sigmoid and tanh ({@link #TRANSCENDENTAL}): {@code atol = 2e-6}, {@code rtol = 1e-5}.</li>
 *   <li>Softmax ({@link #SOFTMAX}): {@code atol = 1e-7}, {@code rtol = 1e-4} (rows of 10⁴ terms summed in float).</li>
 *   <li>Element-wise add, subtract, multiply, divide ({@link #ELEMENTWISE}): {@code rtol = 2.4e-7}, two float32
 *       roundings of the exact result (a division may be taken as {@code a·(1/b)}).</li>
 *   <li>Scale-and-shift and clamp: {@link #accumulation} of the two terms {@code |x·scale| + |shift|}.</li>
 *   <li>Local response normalization ({@link #normalization}): {@code atol = 1e-6 · max|y|}, {@code rtol = 1e-5}.</li>
 *   <li>Pad and transpose: exact (copies).</li>
 * </ul>
 */
public record Tolerance(double atol, double rtol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);
    public static final Tolerance TRANSCENDENTAL = new Tolerance(2e-6, 1e-5);
    public static final Tolerance SOFTMAX = new Tolerance(1e-7, 1e-4);
    /**
     * {@code a op b} of two float32 values: the exact result rounded once is within 2⁻²⁴ of it relatively; a
     * division taken as {@code a·(1/b)} rounds twice. {@code rtol = 2.4e-7} (2⁻²² ≈ two roundings with room).
     */
    public static final Tolerance ELEMENTWISE = new Tolerance(0, 2.4e-7);

    /**
     * Local response normalization whose largest output is {@code maxAbsOutput}: {@code y = x / d^beta} with
     * {@code d} a sum of at most {@code size} squares, so float32 summation, a float {@code pow} (or
     * {@code exp(−beta·log d)}) and the division stay well inside {@code rtol = 1e-5}; {@code atol = 1e-6·max|y|}
     * for outputs near 0.
     */
    public static Tolerance normalization(double maxAbsOutput) {
        return new Tolerance(1e-6 * maxAbsOutput, 1e-5);
    }

    /** Convolution or dense output whose largest sum of absolute terms is {@code magnitude}. */
    public static Tolerance accumulation(double magnitude) {
        return new Tolerance(1e-5 * magnitude, 1e-5);
    }

    /** Average pooling over inputs bounded by {@code maxAbsInput}. */
    public static Tolerance average(double maxAbsInput) {
        return new Tolerance(1e-5 * maxAbsInput, 1e-6);
    }

    /**
     * Added to every bound when the expected value is a finite difference: the quotient's own double rounding
     * (ReLU's gradient is exactly {@code dy}, but its difference quotient is {@code dy·(1 ± 1e-16)}).
     */
    public static final Tolerance FINITE_DIFFERENCE = new Tolerance(1e-12, 1e-9);

    /**
     * A gradient that is a sum of products (convolution backward data, filter and bias, dense backward, pooling
     * backward): as {@link #accumulation}, with {@code magnitude} a bound of {@code Σ|terms|} for any element —
     * terms per element times the largest factors (see the README's table).
     */
    public static Tolerance gradient(double magnitude) {
        return accumulation(magnitude);
    }

    /**
     * Activation backward with {@code |dy| ≤ maxAbsDy}: exact for NONE and ReLU ({@code dy} or 0); for sigmoid and
     * tanh {@code atol = 1e-6·max|dy|}, {@code rtol = 1e-5} (the derivative is taken from the float32 output y).
     */
    public static Tolerance activationGradient(dev.fovea.op.Activation a, double maxAbsDy) {
        return switch (a) {
            case NONE, RELU -> EXACT;
            default -> new Tolerance(1e-6 * maxAbsDy, 1e-5);
        };
    }

    /** Softmax backward and the cross-entropy gradient: {@code atol = 1e-6·scale}, {@code rtol = 1e-4}. */
    public static Tolerance softmaxGradient(double scale) {
        return new Tolerance(1e-6 * Math.abs(scale), 1e-4);
    }

    /** {@code a} on top of {@code b}: the sum of both bounds (a fused activation after an accumulation). */
    public Tolerance plus(Tolerance b) {
        return new Tolerance(atol + b.atol, rtol + b.rtol);
    }

    public boolean accepts(double expected, double actual) {
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected); // false for NaN
    }

    @Override
    public String toString() {
        return "atol " + atol + ", rtol " + rtol;
    }
}
