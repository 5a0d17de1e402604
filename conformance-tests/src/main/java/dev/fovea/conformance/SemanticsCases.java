package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Pins of the padding, pooling and numerics rules, each on the configuration where implementations typically differ. Names are
 * {@code rule/<rule>/<op and parameters>}; expected pads and sizes are written out by hand, values come from
 * {@link Oracle} or are hand-worked.
 */
final class SemanticsCases {
    private SemanticsCases() {
    }

    static void add(CaseList c) {
        samePadding(c);
        evenKernels(c);
        strideLargerThanKernel(c);
        nonSquare(c);
        asymmetricPads(c);
        dilation(c);
        groups(c);
        maxPoolingPadding(c);
        averageCorners(c);
        ceilMode(c);
        globalPooling(c);
        batch(c);
        biasAndActivation(c);
        activations(c);
        pointwiseIsMatmul(c);
        dense(c);
        flatten(c);
        softmax(c);
        slices(c);
        c.layouts("rule/inception/googlenet-3a-28x28x192-branches-64+128+32+32-into-channel-slices-of-256",
                SemanticsCases::inception);
    }

    // ---- helpers ----

    private static ConvolutionParams conv(int k, int kh, int kw, int sh, int sw, Padding p) {
        return ConvolutionParams.of(k, kh, kw).withStride(sh, sw).withPadding(p);
    }

    private static PoolingParams pool(PoolingMode m, int kh, int kw, int sh, int sw, Padding p) {
        return PoolingParams.of(m, kh, kw).withStride(sh, sw).withPadding(p);
    }

    /** {@code (0,0,1,1)}: pads in case names without spaces. */
    private static String compact(Pads p) {
        return "(" + p.top() + "," + p.left() + "," + p.bottom() + "," + p.right() + ")";
    }

    private static String dims(int[] xd) {
        return xd[0] + "x" + xd[1] + "x" + xd[2] + "x" + xd[3];
    }

    /** Checks the descriptor's resolved pads (and output), then runs the convolution on integer data. */
    private static Outcome convPads(Engine e, Layout l, long seed, int[] xd, ConvolutionParams p, Pads pads, int[] out) {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'pin'", Shape.of(xd), l, p);
        if (pads != null) {
            Check.that(d.pads().equals(pads), "pads (top, left, bottom, right) " + d.pads() + " expected " + pads);
        }
        return Ops.convInts(e, l, seed, xd, p, out);
    }

    private static Outcome poolPads(Engine e, Layout l, long seed, int[] xd, PoolingParams p, Pads pads, int[] out,
                                    boolean negative) {
        PoolingDescriptor d = PoolingDescriptor.create("pool 'pin'", Shape.of(xd), l, p);
        if (pads != null) {
            Check.that(d.pads().equals(pads), "pads (top, left, bottom, right) " + d.pads() + " expected " + pads);
        }
        float[] x = negative ? Data.negative(seed, Data.count(xd)) : Data.ints(seed, Data.count(xd), 9);
        float[] y = Ops.pool(e, l, xd, x, p, out, null);
        if (negative && p.mode() == MAX) {
            for (int i = 0; i < y.length; i++) {
                Check.that(y[i] < 0, "max over all-negative input gave " + y[i] + " at index " + i
                        + ": padding must act as −∞, never 0");
            }
        }
        return Outcome.pass();
    }

    // ---- rules ----

    private static void samePadding(CaseList c) {
        // (input, kernel, stride 2) with an odd total padding: SAME puts the odd pixel after, SAME_LOWER before.
        record Config(int[] xd, int kh, int kw, Pads same, Pads lower, int[] out) {
        }
        Config[] configs = {
            new Config(new int[] {1, 3, 6, 6}, 3, 3, new Pads(0, 0, 1, 1), new Pads(1, 1, 0, 0), new int[] {3, 3}),
            new Config(new int[] {1, 3, 7, 7}, 4, 4, new Pads(1, 1, 2, 2), new Pads(2, 2, 1, 1), new int[] {4, 4}),
            new Config(new int[] {1, 2, 10, 7}, 5, 2, new Pads(1, 0, 2, 1), new Pads(2, 1, 1, 0), new int[] {5, 4}),
        };
        int seed = 100;
        for (Config g : configs) {
            for (Padding mode : new Padding[] {Padding.SAME, Padding.SAME_LOWER}) {
                Pads pads = mode == Padding.SAME ? g.same : g.lower;
                String what = dims(g.xd) + "-k" + g.kh + "x" + g.kw + "-s2-" + mode + "-pads" + compact(pads);
                int s = seed++;
                c.layouts("rule/same-odd-padding-stride2/conv-" + what, (e, l) -> convPads(e, l, s, g.xd,
                        conv(4, g.kh, g.kw, 2, 2, mode), pads, new int[] {1, 4, g.out[0], g.out[1]}));
                int[] pooled = {1, g.xd[1], g.out[0], g.out[1]};
                c.layouts("rule/same-odd-padding-stride2/max-pool-all-negative-" + what, (e, l) -> poolPads(e, l, s,
                        g.xd, pool(MAX, g.kh, g.kw, 2, 2, mode), pads, pooled, true));
                c.layouts("rule/same-odd-padding-stride2/avg-pool-" + what, (e, l) -> poolPads(e, l, s, g.xd,
                        pool(AVERAGE, g.kh, g.kw, 2, 2, mode), pads, pooled, false));
            }
        }
    }

