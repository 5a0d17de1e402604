package dev.fovea.nn;

import java.util.SplittableRandom;

/**
 * How a weight tensor starts. Fan-in and fan-out follow Keras: for a convolution kernel
 * {@code fanIn = C/groups·kH·kW}, {@code fanOut = K·kH·kW}; for a dense kernel {@code fanIn = F}, {@code fanOut = U}.
 */
public enum Initializer {
    /** Uniform in ±sqrt(6 / (fanIn + fanOut)): Keras' default. */
    GLOROT_UNIFORM,
    /** Normal with standard deviation sqrt(2 / fanIn): He et al. 2015, for ReLU networks. */
    HE_NORMAL,
    /** All zeros (biases). */
    ZEROS,
    /** All ones (batch normalization's scale and variance). */
    ONES;

    /** Fills {@code out} from {@code random}. */
    void fill(float[] out, int fanIn, int fanOut, SplittableRandom random) {
        switch (this) {
            case GLOROT_UNIFORM -> {
                double limit = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
                }
            }
            case HE_NORMAL -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (gaussian(random) * std);
                }
            }
            case ZEROS -> java.util.Arrays.fill(out, 0f);
            case ONES -> java.util.Arrays.fill(out, 1f);
        }
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller: SplittableRandom has no nextGaussian before JDK 17's RandomGenerator default; keep it explicit.
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
