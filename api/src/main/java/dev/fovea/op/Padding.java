package dev.fovea.op;

/**
 * How a convolution or pooling window treats the border; {@link Windows} applies these rules.
 * <ul>
 *   <li>{@link #VALID}: no padding; {@code out = floor((in − e)/s) + 1}.</li>
 *   <li>{@link #SAME}: TensorFlow's rule; {@code out = ceil(in/s)}, the odd padding pixel goes after (bottom/right).</li>
 *   <li>{@link #SAME_LOWER}: as SAME, the odd pixel goes before (ONNX {@code SAME_LOWER}).</li>
 *   <li>{@link #FULL}: {@code e − 1} on every side.</li>
 *   <li>{@link #explicit(int, int, int, int)}: (top, left, bottom, right), may be asymmetric.</li>
 * </ul>
 * Here {@code e = d·(k − 1) + 1} is the dilated kernel size.
 */
public record Padding(Mode mode, int top, int left, int bottom, int right) {
    public enum Mode { VALID, SAME, SAME_LOWER, FULL, EXPLICIT }

    public static final Padding VALID = new Padding(Mode.VALID, 0, 0, 0, 0);
    public static final Padding SAME = new Padding(Mode.SAME, 0, 0, 0, 0);
    public static final Padding SAME_LOWER = new Padding(Mode.SAME_LOWER, 0, 0, 0, 0);
    public static final Padding FULL = new Padding(Mode.FULL, 0, 0, 0, 0);

    public Padding {
        if (mode == null) {
            throw new IllegalArgumentException("padding mode must not be null");
        }
        if (mode != Mode.EXPLICIT && (top | left | bottom | right) != 0) {
            throw new IllegalArgumentException("padding " + mode + " takes no explicit pads");
        }
    }

    /** Explicit pads in the fixed order (top, left, bottom, right). Negative values are reported at validation. */
    public static Padding explicit(int top, int left, int bottom, int right) {
        return new Padding(Mode.EXPLICIT, top, left, bottom, right);
    }

    /** The same explicit pad {@code p} on every side (the P of CS231n-style formulas). */
    public static Padding explicit(int p) {
        return explicit(p, p, p, p);
    }

    @Override
    public String toString() {
        return mode == Mode.EXPLICIT ? "pads(" + top + ", " + left + ", " + bottom + ", " + right + ")" : mode.name();
    }
}