    private static void evenKernels(CaseList c) {
        int[] xd = {1, 3, 7, 8};
        int seed = 120;
        for (int k : new int[] {2, 4}) {
            int before = (k - 1) / 2, after = k - 1 - before; // s1: total k − 1 is odd
            for (Padding mode : new Padding[] {Padding.VALID, Padding.SAME, Padding.SAME_LOWER}) {
                Pads pads = switch (mode.mode()) {
                    case SAME -> new Pads(before, before, after, after);
                    case SAME_LOWER -> new Pads(after, after, before, before);
                    default -> new Pads(0, 0, 0, 0);
                };
                int[] out = mode == Padding.VALID ? new int[] {1, 5, 8 - k, 9 - k} : new int[] {1, 5, 7, 8};
                int s = seed++;
                c.layouts("rule/even-kernel/conv-" + dims(xd) + "-k" + k + "x" + k + "-s1-" + mode + "-pads" + compact(pads),
                        (e, l) -> convPads(e, l, s, xd, conv(5, k, k, 1, 1, mode), pads, out));
            }
            int s = seed++;
            c.layouts("rule/even-kernel/max-pool-all-negative-" + dims(xd) + "-k" + k + "x" + k + "-s1-SAME",
                    (e, l) -> poolPads(e, l, s, xd, pool(MAX, k, k, 1, 1, Padding.SAME),
                            new Pads(before, before, after, after), new int[] {1, 3, 7, 8}, true));
        }
    }

    private static void strideLargerThanKernel(CaseList c) {
        String r = "rule/stride-larger-than-kernel/";
        c.layouts(r + "conv-1x3x7x7-k1x1-s2-to-4x4",
                (e, l) -> convPads(e, l, 130, new int[] {1, 3, 7, 7}, conv(4, 1, 1, 2, 2, Padding.VALID), null,
                        new int[] {1, 4, 4, 4}));
        c.layouts(r + "conv-1x3x8x8-k1x1-s3-to-3x3",
                (e, l) -> convPads(e, l, 131, new int[] {1, 3, 8, 8}, conv(4, 1, 1, 3, 3, Padding.VALID), null,
                        new int[] {1, 4, 3, 3}));
        c.layouts(r + "conv-1x2x9x10-k2x2-s3-to-3x3",
                (e, l) -> convPads(e, l, 132, new int[] {1, 2, 9, 10}, conv(3, 2, 2, 3, 3, Padding.VALID), null,
                        new int[] {1, 3, 3, 3}));
        c.layouts(r + "conv-1x2x7x7-k1x1-s2-SAME-to-4x4",
                (e, l) -> convPads(e, l, 133, new int[] {1, 2, 7, 7}, conv(3, 1, 1, 2, 2, Padding.SAME),
                        new Pads(0, 0, 0, 0), new int[] {1, 3, 4, 4}));
        c.layouts(r + "max-pool-1x2x7x7-k1x1-s2-to-4x4",
                (e, l) -> poolPads(e, l, 134, new int[] {1, 2, 7, 7}, pool(MAX, 1, 1, 2, 2, Padding.VALID), null,
                        new int[] {1, 2, 4, 4}, false));
        c.layouts(r + "avg-pool-1x2x9x9-k2x2-s3-to-3x3",
                (e, l) -> poolPads(e, l, 135, new int[] {1, 2, 9, 9}, pool(AVERAGE, 2, 2, 3, 3, Padding.VALID), null,
                        new int[] {1, 2, 3, 3}, false));
    }

    private static void nonSquare(CaseList c) {
        String r = "rule/non-square/";
        int[] xd = {1, 3, 5, 9};
        c.layouts(r + "conv-1x3x5x9-k3x1-s1x2-to-3x5",
                (e, l) -> convPads(e, l, 140, xd, conv(4, 3, 1, 1, 2, Padding.VALID), null, new int[] {1, 4, 3, 5}));
        c.layouts(r + "conv-1x3x5x9-k1x5-s2x1-to-3x5",
                (e, l) -> convPads(e, l, 141, xd, conv(4, 1, 5, 2, 1, Padding.VALID), null, new int[] {1, 4, 3, 5}));
        c.layouts(r + "conv-1x3x5x9-k2x3-s1x2-SAME-pads(0,1,1,1)-to-5x5",
                (e, l) -> convPads(e, l, 142, xd, conv(4, 2, 3, 1, 2, Padding.SAME), new Pads(0, 1, 1, 1),
                        new int[] {1, 4, 5, 5}));
        c.layouts(r + "max-pool-1x3x5x9-k3x2-s2x1-to-2x8",
                (e, l) -> poolPads(e, l, 143, xd, pool(MAX, 3, 2, 2, 1, Padding.VALID), null, new int[] {1, 3, 2, 8},
                        false));
    }

