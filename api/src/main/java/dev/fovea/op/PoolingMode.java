package dev.fovea.op;

/** Which reduction a pooling window applies. */
public enum PoolingMode {
    /** Maximum; padded cells act as −∞. */
    MAX,
    /** Mean; the divisor follows {@code countIncludePad}. */
    AVERAGE
}
