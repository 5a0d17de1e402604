package dev.fovea.backend.vector;

import dev.fovea.spi.BackendOptions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the vector width is chosen: {@link FloatVector#SPECIES_PREFERRED}, or the width forced with
 * {@code -Dfovea.vector.bits=128|256|512} (tests force 128 so that tails and narrow paths run on wide machines).
 * A forced width wider than the preferred one is clamped: it would run in the Vector API's slow Java fallback.
 */
final class Simd {
    /** Property forcing the vector width in bits. */
    static final String BITS_PROPERTY = "fovea.vector.bits";

    static final VectorSpecies<Float> F = choose();
    /** Lanes per vector. */
    static final int V = F.length();

    private Simd() {
    }

    private static VectorSpecies<Float> choose() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        // Species are static (the kernels' constants), so the width is read once per JVM.
        int bits = BackendOptions.Vector.from(System.getProperties()).bits();
        if (bits == 0) {
            return preferred;
        }
        if (bits > preferred.vectorBitSize()) {
            System.getLogger("dev.fovea.backend.vector").log(System.Logger.Level.WARNING,
                    "fovea: -D{0}={1} exceeds this CPU''s preferred {2}-bit vectors; using {2}", BITS_PROPERTY,
                    bits, preferred.vectorBitSize());
            return preferred;
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** A short description for logs and the bench, e.g. {@code "512-bit (16 floats)"}. */
    static String describe() {
        return F.vectorBitSize() + "-bit (" + V + " floats)";
    }
}
