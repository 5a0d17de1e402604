package dev.fovea.op;

/** Resolved padding in elements, (top, left, bottom, right), as handed to backends. */
public record Pads(int top, int left, int bottom, int right) {
    public boolean isSymmetric() {
        return top == bottom && left == right;
    }

    public boolean isZero() {
        return (top | left | bottom | right) == 0;
    }

    @Override
    public String toString() {
        return "(" + top + ", " + left + ", " + bottom + ", " + right + ")";
    }
}
