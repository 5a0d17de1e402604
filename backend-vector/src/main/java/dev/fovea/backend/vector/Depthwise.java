package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import jdk.incubator.vector.FloatVector;

/**
 * The depthwise kernel of {@link ConvPlan} (one input and one output channel per group, MobileNet's and
 * EfficientNet's 3×3 and 5×5 layers): vectorized across channels, four pixels at a time so that each weight vector
 * loaded serves four FMAs (one pixel at a time, every FMA needed two loads and the loop ran at the load ports'
 * pace).
 */
final class Depthwise {
    private Depthwise() {
    }

    /**
     * {@code out[m·ldo + ch] = Σ_t in[ptr[m] + off[t] + ch] · w[t·ldo + ch]} for pixels {@code m < pixels} and
     * channels {@code ch < c} in steps of {@link Simd#V} ({@code ldo}, the padded channel count, a multiple of it).
     */
    static void run(float[] in, int[] ptr, int pixels, int[] off, float[] w, int c, int ldo, float[] out) {
        int taps = off.length;
        int m = 0;
        for (; m + 4 <= pixels; m += 4) {
            int p0 = ptr[m];
            int p1 = ptr[m + 1];
            int p2 = ptr[m + 2];
            int p3 = ptr[m + 3];
            for (int ch = 0; ch < c; ch += V) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.fromArray(F, w, t * ldo + ch);
                    int o = off[t] + ch;
                    a0 = FloatVector.fromArray(F, in, p0 + o).fma(wt, a0);
                    a1 = FloatVector.fromArray(F, in, p1 + o).fma(wt, a1);
                    a2 = FloatVector.fromArray(F, in, p2 + o).fma(wt, a2);
                    a3 = FloatVector.fromArray(F, in, p3 + o).fma(wt, a3);
                }
                a0.intoArray(out, m * ldo + ch);
                a1.intoArray(out, (m + 1) * ldo + ch);
                a2.intoArray(out, (m + 2) * ldo + ch);
                a3.intoArray(out, (m + 3) * ldo + ch);
            }
        }
        for (; m < pixels; m++) {
            int p = ptr[m];
            for (int ch = 0; ch < c; ch += V) {
                FloatVector acc = FloatVector.zero(F);
                for (int t = 0; t < taps; t++) {
                    acc = FloatVector.fromArray(F, in, p + off[t] + ch).fma(FloatVector.fromArray(F, w, t * ldo + ch),
                            acc);
                }
                acc.intoArray(out, m * ldo + ch);
            }
        }
    }
}