    private static void asymmetricPads(CaseList c) {
        String r = "rule/asymmetric-explicit-pads/";
        c.layouts(r + "conv-1x2x5x6-k3-pads(0,1,2,3)-to-5x8",
                (e, l) -> convPads(e, l, 150, new int[] {1, 2, 5, 6}, conv(3, 3, 3, 1, 1, Padding.explicit(0, 1, 2, 3)),
                        new Pads(0, 1, 2, 3), new int[] {1, 3, 5, 8}));
        c.layouts(r + "conv-1x2x6x6-k2-s2-pads(2,0,1,0)-to-4x3",
                (e, l) -> convPads(e, l, 151, new int[] {1, 2, 6, 6}, conv(3, 2, 2, 2, 2, Padding.explicit(2, 0, 1, 0)),
                        new Pads(2, 0, 1, 0), new int[] {1, 3, 4, 3}));
        c.layouts(r + "conv-1x1x4x4-k4-pads(3,3,0,0)-to-4x4",
                (e, l) -> convPads(e, l, 152, new int[] {1, 1, 4, 4}, conv(2, 4, 4, 1, 1, Padding.explicit(3, 3, 0, 0)),
                        new Pads(3, 3, 0, 0), new int[] {1, 2, 4, 4}));
        for (boolean include : new boolean[] {false, true}) {
            c.layouts(r + "avg-pool-1x2x5x5-k3-s2-pads(0,1,2,1)-countIncludePad-" + include + "-to-3x3",
                    (e, l) -> poolPads(e, l, 153, new int[] {1, 2, 5, 5},
                            pool(AVERAGE, 3, 3, 2, 2, Padding.explicit(0, 1, 2, 1)).withCountIncludePad(include),
                            new Pads(0, 1, 2, 1), new int[] {1, 2, 3, 3}, false));
        }
        c.layouts(r + "max-pool-all-negative-1x2x4x4-k2-s1-pads(1,0,0,1)-to-4x4",
                (e, l) -> poolPads(e, l, 155, new int[] {1, 2, 4, 4}, pool(MAX, 2, 2, 1, 1, Padding.explicit(1, 0, 0, 1)),
                        new Pads(1, 0, 0, 1), new int[] {1, 2, 4, 4}, true));
    }

    private static void dilation(CaseList c) {
        String r = "rule/dilation/";
        c.layouts(r + "conv-1x2x9x9-k3-d2-VALID-to-5x5",
                (e, l) -> convPads(e, l, 160, new int[] {1, 2, 9, 9}, conv(3, 3, 3, 1, 1, Padding.VALID).withDilation(2, 2),
                        null, new int[] {1, 3, 5, 5}));
        c.layouts(r + "conv-1x2x10x10-k3-d3-SAME-pads(3,3,3,3)-to-10x10",
                (e, l) -> convPads(e, l, 161, new int[] {1, 2, 10, 10}, conv(3, 3, 3, 1, 1, Padding.SAME).withDilation(3, 3),
                        new Pads(3, 3, 3, 3), new int[] {1, 3, 10, 10}));
        c.layouts(r + "conv-1x2x8x8-k2-d3-SAME-pads(1,1,2,2)-to-8x8",
                (e, l) -> convPads(e, l, 162, new int[] {1, 2, 8, 8}, conv(3, 2, 2, 1, 1, Padding.SAME).withDilation(3, 3),
                        new Pads(1, 1, 2, 2), new int[] {1, 3, 8, 8}));
        c.layouts(r + "conv-1x3x9x11-k3-d2x1-s2-VALID-to-3x5",
                (e, l) -> convPads(e, l, 163, new int[] {1, 3, 9, 11}, conv(2, 3, 3, 2, 2, Padding.VALID).withDilation(2, 1),
                        null, new int[] {1, 2, 3, 5}));
        c.layouts(r + "conv-1x1x5x5-k3-d2-FULL-pads(4,4,4,4)-to-9x9",
                (e, l) -> convPads(e, l, 164, new int[] {1, 1, 5, 5}, conv(2, 3, 3, 1, 1, Padding.FULL).withDilation(2, 2),
                        new Pads(4, 4, 4, 4), new int[] {1, 2, 9, 9}));
        c.layouts(r + "conv-1x2x13x13-k3-d3-s2-pads(1,2,0,1)-to-4x5",
                (e, l) -> convPads(e, l, 165, new int[] {1, 2, 13, 13},
                        conv(3, 3, 3, 2, 2, Padding.explicit(1, 2, 0, 1)).withDilation(3, 3), new Pads(1, 2, 0, 1),
                        new int[] {1, 3, 4, 5}));
    }

