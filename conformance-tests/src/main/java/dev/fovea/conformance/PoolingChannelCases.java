package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * Pooling with several channels, hand-worked, in both layouts ({@code rule/pooling-channels/}): channel {@code c}
 * holds the values of channel 0 plus {@code 10·c}, so a channels-last kernel that mixes channels, takes one
 * channel's divisor for another, or drops the ceil-mode window at the end of a row shows in the numbers. Then the
 * same windows over odd channel counts and wide rows against the oracle, and a convolution fused with average pooling
 * that does not count padding.
 */
final class PoolingChannelCases {
    private PoolingChannelCases() {
    }

    static void add(CaseList c) {
        String r = "rule/pooling-channels/";
        // 3×3 per channel: 0 1 2 / 3 4 5 / 6 7 8 (+10·c). Windows 2×2, stride 2, ceil mode: the last column and
        // row get windows of 2 cells and the corner one of 1 cell.
        float[] x = channels(3, 3, 3);
        PoolingParams ceil = new PoolingParams(MAX, 2, 2, 2, 2, Padding.VALID, true, false, false);
        c.layouts(r + "max-3-channels-3x3-k2-s2-ceil-partial-windows-hand-worked", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 3, 3, 3}, x, ceil, new int[] {1, 3, 2, 2},
                perChannel(3, 10, 4, 5, 7, 8)));
        // Average of the cells inside: 2 (4 cells), 3.5 and 6.5 (2 cells), 8 (1 cell).
        PoolingParams avgCeil = new PoolingParams(AVERAGE, 2, 2, 2, 2, Padding.VALID, true, false, false);
        c.layouts(r + "average-3-channels-3x3-k2-s2-ceil-divisor-counts-cells-inside-hand-worked", (e, l) ->
                SeedCases.pooled(e, l, new int[] {1, 3, 3, 3}, x, avgCeil, new int[] {1, 3, 2, 2},
                        perChannel(3, 10, 2, 3.5, 6.5, 8)));
        // Padding 1, window 3×3, stride 2 over 3×3: four windows of 4 cells inside and 5 padded ones.
        PoolingParams padNo = new PoolingParams(AVERAGE, 3, 3, 2, 2, Padding.explicit(1), false, false, false);
        PoolingParams padYes = new PoolingParams(AVERAGE, 3, 3, 2, 2, Padding.explicit(1), false, true, false);
        c.layouts(r + "average-3-channels-pad-1-k3-s2-count-include-pad-false-hand-worked", (e, l) -> SeedCases.pooled(
                e, l, new int[] {1, 3, 3, 3}, x, padNo, new int[] {1, 3, 2, 2}, perChannel(3, 10, 2, 3, 5, 6)));
        c.layouts(r + "average-3-channels-pad-1-k3-s2-count-include-pad-true-hand-worked", (e, l) -> SeedCases.pooled(
                e, l, new int[] {1, 3, 3, 3}, x, padYes, new int[] {1, 3, 2, 2},
                perChannel(3, 40 / 9.0, 8 / 9.0, 12 / 9.0, 20 / 9.0, 24 / 9.0)));
        // Two rows of outputs per pass in some kernels: 2 images, 5 channels, 4×7 max and average.
        float[] y = channels(5, 4, 7);
        float[] two = new float[2 * y.length];
        System.arraycopy(y, 0, two, 0, y.length);
        for (int i = 0; i < y.length; i++) {
            two[y.length + i] = 100 - y[i];
        }
        for (PoolingMode mode : PoolingMode.values()) {
            String m = mode == MAX ? "max" : "average";
            c.layouts(r + m + "-2x5-channels-4x7-k2-s1-rows-of-outputs", (e, l) -> SeedCases.pooled(e, l,
                    new int[] {2, 5, 4, 7}, two, PoolingParams.of(mode, 2, 2).withStride(1, 1), new int[] {2, 5, 3, 6},
                    null));
            for (int ch : ImportedOpCases.ODD_CHANNELS) {
                float[] z = Data.ints(700 + ch, 2 * ch * 5 * 9, 9);
                c.layouts(r + m + "-" + ch + "-channels-5x9-k3-s2-pad-1-ceil-no-pad-count", (e, l) -> SeedCases.pooled(
                        e, l, new int[] {2, ch, 5, 9}, z, new PoolingParams(mode, 3, 3, 2, 2, Padding.explicit(1), true,
                                false, false), null, null));
            }
        }
        // Convolution fused with the average pooling after it, padding not counted (ONNX's default).
        for (Padding pad : new Padding[] {Padding.explicit(1), Padding.explicit(0, 1, 1, 0)}) {
            String padName = pad.top() == 1 ? "pad-1" : "pad-top-0-left-1-bottom-1-right-0";
            for (boolean ceilMode : new boolean[] {false, true}) {
                PoolingParams pp = new PoolingParams(AVERAGE, 3, 3, 2, 2, pad, ceilMode, false, false);
                c.layouts(r + "conv-3x3-same-5-filters-then-average-k3-s2-" + padName + (ceilMode ? "-ceil" : "")
                        + "-count-include-pad-false-fused", (e, l) -> convPool(e, l, pp));
            }
        }
    }

    /** {@code n} channels of {@code h × w}: channel {@code c} holds {@code i + 10·c} at position {@code i}. */
    private static float[] channels(int n, int h, int w) {
        float[] x = new float[n * h * w];
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < h * w; i++) {
                x[c * h * w + i] = i + 10 * c;
            }
        }
        return x;
    }

    /**
     * The outputs of channel 0 repeated for {@code channels} channels, channel {@code c} adding {@code c · offset}: 10
     * when every divisor counts only the cells inside (a mean of values + 10·c), 10·4/9 when 4 of the 9 cells of each
     * window are inside and the padding counts.
     */
    private static double[] perChannel(int channels, double offset, double... first) {
        double[] out = new double[channels * first.length];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < first.length; i++) {
                out[c * first.length + i] = first[i] + c * offset;
            }
        }
        return out;
    }

    private static Outcome convPool(Engine e, Layout l, PoolingParams pp) {
        int[] xd = {2, 3, 7, 7};
        ConvolutionParams p = ConvolutionParams.of(5, 3, 3).withPadding(Padding.SAME).withActivation(Activation.RELU);
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'conformance'", Shape.of(xd), l, p);
        PoolingDescriptor pd = PoolingDescriptor.create("pool 'conformance'", d.output(), l, pp);
        float[] x = Data.ints(91, Data.count(xd), 4);
        float[] w = Data.ints(92, 5 * 3 * 9, 2);
        float[] b = Data.ints(93, 5, 3);
        Oracle.Result conv = Oracle.conv(xd, x, p, w, b);
        Oracle.Result o = Oracle.pool(conv.dims(), Oracle.toFloat(conv.values()), pp);
        try (Run r = new Run(e)) {
            float[] y = r.convPool(d, pd, x, w, b);
            Check.close("y", y, o.dims(), o.values(), Tolerance.accumulation(conv.magnitude())
                    .plus(Tolerance.average(conv.magnitude())));
        }
        return Outcome.pass();
    }
}
