package dev.fovea.spi;

/** Optional abilities a backend declares in {@link Backend#capabilities()}. */
public enum Capability {
    /** The backward ops used by training ({@code convolutionBackwardData} and the rest). */
    TRAINING,
    /** Tensors from {@link Backend#allocate} live in device memory, not on the host. */
    DEVICE_MEMORY
}