    private static void groups(CaseList c) {
        String r = "rule/groups/";
        c.layouts(r + "conv-1x4x6x6-k3-SAME-groups2-filters6",
                (e, l) -> convPads(e, l, 170, new int[] {1, 4, 6, 6}, conv(6, 3, 3, 1, 1, Padding.SAME).withGroups(2),
                        null, new int[] {1, 6, 6, 6}));
        c.layouts(r + "conv-1x6x7x7-k3-s2-VALID-groups2-filters4",
                (e, l) -> convPads(e, l, 171, new int[] {1, 6, 7, 7}, conv(4, 3, 3, 2, 2, Padding.VALID).withGroups(2),
                        null, new int[] {1, 4, 3, 3}));
        c.layouts(r + "depthwise-1x5x6x7-k3-SAME-multiplier2-filters10",
                (e, l) -> convPads(e, l, 172, new int[] {1, 5, 6, 7}, conv(10, 3, 3, 1, 1, Padding.SAME).withGroups(5),
                        null, new int[] {1, 10, 6, 7}));
        c.layouts(r + "depthwise-1x3x9x9-k3-s2-d2-SAME-multiplier2-filters6",
                (e, l) -> convPads(e, l, 173, new int[] {1, 3, 9, 9},
                        conv(6, 3, 3, 2, 2, Padding.SAME).withGroups(3).withDilation(2, 2), null, new int[] {1, 6, 5, 5}));
        c.layouts(r + "conv-1x9x4x4-k1-groups3-filters6",
                (e, l) -> convPads(e, l, 174, new int[] {1, 9, 4, 4}, conv(6, 1, 1, 1, 1, Padding.VALID).withGroups(3),
                        null, new int[] {1, 6, 4, 4}));
    }

    private static void maxPoolingPadding(CaseList c) {
        String r = "rule/max-pooling-padding-is-minus-infinity/";
        c.layouts(r + "all-negative-1x3x5x5-k3-s1-pads(1,1,1,1)-to-5x5",
                (e, l) -> poolPads(e, l, 180, new int[] {1, 3, 5, 5}, pool(MAX, 3, 3, 1, 1, Padding.explicit(1)),
                        new Pads(1, 1, 1, 1), new int[] {1, 3, 5, 5}, true));
        c.layouts(r + "all-negative-1x3x5x5-k2-s2-SAME-pads(0,0,1,1)-to-3x3",
                (e, l) -> poolPads(e, l, 181, new int[] {1, 3, 5, 5}, pool(MAX, 2, 2, 2, 2, Padding.SAME),
                        new Pads(0, 0, 1, 1), new int[] {1, 3, 3, 3}, true));
        c.layouts(r + "all-negative-1x2x6x6-k3-s2-pads(1,1,1,1)-ceil-to-4x4",
                (e, l) -> poolPads(e, l, 182, new int[] {1, 2, 6, 6},
                        pool(MAX, 3, 3, 2, 2, Padding.explicit(1)).withCeilMode(true), new Pads(1, 1, 1, 1),
                        new int[] {1, 2, 4, 4}, true));
        c.layouts(r + "all-negative-1x2x4x4-k3-s1-FULL-pads(2,2,2,2)-to-6x6",
                (e, l) -> poolPads(e, l, 183, new int[] {1, 2, 4, 4}, pool(MAX, 3, 3, 1, 1, Padding.FULL),
                        new Pads(2, 2, 2, 2), new int[] {1, 2, 6, 6}, true));
    }

    private static void averageCorners(CaseList c) {
        String r = "rule/average-pooling-divisor/";
        float[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] x3 = {1, 1, 3, 3};
        int[] o3 = {1, 1, 3, 3};
        PoolingParams p1 = pool(AVERAGE, 3, 3, 1, 1, Padding.explicit(1));
        c.layouts(r + "3x3-values-1..9-k3-s1-pads1-countIncludePad-false-corner-sum12-div4",
                (e, l) -> SeedCases.pooled(e, l, x3, nine, p1, o3,
                        new double[] {12 / 4.0, 21 / 6.0, 16 / 4.0, 27 / 6.0, 45 / 9.0, 33 / 6.0, 24 / 4.0, 39 / 6.0,
                            28 / 4.0}));
        c.layouts(r + "3x3-values-1..9-k3-s1-pads1-countIncludePad-true-corner-sum12-div9",
                (e, l) -> SeedCases.pooled(e, l, x3, nine, p1.withCountIncludePad(true), o3,
                        new double[] {12 / 9.0, 21 / 9.0, 16 / 9.0, 27 / 9.0, 45 / 9.0, 33 / 9.0, 24 / 9.0, 39 / 9.0,
                            28 / 9.0}));
        // 4×4 values 0..15, 3×3 window, stride 2, ceil mode: the last window overhangs the input by one row and
        // one column; the overhang is not padding and is never counted.
        float[] sixteen = Data.iota(16);
        int[] x4 = {1, 1, 4, 4};
        for (boolean include : new boolean[] {false, true}) {
            PoolingParams p = pool(AVERAGE, 3, 3, 2, 2, Padding.VALID).withCeilMode(true).withCountIncludePad(include);
            c.layouts(r + "4x4-values-0..15-k3-s2-ceil-overhang-countIncludePad-" + include + "-corner-sum50-div4",
                    (e, l) -> SeedCases.pooled(e, l, x4, sixteen, p, new int[] {1, 1, 2, 2},
                            new double[] {45 / 9.0, 39 / 6.0, 66 / 6.0, 50 / 4.0}));
        }
        PoolingParams pc = pool(AVERAGE, 3, 3, 2, 2, Padding.explicit(1)).withCeilMode(true);
        c.layouts(r + "4x4-values-0..15-k3-s2-pads1-ceil-countIncludePad-false-corner-sum15-div1",
                (e, l) -> SeedCases.pooled(e, l, x4, sixteen, pc, new int[] {1, 1, 3, 3},
                        new double[] {10 / 4.0, 24 / 6.0, 10 / 2.0, 51 / 6.0, 90 / 9.0, 33 / 3.0, 25 / 2.0, 42 / 3.0,
                            15 / 1.0}));
        c.layouts(r + "4x4-values-0..15-k3-s2-pads1-ceil-countIncludePad-true-corner-sum15-div4",
                (e, l) -> SeedCases.pooled(e, l, x4, sixteen, pc.withCountIncludePad(true), new int[] {1, 1, 3, 3},
                        new double[] {10 / 9.0, 24 / 9.0, 10 / 6.0, 51 / 9.0, 90 / 9.0, 33 / 6.0, 25 / 6.0, 42 / 6.0,
                            15 / 4.0}));
    }

