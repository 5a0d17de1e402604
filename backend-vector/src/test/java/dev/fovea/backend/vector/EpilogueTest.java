package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link Epilogue#clamp} (compares and blends) against {@code Math.min(Math.max(x, lo), hi)} bit for bit, on the
 * values where the two could part: NaN, both zeros, the infinities, the bounds themselves and their neighbours.
 */
class EpilogueTest {
    private static final float[] BOUNDS_LO = {0f, Float.NEGATIVE_INFINITY, -1.5f};
    private static final float[] BOUNDS_HI = {6f, Float.POSITIVE_INFINITY, 1f};

    @Test
    void clampMatchesJavaMaxThenMinBitForBit() {
        float[] values = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 6f, Math.nextUp(6f),
            Math.nextDown(6f), -1.5f, 1f, Float.MIN_VALUE, -Float.MIN_VALUE, 3.25f, -7f, 1e30f, -1e30f,
            Float.intBitsToFloat(0x7fc00001)};
        float[] lanes = new float[V];
        float[] out = new float[V];
        for (int lo = 0; lo < BOUNDS_LO.length; lo++) {
            float low = BOUNDS_LO[lo];
            float high = BOUNDS_HI[lo];
            for (int start = 0; start < values.length; start += V) {
                for (int i = 0; i < V; i++) {
                    lanes[i] = values[(start + i) % values.length];
                }
                Epilogue.clamp(FloatVector.fromArray(F, lanes, 0), low, high).intoArray(out, 0);
                for (int i = 0; i < V; i++) {
                    float expected = Math.min(Math.max(lanes[i], low), high);
                    String where = "clamp(" + lanes[i] + ", " + low + ", " + high + ")";
                    if (Float.isNaN(expected)) {
                        assertEquals(Float.NaN, out[i], where);
                    } else {
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]), where);
                    }
                }
            }
        }
    }
}
