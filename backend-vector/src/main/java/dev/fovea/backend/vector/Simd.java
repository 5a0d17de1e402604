package dev.fovea.backend.vector;

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
        String forced = System.getProperty(BITS_PROPERTY);
        if (forced == null || forced.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + forced + ": expected 128, 256 or 512");
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + forced + ": expected 128, 256 or 512");
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