    private static void ceilMode(CaseList c) {
        String r = "rule/ceil-mode/";
        record Config(String what, int[] xd, int k, int s, Padding p, boolean ceil, int out) {
        }
        Config[] configs = {
            new Config("2x2-k1-s2-ceil-drops-window-starting-in-padding-to-1x1", new int[] {1, 2, 2, 2}, 1, 2,
                Padding.VALID, true, 1),
            new Config("5x5-k2-s2-ceil-keeps-partial-last-window-to-3x3", new int[] {1, 2, 5, 5}, 2, 2, Padding.VALID,
                true, 3),
            new Config("5x5-k2-s2-floor-to-2x2", new int[] {1, 2, 5, 5}, 2, 2, Padding.VALID, false, 2),
            new Config("5x5-k2-s2-pads1-ceil-drops-last-window-to-3x3", new int[] {1, 2, 5, 5}, 2, 2,
                Padding.explicit(1), true, 3),
            new Config("6x6-k3-s2-pads1-ceil-keeps-last-window-to-4x4", new int[] {1, 2, 6, 6}, 3, 2,
                Padding.explicit(1), true, 4),
        };
        int seed = 190;
        for (Config g : configs) {
            for (PoolingMode m : PoolingMode.values()) {
                int s = seed++;
                c.layouts(r + (m == MAX ? "max" : "avg") + "-pool-" + g.what, (e, l) -> poolPads(e, l, s, g.xd,
                        pool(m, g.k, g.k, g.s, g.s, g.p).withCeilMode(g.ceil), null,
                        new int[] {1, 2, g.out, g.out}, m == MAX));
            }
        }
    }

    private static void globalPooling(CaseList c) {
        int[][] shapes = {{1, 3, 7, 5}, {2, 2, 1, 1}, {1, 17, 13, 13}};
        int seed = 200;
        for (int[] xd : shapes) {
            for (PoolingMode m : PoolingMode.values()) {
                int s = seed++;
                c.layouts("rule/global-pooling/" + (m == MAX ? "max" : "avg") + "-" + dims(xd) + "-to-1x1",
                        (e, l) -> poolPads(e, l, s, xd, PoolingParams.global(m), null,
                                new int[] {xd[0], xd[1], 1, 1}, m == MAX));
            }
        }
    }

    private static void batch(CaseList c) {
        String r = "rule/batch/";
        c.layouts(r + "conv-3x5x9x8-k3-s2-SAME-bias",
                (e, l) -> convPads(e, l, 210, new int[] {3, 5, 9, 8}, conv(7, 3, 3, 2, 2, Padding.SAME), null,
                        new int[] {3, 7, 5, 4}));
        c.layouts(r + "avg-pool-3x4x7x7-k3-s2-pads1",
                (e, l) -> poolPads(e, l, 211, new int[] {3, 4, 7, 7}, pool(AVERAGE, 3, 3, 2, 2, Padding.explicit(1)), null,
                        new int[] {3, 4, 4, 4}, false));
        c.layouts(r + "max-pool-4x3x6x6-k2-s2",
                (e, l) -> poolPads(e, l, 212, new int[] {4, 3, 6, 6}, pool(MAX, 2, 2, 2, 2, Padding.VALID), null,
                        new int[] {4, 3, 3, 3}, false));
        c.add(r + "dense-4x13-to-4x7", e -> denseCase(e, 213, 4, 13, 7, true, Activation.NONE));
    }

    private static void biasAndActivation(CaseList c) {
        int seed = 220;
        for (Activation a : Activation.values()) {
            for (boolean bias : new boolean[] {false, true}) {
                int s = seed++;
                c.layouts("rule/bias-and-fused-activation/conv-1x3x6x6-k3-SAME-bias-" + bias + "-" + a,
                        (e, l) -> convPads(e, l, s, new int[] {1, 3, 6, 6},
                                conv(4, 3, 3, 1, 1, Padding.SAME).withBias(bias).withActivation(a), null,
                                new int[] {1, 4, 6, 6}));
                c.add("rule/bias-and-fused-activation/dense-2x9-to-2x5-bias-" + bias + "-" + a,
                        e -> denseCase(e, s, 2, 9, 5, bias, a));
            }
        }
    }

