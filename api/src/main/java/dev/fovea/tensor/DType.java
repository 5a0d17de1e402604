package dev.fovea.tensor;

/**
 * Element type of a tensor. Only {@link #F32} is computed today; the half-precision types are declared
 * so that storage, files and the SPI have room for them (ops reject them during validation).
 */
public enum DType {
    F32(4, "F32"),
    F16(2, "F16"),
    BF16(2, "BF16");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name used by the safetensors format ({@code "F32"}, {@code "F16"}, {@code "BF16"}). */
    public String safetensorsName() {
        return safetensorsName;
    }
}