    private static Outcome denseCase(Engine e, long seed, int n, int f, int u, boolean bias, Activation a) {
        float[] x = Data.ints(seed, n * f, 4);
        float[] w = Data.ints(seed + 1, f * u, 3);
        float[] b = bias ? Data.ints(seed + 2, u, 5) : null;
        DenseDescriptor d = DenseDescriptor.create("Dense 'pin'", Shape.of(n, f), u, bias, a);
        Check.shape("descriptor output", d.output(), n, u);
        Oracle.Result o = Oracle.dense(n, f, x, u, w, b, a);
        try (Run r = new Run(e)) {
            Check.close("y", r.dense(d, x, w, b), o, Tolerance.accumulation(o.magnitude()).plus(Ops.activationTolerance(a)));
        }
        return Outcome.pass();
    }

    private static void activations(CaseList c) {
        int[] xd = {2, 3, 4, 5};
        for (Activation a : Activation.values()) {
            c.layouts("rule/activation/" + a + "-" + dims(xd), (e, l) -> {
                float[] x = Data.uniform(230 + a.ordinal(), Data.count(xd), -6, 6);
                try (Run r = new Run(e)) {
                    Check.close("y", r.activation(a, Shape.of(xd), l, x), xd, Oracle.activation(a, x),
                            Ops.activationTolerance(a));
                }
                return Outcome.pass();
            });
        }
        c.layouts("rule/activation/RELU-in-place-x-equals-y-" + dims(xd), (e, l) -> {
            float[] x = Data.uniform(235, Data.count(xd), -6, 6);
            try (Run r = new Run(e)) {
                Tensor t = r.input(Shape.of(xd), l, x);
                e.activationForward(Activation.RELU, t, t);
                Check.close("y", r.read(t), xd, Oracle.activation(Activation.RELU, x), Tolerance.EXACT);
            }
            return Outcome.pass();
        });
        c.add("rule/activation/TANH-2-D-3x11", e -> {
            float[] x = Data.uniform(236, 33, -4, 4);
            try (Run r = new Run(e)) {
                Check.close("y", r.activation(Activation.TANH, Shape.of(3, 11), Layout.NCHW, x), new int[] {3, 11},
                        Oracle.activation(Activation.TANH, x), Tolerance.TRANSCENDENTAL);
            }
            return Outcome.pass();
        });
    }

    private static void pointwiseIsMatmul(CaseList c) {
        c.layouts("rule/pointwise-conv-is-matmul/2x17x7x5-k1x1-filters33", (e, l) -> {
            int n = 2, ch = 17, h = 7, w = 5, k = 33;
            int[] xd = {n, ch, h, w};
            float[] x = Data.uniform(240, Data.count(xd), -1, 1);
            float[] wt = Data.uniform(241, k * ch, -1, 1);
            float[] b = Data.uniform(242, k, -1, 1);
            ConvolutionParams p = ConvolutionParams.of(k, 1, 1);
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D '1x1'", Shape.of(xd), l, p);
            Check.that(d.isPointwise(), "a 1×1, stride-1, unpadded, ungrouped convolution must be pointwise");
            // The matmul: rows are pixels (n, h, w), columns channels; weights transposed to [C, K].
            float[] rows = new float[n * h * w * ch];
            for (int i = 0; i < n; i++) {
                for (int pix = 0; pix < h * w; pix++) {
                    for (int cc = 0; cc < ch; cc++) {
                        rows[(i * h * w + pix) * ch + cc] = x[(i * ch + cc) * h * w + pix];
                    }
                }
            }
            float[] wT = new float[ch * k];
            for (int f = 0; f < k; f++) {
                for (int cc = 0; cc < ch; cc++) {
                    wT[cc * k + f] = wt[f * ch + cc];
                }
            }
            Oracle.Result mm = Oracle.dense(n * h * w, ch, rows, k, wT, b, Activation.NONE);
            double[] expected = new double[n * k * h * w]; // back to [N, K, H, W]
            for (int i = 0; i < n; i++) {
                for (int pix = 0; pix < h * w; pix++) {
                    for (int f = 0; f < k; f++) {
                        expected[(i * k + f) * h * w + pix] = mm.values()[(i * h * w + pix) * k + f];
                    }
                }
            }
            try (Run r = new Run(e)) {
                Check.close("y", r.conv(d, x, wt, b), new int[] {n, k, h, w}, expected,
                        Tolerance.accumulation(mm.magnitude()));
            }
            return Outcome.pass();
        });
    }

    private static void dense(CaseList c) {
        int[][] sizes = {{1, 1, 1}, {1, 3, 17}, {2, 65, 33}, {3, 1000, 10}};
        int seed = 250;
        for (int[] s : sizes) {
            int sd = seed++;
            c.add("rule/dense/" + s[0] + "x" + s[1] + "-to-" + s[0] + "x" + s[2],
                    e -> denseCase(e, sd, s[0], s[1], s[2], true, Activation.NONE));
        }
    }

    private static void flatten(CaseList c) {
        c.layouts("rule/flatten/2x3x4x5-storage-order-then-dense", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 260, new int[] {2, 3, 4, 5}).flatten(60).dense(4, Activation.NONE).expect(2, 4);
            }
            return Outcome.pass();
        });
    }

    private static void softmax(CaseList c) {
        String r = "rule/softmax/";
        c.add(r + "inputs-up-to-1e4-no-overflow", e -> softmaxCase(e, 2, 5,
                new float[] {1e4f, 1e4f - 1, 1e4f - 2, 0, -1e4f, -1e4f, -1e4f + 1, 1e4f, 3, -1e4f}));
        c.add(r + "row-of-10000-uniform-in-1e4", e -> softmaxCase(e, 1, 10_000, Data.uniform(270, 10_000, -1e4, 1e4)));
        c.add(r + "row-of-10000-uniform-in-5", e -> softmaxCase(e, 1, 10_000, Data.uniform(271, 10_000, -5, 5)));
        c.add(r + "equal-inputs-give-1/F", e -> softmaxCase(e, 3, 7, new float[21]));
        c.add(r + "single-column-gives-1", e -> softmaxCase(e, 4, 1, new float[] {-3, 0, 7, 1e4f}));
        c.add(r + "batch-5x33", e -> softmaxCase(e, 5, 33, Data.uniform(272, 165, -20, 20)));
    }

    private static Outcome softmaxCase(Engine e, int n, int f, float[] x) {
        try (Run r = new Run(e)) {
            float[] y = r.softmax(Shape.of(n, f), x);
            Check.close("y", y, new int[] {n, f}, Oracle.softmax(n, f, x), Tolerance.SOFTMAX);
        }
        return Outcome.pass();
    }

    /** Plans write into channel slices of a larger tensor, and nowhere else. */
    private static void slices(CaseList c) {
        c.layouts("rule/channel-slice-destination/conv-into-channels-3..7-of-12", (e, l) -> {
            int[] xd = {2, 4, 5, 6};
            ConvolutionParams p = conv(5, 3, 3, 1, 1, Padding.SAME);
            float[] x = Data.ints(280, Data.count(xd), 4);
            float[] w = Data.ints(281, 5 * 4 * 9, 3);
            float[] b = Data.ints(282, 5, 5);
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'slice'", Shape.of(xd), l, p);
            Oracle.Result o = Oracle.conv(xd, x, p, w, b);
            try (Run r = new Run(e); Plan plan = r.plan(d, w, b)) {
                Tensor y = r.output(Shape.of(2, 12, 5, 6), l);
                r.fill(y, -7777f);
                Tensor slice = y.channelSlice(3, 5);
                r.fill(slice, Float.NaN);
                plan.execute(r.input(d.input(), l, x), slice);
                checkSlice(r.read(y), new int[] {2, 12, 5, 6}, 3, o, Tolerance.accumulation(o.magnitude()));
            }
            return Outcome.pass();
        });
        c.layouts("rule/channel-slice-destination/max-pool-into-channels-2..4-of-7", (e, l) -> {
            int[] xd = {2, 3, 6, 6};
            PoolingParams p = pool(MAX, 3, 3, 2, 2, Padding.SAME);
            float[] x = Data.ints(283, Data.count(xd), 9);
            PoolingDescriptor d = PoolingDescriptor.create("MaxPooling2D 'slice'", Shape.of(xd), l, p);
            Oracle.Result o = Oracle.pool(xd, x, p);
            try (Run r = new Run(e)) {
                r.require(d);
                Tensor y = r.output(Shape.of(2, 7, 3, 3), l);
                r.fill(y, -7777f);
                Tensor slice = y.channelSlice(2, 3);
                r.fill(slice, Float.NaN);
                e.poolingForward(d, r.input(d.input(), l, x), slice);
                checkSlice(r.read(y), new int[] {2, 7, 3, 3}, 2, o, Tolerance.EXACT);
            }
            return Outcome.pass();
        });
    }

    /** {@code all} [N, C, H, W]: channels [start, start + k) must equal {@code o}, the rest the sentinel −7777. */
    static void checkSlice(float[] all, int[] dims, int start, Oracle.Result o, Tolerance tol) {
        int n = dims[0], ch = dims[1], hw = dims[2] * dims[3], k = o.dims()[1];
        for (int i = 0; i < n; i++) {
            for (int cc = 0; cc < ch; cc++) {
                for (int j = 0; j < hw; j++) {
                    int at = (i * ch + cc) * hw + j;
                    if (cc >= start && cc < start + k) {
                        double expected = o.values()[(i * k + cc - start) * hw + j];
                        if (!tol.accepts(expected, all[at])) {
                            throw new CaseAbort(Outcome.mismatch("slice", at, Check.position(dims, at), expected, all[at]));
                        }
                    } else if (all[at] != -7777f) {
                        throw new CaseAbort(Outcome.mismatch("outside the slice (must be left untouched)", at,
                                Check.position(dims, at), -7777f, all[at]));
                    }
                }
            }
        }
    }

    /**
     * GoogLeNet's inception (3a) on its real input, 28×28×192: four branches (1×1 → 64; 1×1 → 96 → 3×3 → 128;
     * 1×1 → 16 → 5×5 → 32; 3×3 max pool → 1×1 → 32), each plan executing straight into its channel slice of one
     * 256-channel output, as a model's concat does.
     */
    private static Outcome inception(Engine e, Layout l) {
        int[] xd = {1, 192, 28, 28};
        float[] x = Data.uniform(290, Data.count(xd), -1, 1);
        try (Run r = new Run(e)) {
            Tensor xt = r.input(Shape.of(xd), l, x);
            Tensor y = r.output(Shape.of(1, 256, 28, 28), l);
            double[] expected = new double[256 * 28 * 28];
            double magnitude = 0;
            magnitude = Math.max(magnitude, branch(r, l, xt, xd, x, 291, new int[] {64}, y.channelSlice(0, 64), expected, 0));
            magnitude = Math.max(magnitude, branch(r, l, xt, xd, x, 292, new int[] {96, 128}, y.channelSlice(64, 128),
                    expected, 64));
            magnitude = Math.max(magnitude, branch(r, l, xt, xd, x, 293, new int[] {16, 32}, y.channelSlice(192, 32),
                    expected, 192));
            // Pool branch: 3×3 max, stride 1, SAME, then 1×1 → 32.
            PoolingParams pp = pool(MAX, 3, 3, 1, 1, Padding.SAME);
            PoolingDescriptor pd = PoolingDescriptor.create("MaxPooling2D 'inception_3a/pool'", Shape.of(xd), l, pp);
            r.require(pd);
            Tensor pooled = r.output(pd.output(), l);
            e.poolingForward(pd, xt, pooled);
            float[] pv = r.read(pooled);
            Check.close("inception_3a/pool", pv, Oracle.pool(xd, x, pp), Tolerance.EXACT);
            magnitude = Math.max(magnitude, branch(r, l, pooled, xd, pv, 294, new int[] {32}, y.channelSlice(224, 32),
                    expected, 224));
            Check.close("inception_3a/output (concat of the four branches)", r.read(y), new int[] {1, 256, 28, 28},
                    expected, Tolerance.accumulation(magnitude));
        }
        return Outcome.pass();
    }

    /**
     * One branch: a 1×1 ReLU convolution to {@code widths[0]}, then (if given) a SAME ReLU convolution (3×3 for
     * 128 filters, 5×5 for 32) to {@code widths[1]} written into {@code dst}. Expected values go to channels
     * {@code offset..} of {@code expected}; returns the magnitude for the tolerance.
     */
    private static double branch(Run r, Layout l, Tensor xt, int[] xd, float[] x, long seed, int[] widths, Tensor dst,
                                 double[] expected, int offset) {
        int hw = xd[2] * xd[3];
        ConvolutionParams reduce = ConvolutionParams.of(widths[0], 1, 1).withActivation(Activation.RELU);
        float[] w1 = scaled(seed, widths[0] * xd[1], xd[1]);
        float[] b1 = scaled(seed + 1, widths[0], 4);
        ConvolutionDescriptor d1 = ConvolutionDescriptor.create("Conv2D 'inception_3a/1x1'", Shape.of(xd), l, reduce);
        Oracle.Result o1 = Oracle.conv(xd, x, reduce, w1, b1);
        Oracle.Result last = o1;
        try (Plan p1 = r.plan(d1, w1, b1)) {
            if (widths.length == 1) {
                p1.execute(xt, dst);
            } else {
                Tensor mid = r.output(d1.output(), l);
                p1.execute(xt, mid);
                float[] mv = r.read(mid);
                Check.close(d1.layer(), mv, o1, Tolerance.accumulation(o1.magnitude()));
                int k = widths[1] == 128 ? 3 : 5;
                ConvolutionParams spatial = ConvolutionParams.of(widths[1], k, k).withPadding(Padding.SAME)
                        .withActivation(Activation.RELU);
                int[] md = o1.dims();
                float[] w2 = scaled(seed + 2, widths[1] * widths[0] * k * k, widths[0] * k * k);
                float[] b2 = scaled(seed + 3, widths[1], 4);
                ConvolutionDescriptor d2 = ConvolutionDescriptor.create("Conv2D 'inception_3a/" + k + "x" + k + "'",
                        Shape.of(md), l, spatial);
                last = Oracle.conv(md, mv, spatial, w2, b2);
                try (Plan p2 = r.plan(d2, w2, b2)) {
                    p2.execute(mid, dst);
                }
            }
        }
        System.arraycopy(last.values(), 0, expected, offset * hw, last.values().length);
        return last.magnitude();
    }

    private static float[] scaled(long seed, int n, int fanIn) {
        float[] v = Data.uniform(seed, n, -1, 1);
        float s = (float) (1 / Math.sqrt(fanIn));
        for (int i = 0; i < n; i++) {
            v[i] *= s;
        }
        return v;
    }
}
