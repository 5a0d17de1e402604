package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * The ops of imported networks, pinned: element-wise add, subtract, multiply and divide with broadcasting
 * ({@code rule/binary/}, {@code rule/broadcast/}), scale-and-shift ({@code rule/scale-shift/}), clamp
 * ({@code rule/clamp/}), ReLU6, hard-sigmoid, hard-swish and SiLU ({@code rule/activation/}), local response
 * normalization ({@code rule/lrn/}), constant pad ({@code rule/pad/}), transpose ({@code rule/transpose/}), pooling
 * dilation ({@code rule/pooling-dilation/}) and hand-worked global pooling; then strided destinations and inputs,
 * aliasing, odd channel counts and NaN/±∞ ({@code rule/non-finite/}). Expected values come from {@link Oracle}
 * and, where the name says hand-worked or lists them, from numbers written out here.
 */
final class ImportedOpCases {
    private ImportedOpCases() {
    }

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final double DNAN = Double.NaN;
    private static final double DINF = Double.POSITIVE_INFINITY;

    /** The channel counts implementations get wrong: 1, and odd counts below, around and above a vector. */
    static final int[] ODD_CHANNELS = {1, 3, 5, 17, 71};

    static void add(CaseList c) {
        binary(c);
        scaleShift(c);
        clampAndActivations(c);
        lrn(c);
        pad(c);
        transpose(c);
        poolingDilation(c);
        globalPooling(c);
        broadcasting(c);
        slices(c);
        aliasing(c);
        oddChannels(c);
        nonFinite(c);
    }

    // ---- helpers ----

    private static String dims(int... d) {
        StringBuilder s = new StringBuilder();
        for (int x : d) {
            if (!s.isEmpty()) {
                s.append('x');
            }
            s.append(x);
        }
        return s.toString();
    }

    private static String list(int... v) {
        StringBuilder s = new StringBuilder();
        for (int x : v) {
            if (!s.isEmpty()) {
                s.append(',');
            }
            s.append(x);
        }
        return s.toString();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static float[] f(double... v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[] d(double... v) {
        return v;
    }

    /** Non-zero integers in [−m, m] whose sign is random: divisors never 0. */
    private static float[] ints(long seed, int[] dims, int m) {
        return Data.ints(seed, Data.count(dims), m);
    }

    private static Outcome pass(Runnable body) {
        body.run();
        return Outcome.pass();
    }

    // ---- element-wise with broadcasting ----

    private static void binary(CaseList c) {
        String r = "rule/binary/";
        c.layouts(r + "add-1x2x2x2-values-1..8-plus-channel-bias-1x2x1x1-10,20-to-11..14,25..28", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.ADD, new int[] {1, 2, 2, 2}, Data.iota1(8), new int[] {1, 2, 1, 1},
                        f(10, 20), Activation.NONE, d(11, 12, 13, 14, 25, 26, 27, 28))));
        c.layouts(r + "mul-squeeze-excitation-2x3x2x2-values-1..24-times-2x3x1x1-0.5,2,-1,0.25,-3,1", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.MUL, new int[] {2, 3, 2, 2}, Data.iota1(24), new int[] {2, 3, 1, 1},
                        f(0.5, 2, -1, 0.25, -3, 1), Activation.NONE,
                        d(0.5, 1, 1.5, 2, 10, 12, 14, 16, -9, -10, -11, -12,
                                3.25, 3.5, 3.75, 4, -51, -54, -57, -60, 21, 22, 23, 24))));
        c.layouts(r + "sub-row-1x1x1x3-1,2,3-minus-column-1x1x2x1-10,20-both-broadcast-to-1x1x2x3", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.SUB, new int[] {1, 1, 1, 3}, f(1, 2, 3), new int[] {1, 1, 2, 1},
                        f(10, 20), Activation.NONE, d(-9, -8, -7, -19, -18, -17))));
        c.layouts(r + "div-1x1x2x2-values-1..4-by-1x1x1x2-2,4-to-0.5,0.5,1.5,1", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.DIV, new int[] {1, 1, 2, 2}, f(1, 2, 3, 4), new int[] {1, 1, 1, 2},
                        f(2, 4), Activation.NONE, d(0.5, 0.5, 1.5, 1))));
        c.layouts(r + "div-a-broadcast-1x1x1x1-12-by-1x1x2x2-values-1,2,3,-4-to-12,6,4,-3", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.DIV, new int[] {1, 1, 1, 1}, f(12), new int[] {1, 1, 2, 2},
                        f(1, 2, 3, -4), Activation.NONE, d(12, 6, 4, -3))));
        c.layouts(r + "add-fused-RELU6-1x1x2x2-sums-minus-7,-0.5,5,9-to-0,0,5,6", (e, l) -> pass(
                () -> Ops.binary(e, l, BinaryOp.ADD, new int[] {1, 1, 2, 2}, f(-8, -1, 2, 5), new int[] {1, 1, 2, 2},
                        f(1, 0.5, 3, 4), Activation.RELU6, d(0, 0, 5, 6))));
        c.add(r + "mul-2-D-3x4-values-0..11-times-1x4-1,-1,2,0", e -> pass(
                () -> Ops.binary(e, Layout.NCHW, BinaryOp.MUL, new int[] {3, 4}, Data.iota(12), new int[] {1, 4},
                        f(1, -1, 2, 0), Activation.NONE, d(0, -1, 4, 0, 4, -5, 12, 0, 8, -9, 20, 0))));
        // Every activation fused after an addition, on data wide enough to saturate ReLU6 and hard-sigmoid.
        int seed = 70_000;
        for (Activation a : Activation.values()) {
            int s = seed++;
            int[] xd = {2, 3, 4, 5};
            c.layouts(r + "add-fused-" + a + "-2x3x4x5-plus-1x3x1x5", (e, l) -> pass(() -> Ops.binary(e, l,
                    BinaryOp.ADD, xd, Data.uniform(s, Data.count(xd), -6, 6), new int[] {1, 3, 1, 5},
                    Data.uniform(s + 1, 15, -3, 3), a, null)));
        }
        for (BinaryOp op : BinaryOp.values()) {
            int s = seed++;
            int[] xd = {2, 3, 4, 5};
            c.layouts(r + lower(op) + "-same-shapes-2x3x4x5-fused-HARD_SWISH", (e, l) -> pass(() -> Ops.binary(e, l,
                    op, xd, ints(s, xd, 5), xd, ints(s + 1, xd, 4), Activation.HARD_SWISH, null)));
        }
    }

    // ---- scale-and-shift ----

    private static void scaleShift(CaseList c) {
        String r = "rule/scale-shift/";
        // γ = (2, 0.5), β = (1, −1), μ = (1, 4), σ² = (3, 15), ε = 1: √(σ² + ε) = (2, 4), scale = γ/√ = (1, 0.125),
        // shift = β − μ·scale = (0, −1.5).
        c.layouts(r + "batch-norm-1x2x2x2-gamma-2,0.5-beta-1,-1-mean-1,4-var-3,15-eps-1-hand-worked", (e, l) -> {
            double[] gamma = {2, 0.5}, beta = {1, -1}, mean = {1, 4}, var = {3, 15};
            float[] scale = new float[2];
            float[] shift = new float[2];
            for (int i = 0; i < 2; i++) {
                double s = gamma[i] / Math.sqrt(var[i] + 1);
                scale[i] = (float) s;
                shift[i] = (float) (beta[i] - mean[i] * s);
            }
            Check.close("scale, shift", new float[] {scale[0], scale[1], shift[0], shift[1]}, new int[] {4},
                    Tolerance.EXACT, 1, 0.125, 0, -1.5);
            Ops.scaleShift(e, l, new int[] {1, 2, 2, 2}, f(1, 2, 3, 4, 4, 8, 12, -4), scale, shift, Activation.NONE,
                    d(1, 2, 3, 4, -1, -0.5, 0, -2));
            return Outcome.pass();
        });
        c.add(r + "2-D-3x4-scale-1,2,-1,0.5-shift-0,1,2,-3-fused-RELU6-hand-worked", e -> pass(() -> Ops.scaleShift(e,
                Layout.NCHW, new int[] {3, 4}, f(-1, 2, 3, 10, 4, 4, -8, 2, 0.5, -0.5, 1, 20), f(1, 2, -1, 0.5),
                f(0, 1, 2, -3), Activation.RELU6, d(0, 5, 0, 2, 4, 6, 6, 0, 0.5, 0, 1, 6))));
        int seed = 70_100;
        for (Activation a : Activation.values()) {
            int s = seed++;
            int[] xd = {2, 5, 3, 4};
            c.layouts(r + "fused-" + a + "-2x5x3x4", (e, l) -> pass(() -> Ops.scaleShift(e, l, xd,
                    Data.uniform(s, Data.count(xd), -4, 4), Data.uniform(s + 1, 5, -2, 2),
                    Data.uniform(s + 2, 5, -1, 1), a, null)));
        }
        c.add(r + "2-D-7x33-fused-SILU", e -> pass(() -> Ops.scaleShift(e, Layout.NCHW, new int[] {7, 33},
                Data.uniform(70_120, 231, -3, 3), Data.uniform(70_121, 33, -2, 2), Data.uniform(70_122, 33, -1, 1),
                Activation.SILU, null)));
    }

    // ---- clamp and the activations of imported networks ----

    private static void clampAndActivations(CaseList c) {
        String r = "rule/clamp/";
        float below6 = Math.nextDown(6f);
        float above6 = Math.nextUp(6f);
        float tiny = Float.MIN_VALUE;
        float[] edges = {-1, -0f, 0, tiny, 3, below6, 6, above6, 100};
        double[] relu6 = {0, 0, 0, tiny, 3, below6, 6, 6, 6};
        int[] x9 = {1, 1, 3, 3};
        c.layouts(r + "relu6-min-0-max-6-boundaries-at-exactly-0-and-6", (e, l) -> pass(
                () -> Ops.clamp(e, l, x9, edges, 1, 0, 0, 6, relu6)));
        c.layouts("rule/activation/RELU6-boundaries-at-exactly-0-and-6", (e, l) -> pass(
                () -> Ops.activation(e, l, Activation.RELU6, x9, edges, relu6)));
        c.layouts(r + "onnx-hard-sigmoid-alpha-0.2-beta-0.5-min-0-max-1", (e, l) -> pass(
                () -> Ops.clamp(e, l, new int[] {1, 2, 2, 2}, f(-3, -2.5, -1, 0, 1, 2.5, 3, 10), 0.2f, 0.5f, 0, 1,
                        d(0, 0, 0.3, 0.5, 0.7, 1, 1, 1))));
        c.layouts(r + "alpha-2-beta-minus-1-min-minus-3-max-4", (e, l) -> pass(
                () -> Ops.clamp(e, l, new int[] {1, 2, 2, 2}, f(-2, -1, 0, 1, 2, 2.5, 3, -0.5), 2, -1, -3, 4,
                        d(-3, -3, -1, 1, 3, 4, 4, -2))));
        c.layouts(r + "min-equals-max-3-gives-3-everywhere", (e, l) -> pass(
                () -> Ops.clamp(e, l, new int[] {1, 1, 2, 2}, f(-5, 0, 3, 7), 1, 0, 3, 3, d(3, 3, 3, 3))));
        c.layouts(r + "unbounded-max-infinity-is-relu", (e, l) -> pass(
                () -> Ops.clamp(e, l, new int[] {1, 1, 2, 2}, f(-5, 0, 3, 7e30), 1, 0, 0, INF, d(0, 0, 3, 7e30f))));
        c.layouts(r + "random-2x3x5x7-alpha-0.7-beta-0.1-min-minus-1-max-1.5", (e, l) -> pass(
                () -> Ops.clamp(e, l, new int[] {2, 3, 5, 7}, Data.uniform(70_200, 210, -4, 4), 0.7f, 0.1f, -1, 1.5f,
                        null)));

        String a = "rule/activation/";
        float[] around3 = {-4, -3, -1.5f, 0, 1.5f, 3, 4, -6, 6};
        c.layouts(a + "HARD_SIGMOID-at-minus-3-and-3-to-0-and-1", (e, l) -> pass(
                () -> Ops.activation(e, l, Activation.HARD_SIGMOID, x9, around3, d(0, 0, 0.25, 0.5, 0.75, 1, 1, 0, 1))));
        c.layouts(a + "HARD_SWISH-at-minus-3-and-3-to-0-and-3", (e, l) -> pass(
                () -> Ops.activation(e, l, Activation.HARD_SWISH, x9, around3,
                        d(0, 0, -0.375, 0, 1.125, 3, 4, 0, 6))));
        c.layouts(a + "SILU-x-over-1-plus-exp-minus-x", (e, l) -> pass(
                () -> Ops.activation(e, l, Activation.SILU, new int[] {1, 1, 2, 3}, f(-4, -1, 0, 1, 4, 20),
                        d(-4 / (1 + Math.exp(4)), -1 / (1 + Math.E), 0, 1 / (1 + 1 / Math.E), 4 / (1 + Math.exp(-4)),
                                20 / (1 + Math.exp(-20))))));
    }

    // ---- local response normalization ----

    private static void lrn(CaseList c) {
        String r = "rule/lrn/";
        // alpha = size makes alpha/size 1: y = x / (1 + Σ x²) with beta 1.
        // Pixel 0: 1, 2, 3, 4, 5; windows [0,1] [0,2] [1,3] [2,4] [3,4]: sums 5, 14, 29, 50, 41.
        // Pixel 1: −1, 0, 2, 0, 1: sums 1, 5, 4, 5, 1.
        c.layouts(r + "5-channels-size-3-window-clipped-at-both-edges-hand-worked", (e, l) -> pass(
                () -> Ops.lrn(e, l, new int[] {1, 5, 1, 2}, f(1, -1, 2, 0, 3, 2, 4, 0, 5, 1), 3, 3, 1, 1,
                        d(1 / 6.0, -1 / 2.0, 2 / 15.0, 0, 3 / 30.0, 2 / 5.0, 4 / 51.0, 0, 5 / 42.0, 1 / 2.0))));
        // Size 4: the window of c is [c − 1, c + 2] (one channel further after than before), clipped: sums of
        // squares of 1..5 over [0,2] [0,3] [1,4] [2,4] [3,4] are 14, 30, 54, 50, 41.
        c.layouts(r + "even-size-4-window-c-minus-1-to-c-plus-2-hand-worked", (e, l) -> pass(
                () -> Ops.lrn(e, l, new int[] {1, 5, 1, 1}, f(1, 2, 3, 4, 5), 4, 4, 1, 1,
                        d(1 / 15.0, 2 / 31.0, 3 / 55.0, 4 / 51.0, 5 / 42.0))));
        c.layouts(r + "even-size-2-window-c-to-c-plus-1-hand-worked", (e, l) -> pass(
                () -> Ops.lrn(e, l, new int[] {1, 4, 1, 1}, f(1, 2, 3, 4), 2, 2, 1, 1,
                        d(1 / 6.0, 2 / 14.0, 3 / 26.0, 4 / 17.0))));
        // AlexNet's constants: size 5, alpha 1e-4, beta 0.75, bias 2.
        c.layouts(r + "alexnet-size-5-alpha-1e-4-beta-0.75-bias-2-values-10..50", (e, l) -> {
            double[] sq = {100, 400, 900, 1600, 2500};
            double[] sums = {sq[0] + sq[1] + sq[2], sq[0] + sq[1] + sq[2] + sq[3], sq[0] + sq[1] + sq[2] + sq[3] + sq[4],
                sq[1] + sq[2] + sq[3] + sq[4], sq[2] + sq[3] + sq[4]};
            double[] y = new double[5];
            for (int i = 0; i < 5; i++) {
                y[i] = 10 * (i + 1) / Math.pow(2 + 1e-4 / 5 * sums[i], 0.75);
            }
            Ops.lrn(e, l, new int[] {1, 5, 1, 1}, f(10, 20, 30, 40, 50), 5, 1e-4f, 0.75f, 2, y);
            return Outcome.pass();
        });
        c.layouts(r + "size-1-x-over-1-plus-x-squared", (e, l) -> pass(
                () -> Ops.lrn(e, l, new int[] {1, 4, 1, 1}, f(0, 1, -2, 3), 1, 1, 1, 1, d(0, 0.5, -0.4, 0.3))));
        c.layouts(r + "size-7-wider-than-3-channels-sums-all", (e, l) -> pass(
                () -> Ops.lrn(e, l, new int[] {1, 3, 1, 1}, f(1, 2, 2), 7, 7, 1, 1, d(0.1, 0.2, 0.2))));
        int seed = 70_300;
        int[][] configs = {{2, 7, 5, 6, 3}, {1, 16, 4, 4, 5}, {2, 9, 3, 7, 4}, {1, 3, 6, 5, 9}};
        for (int[] g : configs) {
            int s = seed++;
            int[] xd = {g[0], g[1], g[2], g[3]};
            c.layouts(r + dims(xd) + "-size-" + g[4] + "-alpha-1e-3-beta-0.75-bias-1", (e, l) -> pass(
                    () -> Ops.lrn(e, l, xd, Data.uniform(s, Data.count(xd), -9, 9), g[4], 1e-3f, 0.75f, 1, null)));
        }
    }

    // ---- constant pad ----

    private static void pad(CaseList c) {
        String r = "rule/pad/";
        c.layouts(r + "asymmetric-1x1x2x3-top-1-right-2-value-minus-1-to-1x1x3x5", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {1, 1, 2, 3}, Data.iota1(6), new int[] {0, 0, 1, 0},
                        new int[] {0, 0, 0, 2}, -1, new int[] {1, 1, 3, 5},
                        d(-1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1, -1))));
        c.layouts(r + "all-four-sides-1-value-0-1x1x2x2-to-1x1x4x4", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {1, 1, 2, 2}, f(1, 2, 3, 4), new int[] {0, 0, 1, 1},
                        new int[] {0, 0, 1, 1}, 0, new int[] {1, 1, 4, 4},
                        d(0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0))));
        c.layouts(r + "channels-before-1-after-2-value-0.5-1x2x1x2-to-1x5x1x2", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {1, 2, 1, 2}, f(1, 2, 3, 4), new int[] {0, 1, 0, 0},
                        new int[] {0, 2, 0, 0}, 0.5f, new int[] {1, 5, 1, 2}, d(0.5, 0.5, 1, 2, 3, 4, 0.5, 0.5, 0.5, 0.5))));
        c.layouts(r + "batch-before-1-and-width-after-1-1x1x1x2-to-2x1x1x3", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {1, 1, 1, 2}, f(7, 8), new int[] {1, 0, 0, 0}, new int[] {0, 0, 0, 1}, 0,
                        new int[] {2, 1, 1, 3}, d(0, 0, 0, 7, 8, 0))));
        c.layouts(r + "no-pads-is-a-copy-2x3x4x5", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {2, 3, 4, 5}, Data.uniform(70_400, 120, -1, 1), new int[4], new int[4], 9,
                        new int[] {2, 3, 4, 5}, null)));
        c.layouts(r + "every-axis-2x3x4x5-before-1,2,0,3-after-2,0,1,1-value-minus-0.25", (e, l) -> pass(
                () -> Ops.pad(e, l, new int[] {2, 3, 4, 5}, Data.uniform(70_401, 120, -1, 1), new int[] {1, 2, 0, 3},
                        new int[] {2, 0, 1, 1}, -0.25f, new int[] {5, 5, 5, 9}, null)));
        c.add(r + "1-D-5-before-2-after-1-value-9", e -> pass(
                () -> Ops.pad(e, Layout.NCHW, new int[] {5}, Data.iota1(5), new int[] {2}, new int[] {1}, 9,
                        new int[] {8}, d(9, 9, 1, 2, 3, 4, 5, 9))));
        c.add(r + "3-D-2x1x3-before-0,1,0-after-1,0,1-value-9-to-3x2x4", e -> pass(
                () -> Ops.pad(e, Layout.NCHW, new int[] {2, 1, 3}, Data.iota1(6), new int[] {0, 1, 0},
                        new int[] {1, 0, 1}, 9, new int[] {3, 2, 4},
                        d(9, 9, 9, 9, 1, 2, 3, 9, 9, 9, 9, 9, 4, 5, 6, 9, 9, 9, 9, 9, 9, 9, 9, 9))));
        c.add(r + "5-D-2x3x2x3x2-before-0,1,2,0,1-after-1,0,1,2,0", e -> pass(
                () -> Ops.pad(e, Layout.NCHW, new int[] {2, 3, 2, 3, 2}, Data.uniform(70_402, 72, -1, 1),
                        new int[] {0, 1, 2, 0, 1}, new int[] {1, 0, 1, 2, 0}, 3, new int[] {3, 4, 5, 5, 3}, null)));
    }

    // ---- transpose ----

    private static void transpose(CaseList c) {
        String r = "rule/transpose/";
        c.add(r + "channel-shuffle-5-D-1x2x3x2x2-perm-0,2,1,3,4-values-0..23-to-1x3x2x2x2", e -> pass(
                () -> Ops.transpose(e, Layout.NCHW, new int[] {1, 2, 3, 2, 2}, Data.iota(24), new int[] {0, 2, 1, 3, 4},
                        new int[] {1, 3, 2, 2, 2}, d(0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11,
                                20, 21, 22, 23))));
        c.layouts(r + "channels-last-perm-0,2,3,1-1x2x2x3-values-0..11-to-1x2x3x2", (e, l) -> pass(
                () -> Ops.transpose(e, l, new int[] {1, 2, 2, 3}, Data.iota(12), new int[] {0, 2, 3, 1},
                        new int[] {1, 2, 3, 2}, d(0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11))));
        c.add(r + "2-D-3x4-perm-1,0-values-0..11", e -> pass(
                () -> Ops.transpose(e, Layout.NCHW, new int[] {3, 4}, Data.iota(12), new int[] {1, 0}, new int[] {4, 3},
                        d(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11))));
        c.add(r + "3-D-2x3x4-perm-2,0,1-values-0..23", e -> pass(
                () -> Ops.transpose(e, Layout.NCHW, new int[] {2, 3, 4}, Data.iota(24), new int[] {2, 0, 1},
                        new int[] {4, 2, 3}, d(0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11,
                                15, 19, 23))));
        int seed = 70_500;
        int[][][] configs = {
            {{1, 3, 4, 5}, {0, 1, 2, 3}}, {{2, 3, 4, 5}, {0, 1, 3, 2}}, {{2, 3, 4, 5}, {1, 0, 2, 3}},
            {{2, 3, 4, 5}, {0, 3, 1, 2}}, {{2, 3, 4, 5}, {3, 2, 1, 0}}, {{2, 17, 3, 5}, {0, 2, 3, 1}},
        };
        for (int[][] g : configs) {
            int s = seed++;
            c.layouts(r + dims(g[0]) + "-perm-" + list(g[1]), (e, l) -> pass(() -> Ops.transpose(e, l, g[0],
                    Data.uniform(s, Data.count(g[0]), -1, 1), g[1], null, null)));
        }
        c.add(r + "6-D-2x1x3x2x4x3-perm-5,3,0,4,1,2", e -> pass(() -> Ops.transpose(e, Layout.NCHW,
                new int[] {2, 1, 3, 2, 4, 3}, Data.uniform(70_520, 144, -1, 1), new int[] {5, 3, 0, 4, 1, 2},
                new int[] {3, 2, 2, 4, 1, 3}, null)));
    }

    // ---- pooling dilation and global pooling ----

    /** 5×5 input whose odd rows and columns hold 2, −7 / 4, 1: the cells a stride-2 window from −1 reads. */
    static final float[] DILATED_5X5 = {
        3, 1, 4, 1, 5,
        9, 2, 6, -7, 3,
        5, 8, 9, 7, 9,
        3, 4, 3, 1, 4,
        6, 2, 6, 4, 3};

    private static PoolingParams pool(PoolingMode m, int k, int s, int dil, Padding p) {
        return PoolingParams.of(m, k, k).withStride(s, s).withDilation(dil, dil).withPadding(p);
    }

    private static void poolingDilation(CaseList c) {
        String r = "rule/pooling-dilation/";
        int[] x5 = {1, 1, 5, 5};
        int[] o3 = {1, 1, 3, 3};
        // k2, d2: a window reads rows (r, r + 2) and columns (c, c + 2).
        c.layouts(r + "max-5x5-k2-d2-s1-VALID-to-3x3-hand-worked", (e, l) -> SeedCases.pooled(e, l, x5, DILATED_5X5,
                pool(MAX, 2, 1, 2, Padding.VALID), o3, d(9, 8, 9, 9, 4, 6, 9, 8, 9)));
        c.layouts(r + "avg-5x5-k2-d2-s1-VALID-to-3x3-hand-worked", (e, l) -> SeedCases.pooled(e, l, x5, DILATED_5X5,
                pool(AVERAGE, 2, 1, 2, Padding.VALID), o3,
                d(21 / 4.0, 17 / 4.0, 27 / 4.0, 21 / 4.0, 0, 16 / 4.0, 26 / 4.0, 21 / 4.0, 27 / 4.0)));
        // k2, d2 (extent 3), stride 2, pads (1, 1, 0, 0), ceil mode: 3 windows per axis starting at −1, 1, 3, reading
        // rows {−1, 1}, {1, 3}, {3, 5}: −1 is padding, 5 lies beyond the padded input (ceil-mode overhang, never
        // counted). Inside cells: {1}, {1, 3}, {3}; cells inside the padded input: 2, 2, 1. Floor mode gives 2×2.
        Padding tl = Padding.explicit(1, 1, 0, 0);
        c.layouts(r + "max-5x5-k2-d2-s2-pads(1,1,0,0)-ceil-to-3x3-hand-worked", (e, l) -> SeedCases.pooled(e, l, x5,
                DILATED_5X5, pool(MAX, 2, 2, 2, tl).withCeilMode(true), o3, d(2, 2, -7, 4, 4, 1, 4, 4, 1)));
        c.layouts(r + "avg-5x5-k2-d2-s2-pads(1,1,0,0)-ceil-countIncludePad-false-to-3x3-hand-worked",
                (e, l) -> SeedCases.pooled(e, l, x5, DILATED_5X5, pool(AVERAGE, 2, 2, 2, tl).withCeilMode(true), o3,
                        d(2, -2.5, -7, 3, 0, -3, 4, 2.5, 1)));
        c.layouts(r + "avg-5x5-k2-d2-s2-pads(1,1,0,0)-ceil-countIncludePad-true-overhang-not-counted-hand-worked",
                (e, l) -> SeedCases.pooled(e, l, x5, DILATED_5X5,
                        pool(AVERAGE, 2, 2, 2, tl).withCeilMode(true).withCountIncludePad(true), o3,
                        d(2 / 4.0, -5 / 4.0, -7 / 2.0, 6 / 4.0, 0, -6 / 2.0, 4 / 2.0, 5 / 2.0, 1)));
        c.layouts(r + "max-5x5-k2-d2-s2-pads(1,1,0,0)-floor-to-2x2", (e, l) -> SeedCases.pooled(e, l, x5, DILATED_5X5,
                pool(MAX, 2, 2, 2, tl), new int[] {1, 1, 2, 2}, d(2, 2, 4, 4)));
        // Resolved pads with a dilated window (extent d·(k − 1) + 1), then oracle values on integer or negative data.
        record Config(String what, int[] xd, PoolingParams p, Pads pads, int[] out) {
        }
        Config[] configs = {
            new Config("5x7-k3-d2x1-s1-SAME-pads(2,1,2,1)-to-5x7", new int[] {1, 3, 5, 7},
                PoolingParams.of(MAX, 3, 3).withStride(1, 1).withDilation(2, 1).withPadding(Padding.SAME),
                new Pads(2, 1, 2, 1),
                new int[] {1, 3, 5, 7}),
            new Config("7x7-k2-d3-s2-SAME-pads(1,1,2,2)-to-4x4", new int[] {1, 2, 7, 7},
                pool(MAX, 2, 2, 3, Padding.SAME), new Pads(1, 1, 2, 2), new int[] {1, 2, 4, 4}),
            new Config("7x7-k2-d3-s2-SAME_LOWER-pads(2,2,1,1)-to-4x4", new int[] {1, 2, 7, 7},
                pool(MAX, 2, 2, 3, Padding.SAME_LOWER), new Pads(2, 2, 1, 1), new int[] {1, 2, 4, 4}),
            new Config("6x6-k2-d2-s1-pads(2,2,2,2)-to-8x8", new int[] {1, 2, 6, 6},
                pool(MAX, 2, 1, 2, Padding.explicit(2)), new Pads(2, 2, 2, 2), new int[] {1, 2, 8, 8}),
            new Config("7x9-k3x2-d2x3-s2x1-VALID-to-2x6", new int[] {2, 3, 7, 9},
                PoolingParams.of(MAX, 3, 2).withStride(2, 1).withDilation(2, 3), new Pads(0, 0, 0, 0),
                new int[] {2, 3, 2, 6}),
            new Config("7x7-k3-d2-s2-FULL-pads(4,4,4,4)-to-6x6", new int[] {1, 2, 7, 7},
                pool(MAX, 3, 2, 2, Padding.FULL), new Pads(4, 4, 4, 4), new int[] {1, 2, 6, 6}),
            new Config("6x6-k2-d2-s2-pads(1,1,1,1)-ceil-to-4x4", new int[] {1, 2, 6, 6},
                pool(MAX, 2, 2, 2, Padding.explicit(1)).withCeilMode(true), new Pads(1, 1, 1, 1),
                new int[] {1, 2, 4, 4}),
        };
        int seed = 70_600;
        for (Config g : configs) {
            for (PoolingMode m : PoolingMode.values()) {
                for (boolean include : m == MAX ? new boolean[] {false} : new boolean[] {false, true}) {
                    int s = seed++;
                    PoolingParams p = new PoolingParams(m, g.p.kernelH(), g.p.kernelW(), g.p.strideH(), g.p.strideW(),
                            g.p.padding(), g.p.ceilMode(), include, false, g.p.dilationH(), g.p.dilationW());
                    String name = r + (m == MAX ? "max-all-negative-" : "avg-") + dims(g.xd) + "-" + g.what
                            .substring(g.what.indexOf('-') + 1) + (m == MAX ? "" : "-countIncludePad-" + include);
                    c.layouts(name, (e, l) -> {
                        PoolingDescriptor pd = PoolingDescriptor.create("pool 'pin'", Shape.of(g.xd), l, p);
                        Check.that(pd.pads().equals(g.pads), "pads (top, left, bottom, right) " + pd.pads()
                                + " expected " + g.pads);
                        float[] x = m == MAX ? Data.negative(s, Data.count(g.xd)) : Data.ints(s, Data.count(g.xd), 9);
                        float[] y = Ops.pool(e, l, g.xd, x, p, g.out, null);
                        for (int i = 0; m == MAX && i < y.length; i++) {
                            Check.that(y[i] < 0, "max over all-negative input gave " + y[i] + " at index " + i
                                    + ": padding must act as −∞, never 0");
                        }
                        return Outcome.pass();
                    });
                }
            }
        }
    }

    private static void globalPooling(CaseList c) {
        // Channel 0: 0..34, mean 17, max 34; channel 1: (8·i mod 35) − 20, a permutation of −20..14: mean −3, max 14.
        int[] xd = {1, 2, 7, 5};
        float[] x = new float[70];
        for (int i = 0; i < 35; i++) {
            x[i] = i;
            x[35 + i] = (8 * i) % 35 - 20;
        }
        c.layouts("rule/global-pooling/avg-1x2x7x5-hand-worked-to-17,-3", (e, l) -> SeedCases.pooled(e, l, xd, x,
                PoolingParams.global(AVERAGE), new int[] {1, 2, 1, 1}, d(17, -3)));
        c.layouts("rule/global-pooling/max-1x2x7x5-hand-worked-to-34,14", (e, l) -> SeedCases.pooled(e, l, xd, x,
                PoolingParams.global(MAX), new int[] {1, 2, 1, 1}, d(34, 14)));
    }

    // ---- broadcasting ----

    private static void broadcasting(CaseList c) {
        String r = "rule/broadcast/";
        int[] full = {2, 3, 4, 5};
        int seed = 70_700;
        for (int axis = 0; axis < 4; axis++) {
            int[] one = full.clone();
            one[axis] = 1;
            int s = seed++;
            int ax = axis;
            // Non-commutative ops, so an implementation that swaps the operands fails.
            c.layouts(r + "sub-b-size-1-on-axis-" + ax + "-" + dims(full) + "-minus-" + dims(one), (e, l) -> pass(
                    () -> Ops.binary(e, l, BinaryOp.SUB, full, ints(s, full, 9), one, ints(s + 1, one, 9),
                            Activation.NONE, null)));
            c.layouts(r + "div-a-size-1-on-axis-" + ax + "-" + dims(one) + "-by-" + dims(full), (e, l) -> pass(
                    () -> Ops.binary(e, l, BinaryOp.DIV, one, ints(s + 2, one, 9), full, ints(s + 3, full, 9),
                            Activation.NONE, null)));
        }
        record Pair(BinaryOp op, int[] a, int[] b) {
        }
        Pair[] pairs = {
            new Pair(BinaryOp.ADD, new int[] {2, 3, 1, 1}, new int[] {1, 1, 4, 5}),
            new Pair(BinaryOp.MUL, new int[] {1, 3, 1, 5}, new int[] {2, 1, 4, 1}),
            new Pair(BinaryOp.SUB, new int[] {2, 3, 4, 5}, new int[] {1, 1, 1, 1}),
            new Pair(BinaryOp.DIV, new int[] {1, 1, 1, 1}, new int[] {2, 3, 4, 5}),
            new Pair(BinaryOp.SUB, new int[] {1, 1, 4, 5}, new int[] {2, 3, 1, 1}),
            new Pair(BinaryOp.MUL, new int[] {2, 1, 4, 5}, new int[] {2, 3, 4, 1}),
            new Pair(BinaryOp.ADD, new int[] {1, 1, 1, 1}, new int[] {1, 1, 1, 1}),
        };
        for (Pair g : pairs) {
            int s = seed++;
            c.layouts(r + lower(g.op) + "-" + dims(g.a) + "-and-" + dims(g.b), (e, l) -> pass(() -> Ops.binary(e, l,
                    g.op, g.a, ints(s, g.a, 9), g.b, ints(s + 1, g.b, 9), Activation.NONE, null)));
        }
        Pair[] ranks = {
            new Pair(BinaryOp.ADD, new int[] {7}, new int[] {1}),
            new Pair(BinaryOp.SUB, new int[] {3, 1}, new int[] {1, 4}),
            new Pair(BinaryOp.MUL, new int[] {2, 1, 5}, new int[] {1, 3, 1}),
            new Pair(BinaryOp.DIV, new int[] {2, 1, 3, 1, 4}, new int[] {1, 3, 1, 2, 1}),
            new Pair(BinaryOp.ADD, new int[] {1, 2, 1, 3, 1, 2}, new int[] {2, 1, 3, 1, 2, 1}),
            new Pair(BinaryOp.MUL, new int[] {2, 17}, new int[] {2, 17}),
        };
        for (Pair g : ranks) {
            int s = seed++;
            c.add(r + lower(g.op) + "-" + g.a.length + "-D-" + dims(g.a) + "-and-" + dims(g.b), e -> pass(
                    () -> Ops.binary(e, Layout.NCHW, g.op, g.a, ints(s, g.a, 9), g.b, ints(s + 1, g.b, 9),
                            Activation.NONE, null)));
        }
        // Batch 3 against a batch-1 operand (a residual added to every item), fused activation.
        c.layouts(r + "add-batch-3x4x5x6-plus-batch-1x4x5x6-fused-RELU", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.ADD, new int[] {3, 4, 5, 6}, Data.uniform(70_750, 360, -2, 2), new int[] {1, 4, 5, 6},
                Data.uniform(70_751, 120, -2, 2), Activation.RELU, null)));
    }

    // ---- strided destinations and inputs ----

    /** The logical values of channels {@code [start, start + count)} of {@code all [N, C, ...]}. */
    static float[] channels(float[] all, int[] dims, int start, int count) {
        int n = dims[0], ch = dims[1];
        int inner = Data.count(dims) / (n * ch);
        float[] out = new float[n * count * inner];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, (i * ch + start) * inner, out, i * count * inner, count * inner);
        }
        return out;
    }

    /** Runs {@code body} into channels {@code [start, start + o.dims[1])} of a {@code total}-channel destination. */
    private static Outcome intoSlice(Engine e, Layout l, Oracle.Result o, int total, int start, Tolerance tol,
                                     SliceBody body) throws Exception {
        int[] yd = o.dims().clone();
        yd[1] = total;
        try (Run r = new Run(e)) {
            Tensor y = r.output(Shape.of(yd), l);
            r.fill(y, -7777f);
            Tensor slice = y.channelSlice(start, o.dims()[1]);
            r.fill(slice, Float.NaN);
            body.run(r, slice);
            SemanticsCases.checkSlice(r.read(y), yd, start, o, tol);
        }
        return Outcome.pass();
    }

    @FunctionalInterface
    private interface SliceBody {
        void run(Run r, Tensor y) throws Exception;
    }

    private static void slices(CaseList c) {
        String r = "rule/channel-slice-destination/";
        c.layouts(r + "mul-2x3x4x5-by-2x3x1x1-into-channels-2..4-of-8", (e, l) -> {
            int[] ad = {2, 3, 4, 5}, bd = {2, 3, 1, 1};
            float[] a = Data.uniform(70_800, 120, -2, 2), b = Data.uniform(70_801, 6, -2, 2);
            BinaryDescriptor d = BinaryDescriptor.create("Mul 'slice'", BinaryOp.MUL, Shape.of(ad), Shape.of(bd), l,
                    Activation.NONE);
            Run.require(e, d);
            Oracle.Result o = Oracle.binary(BinaryOp.MUL, ad, a, bd, b, Activation.NONE);
            return intoSlice(e, l, o, 8, 2, Ops.binaryTolerance(Activation.NONE),
                    (run, y) -> e.binaryForward(d, run.input(d.a(), l, a), run.input(d.b(), l, b), y));
        });
        c.layouts(r + "scale-shift-2x5x3x4-HARD_SWISH-into-channels-1..5-of-7", (e, l) -> {
            int[] xd = {2, 5, 3, 4};
            float[] x = Data.uniform(70_802, 120, -5, 5), sc = Data.uniform(70_803, 5, -2, 2),
                    sh = Data.uniform(70_804, 5, -1, 1);
            ScaleShiftDescriptor d = ScaleShiftDescriptor.create("BatchNormalization 'slice'", Shape.of(xd), l,
                    Activation.HARD_SWISH);
            Run.require(e, d);
            Oracle.Result o = Oracle.scaleShift(xd, x, sc, sh, Activation.HARD_SWISH);
            return intoSlice(e, l, o, 7, 1, Ops.affineTolerance(o.magnitude(), Activation.HARD_SWISH), (run, y) -> {
                try (Plan p = run.plan(d, sc, sh)) {
                    p.execute(run.input(d.input(), l, x), y);
                }
            });
        });
        c.layouts(r + "clamp-1x3x4x4-into-channels-4..6-of-9", (e, l) -> {
            int[] xd = {1, 3, 4, 4};
            float[] x = Data.uniform(70_805, 48, -9, 9);
            ClampDescriptor d = ClampDescriptor.create("Clip 'slice'", Shape.of(xd), l, 1, 0, -2, 5);
            Run.require(e, d);
            return intoSlice(e, l, Oracle.clamp(xd, x, 1, 0, -2, 5), 9, 4, Tolerance.EXACT,
                    (run, y) -> e.clampForward(d, run.input(d.input(), l, x), y));
        });
        c.layouts(r + "lrn-1x6x3x3-size-3-into-channels-0..5-of-8", (e, l) -> {
            int[] xd = {1, 6, 3, 3};
            float[] x = Data.uniform(70_806, 54, -3, 3);
            LrnDescriptor d = LrnDescriptor.create("LRN 'slice'", Shape.of(xd), l, 3, 0.5f, 0.75f, 1);
            Run.require(e, d);
            Oracle.Result o = Oracle.lrn(xd, x, 3, 0.5f, 0.75f, 1);
            return intoSlice(e, l, o, 8, 0, Tolerance.normalization(o.magnitude()),
                    (run, y) -> e.lrnForward(d, run.input(d.input(), l, x), y));
        });
        c.layouts(r + "pad-1x2x3x3-pads-1-into-channels-3..4-of-6", (e, l) -> {
            int[] xd = {1, 2, 3, 3};
            float[] x = Data.uniform(70_807, 18, -1, 1);
            int[] before = {0, 0, 1, 1}, after = {0, 0, 1, 1};
            PadDescriptor d = PadDescriptor.create("Pad 'slice'", Shape.of(xd), l, before, after, 0.5f);
            Run.require(e, d);
            return intoSlice(e, l, Oracle.pad(xd, x, before, after, 0.5f), 6, 3, Tolerance.EXACT,
                    (run, y) -> e.padForward(d, run.input(d.input(), l, x), y));
        });
        c.layouts(r + "pad-channels-1x2x3x3-before-1-into-channels-2..4-of-5", (e, l) -> {
            int[] xd = {1, 2, 3, 3};
            float[] x = Data.uniform(70_808, 18, -1, 1);
            int[] before = {0, 1, 0, 0}, after = {0, 0, 0, 0};
            PadDescriptor d = PadDescriptor.create("Pad 'slice'", Shape.of(xd), l, before, after, -3);
            Run.require(e, d);
            return intoSlice(e, l, Oracle.pad(xd, x, before, after, -3), 5, 2, Tolerance.EXACT,
                    (run, y) -> e.padForward(d, run.input(d.input(), l, x), y));
        });
        c.layouts(r + "transpose-1x4x2x3-perm-0,1,3,2-into-channels-1..4-of-6", (e, l) -> {
            int[] xd = {1, 4, 2, 3};
            int[] perm = {0, 1, 3, 2};
            float[] x = Data.uniform(70_809, 24, -1, 1);
            TransposeDescriptor d = TransposeDescriptor.create("Transpose 'slice'", Shape.of(xd), l, perm);
            Run.require(e, d);
            return intoSlice(e, l, Oracle.transpose(xd, x, perm), 6, 1, Tolerance.EXACT,
                    (run, y) -> e.transposeForward(d, run.input(d.input(), l, x), y));
        });
        c.layouts(r + "max-pool-dilated-2x3x7x7-k2-d2-s2-SAME-into-channels-2..4-of-7", (e, l) -> {
            int[] xd = {2, 3, 7, 7};
            float[] x = Data.ints(70_810, 294, 9);
            PoolingParams p = pool(MAX, 2, 2, 2, Padding.SAME);
            PoolingDescriptor d = PoolingDescriptor.create("MaxPooling2D 'slice'", Shape.of(xd), l, p);
            Run.require(e, d);
            return intoSlice(e, l, Oracle.pool(xd, x, p), 7, 2, Tolerance.EXACT,
                    (run, y) -> e.poolingForward(d, run.input(d.input(), l, x), y));
        });

        String in = "rule/channel-slice-input/";
        c.layouts(in + "add-a-channels-1..3-of-6-and-b-channels-2..4-of-5", (e, l) -> {
            int[] ad = {2, 6, 3, 4}, bd = {2, 5, 3, 4}, yd = {2, 3, 3, 4};
            float[] aAll = Data.uniform(70_820, Data.count(ad), -1, 1), bAll = Data.uniform(70_821, Data.count(bd), -1, 1);
            float[] a = channels(aAll, ad, 1, 3), b = channels(bAll, bd, 2, 3);
            BinaryDescriptor d = BinaryDescriptor.create("Add 'slice'", BinaryOp.ADD, Shape.of(yd), Shape.of(yd), l,
                    Activation.RELU6);
            Run.require(e, d);
            Oracle.Result o = Oracle.binary(BinaryOp.ADD, yd, a, yd, b, Activation.RELU6);
            try (Run r2 = new Run(e)) {
                Tensor y = r2.output(Shape.of(yd), l);
                e.binaryForward(d, r2.input(Shape.of(ad), l, aAll).channelSlice(1, 3),
                        r2.input(Shape.of(bd), l, bAll).channelSlice(2, 3), y);
                Check.close("y", r2.read(y), o, Ops.binaryTolerance(Activation.RELU6));
            }
            return Outcome.pass();
        });
        c.layouts(in + "lrn-size-5-x-channels-2..8-of-11", (e, l) -> {
            int[] all = {2, 11, 3, 3}, xd = {2, 7, 3, 3};
            float[] xAll = Data.uniform(70_822, Data.count(all), -3, 3);
            float[] x = channels(xAll, all, 2, 7);
            LrnDescriptor d = LrnDescriptor.create("LRN 'slice'", Shape.of(xd), l, 5, 1, 0.75f, 2);
            Run.require(e, d);
            Oracle.Result o = Oracle.lrn(xd, x, 5, 1, 0.75f, 2);
            try (Run r2 = new Run(e)) {
                Tensor y = r2.output(Shape.of(xd), l);
                e.lrnForward(d, r2.input(Shape.of(all), l, xAll).channelSlice(2, 7), y);
                Check.close("y (channels outside the view must not enter the window)", r2.read(y), o,
                        Tolerance.normalization(o.magnitude()));
            }
            return Outcome.pass();
        });
        c.layouts(in + "transpose-perm-0,2,3,1-x-channels-1..3-of-5", (e, l) -> {
            int[] all = {2, 5, 3, 4}, xd = {2, 3, 3, 4};
            int[] perm = {0, 2, 3, 1};
            float[] xAll = Data.uniform(70_823, Data.count(all), -1, 1);
            float[] x = channels(xAll, all, 1, 3);
            TransposeDescriptor d = TransposeDescriptor.create("Transpose 'slice'", Shape.of(xd), l, perm);
            Run.require(e, d);
            Oracle.Result o = Oracle.transpose(xd, x, perm);
            try (Run r2 = new Run(e)) {
                Tensor y = r2.output(d.output(), l);
                e.transposeForward(d, r2.input(Shape.of(all), l, xAll).channelSlice(1, 3), y);
                Check.close("y", r2.read(y), o, Tolerance.EXACT);
            }
            return Outcome.pass();
        });
        c.layouts(in + "pad-x-channels-2..3-of-4", (e, l) -> {
            int[] all = {1, 4, 3, 3}, xd = {1, 2, 3, 3};
            int[] before = {0, 1, 2, 0}, after = {0, 0, 1, 2};
            float[] xAll = Data.uniform(70_824, Data.count(all), -1, 1);
            float[] x = channels(xAll, all, 2, 2);
            PadDescriptor d = PadDescriptor.create("Pad 'slice'", Shape.of(xd), l, before, after, 7);
            Run.require(e, d);
            Oracle.Result o = Oracle.pad(xd, x, before, after, 7);
            try (Run r2 = new Run(e)) {
                Tensor y = r2.output(d.output(), l);
                e.padForward(d, r2.input(Shape.of(all), l, xAll).channelSlice(2, 2), y);
                Check.close("y", r2.read(y), o, Tolerance.EXACT);
            }
            return Outcome.pass();
        });
    }

    // ---- aliasing ----

    private static void aliasing(CaseList c) {
        String r = "rule/in-place/";
        c.layouts(r + "mul-y-is-a-2x3x4x5-times-1x3x1x1", (e, l) -> {
            int[] ad = {2, 3, 4, 5}, bd = {1, 3, 1, 1};
            float[] a = Data.uniform(70_900, 120, -2, 2), b = Data.uniform(70_901, 3, -2, 2);
            BinaryDescriptor d = BinaryDescriptor.create("Mul 'in place'", BinaryOp.MUL, Shape.of(ad), Shape.of(bd), l,
                    Activation.NONE);
            Run.require(e, d);
            try (Run run = new Run(e)) {
                Tensor at = run.input(d.a(), l, a);
                e.binaryForward(d, at, run.input(d.b(), l, b), at);
                Check.close("y (= a)", run.read(at), Oracle.binary(BinaryOp.MUL, ad, a, bd, b, Activation.NONE),
                        Tolerance.ELEMENTWISE);
            }
            return Outcome.pass();
        });
        c.layouts(r + "sub-y-is-b-1x3x1x5-minus-2x3x4x5", (e, l) -> {
            int[] ad = {1, 3, 1, 5}, bd = {2, 3, 4, 5};
            float[] a = Data.uniform(70_902, 15, -2, 2), b = Data.uniform(70_903, 120, -2, 2);
            BinaryDescriptor d = BinaryDescriptor.create("Sub 'in place'", BinaryOp.SUB, Shape.of(ad), Shape.of(bd), l,
                    Activation.NONE);
            Run.require(e, d);
            try (Run run = new Run(e)) {
                Tensor bt = run.input(d.b(), l, b);
                e.binaryForward(d, run.input(d.a(), l, a), bt, bt);
                Check.close("y (= b)", run.read(bt), Oracle.binary(BinaryOp.SUB, ad, a, bd, b, Activation.NONE),
                        Tolerance.ELEMENTWISE);
            }
            return Outcome.pass();
        });
        c.layouts(r + "add-a-b-and-y-one-tensor-2x5x3x3-fused-RELU6", (e, l) -> {
            int[] xd = {2, 5, 3, 3};
            float[] a = Data.uniform(70_904, 90, -5, 5);
            BinaryDescriptor d = BinaryDescriptor.create("Add 'in place'", BinaryOp.ADD, Shape.of(xd), Shape.of(xd), l,
                    Activation.RELU6);
            Run.require(e, d);
            try (Run run = new Run(e)) {
                Tensor t = run.input(d.a(), l, a);
                e.binaryForward(d, t, t, t);
                Check.close("y (= a = b)", run.read(t), Oracle.binary(BinaryOp.ADD, xd, a, xd, a, Activation.RELU6),
                        Ops.binaryTolerance(Activation.RELU6));
            }
            return Outcome.pass();
        });
        c.layouts(r + "clamp-y-is-x-2x3x4x5-min-minus-1-max-2", (e, l) -> {
            int[] xd = {2, 3, 4, 5};
            float[] x = Data.uniform(70_905, 120, -4, 4);
            ClampDescriptor d = ClampDescriptor.create("Clip 'in place'", Shape.of(xd), l, 1, 0, -1, 2);
            Run.require(e, d);
            try (Run run = new Run(e)) {
                Tensor t = run.input(d.input(), l, x);
                e.clampForward(d, t, t);
                Check.close("y (= x)", run.read(t), Oracle.clamp(xd, x, 1, 0, -1, 2), Tolerance.EXACT);
            }
            return Outcome.pass();
        });
        for (Activation a : new Activation[] {Activation.RELU6, Activation.HARD_SIGMOID, Activation.HARD_SWISH,
            Activation.SILU}) {
            long seed = 70_910 + a.ordinal();
            c.layouts("rule/activation/" + a + "-in-place-x-equals-y-2x3x4x5", (e, l) -> {
                int[] xd = {2, 3, 4, 5};
                float[] x = Data.uniform(seed, 120, -8, 8);
                try (Run run = new Run(e)) {
                    Tensor t = run.input(Shape.of(xd), l, x);
                    e.activationForward(a, t, t);
                    Check.close("y (= x)", run.read(t), xd, Oracle.activation(a, x), Ops.activationTolerance(a));
                }
                return Outcome.pass();
            });
        }
    }

    // ---- odd channel counts ----

    private static void oddChannels(CaseList c) {
        String r = "rule/odd-channels/";
        long seed = 71_000;
        for (int ch : ODD_CHANNELS) {
            int[] xd = {2, ch, 3, 5};
            int[] se = {2, ch, 1, 1};
            int n = Data.count(xd);
            long s = seed;
            seed += 20;
            String x = dims(xd);
            c.layouts(r + "mul-squeeze-excitation-" + x + "-times-" + dims(se), (e, l) -> pass(() -> Ops.binary(e, l,
                    BinaryOp.MUL, xd, Data.uniform(s, n, -3, 3), se, Data.uniform(s + 1, 2 * ch, 0, 1),
                    Activation.NONE, null)));
            c.layouts(r + "add-residual-" + x + "-fused-RELU", (e, l) -> pass(() -> Ops.binary(e, l, BinaryOp.ADD, xd,
                    Data.uniform(s + 2, n, -3, 3), xd, Data.uniform(s + 3, n, -3, 3), Activation.RELU, null)));
            c.layouts(r + "scale-shift-" + x + "-fused-RELU6", (e, l) -> pass(() -> Ops.scaleShift(e, l, xd,
                    Data.uniform(s + 4, n, -5, 5), Data.uniform(s + 5, ch, -2, 2), Data.uniform(s + 6, ch, -1, 3),
                    Activation.RELU6, null)));
            c.layouts(r + "clamp-" + x + "-alpha-0.5-beta-0.25-min-minus-1-max-1", (e, l) -> pass(() -> Ops.clamp(e, l,
                    xd, Data.uniform(s + 7, n, -5, 5), 0.5f, 0.25f, -1, 1, null)));
            c.layouts(r + "lrn-" + x + "-size-5", (e, l) -> pass(() -> Ops.lrn(e, l, xd,
                    Data.uniform(s + 8, n, -4, 4), 5, 1e-2f, 0.75f, 1, null)));
            c.layouts(r + "transpose-" + x + "-perm-0,2,3,1", (e, l) -> pass(() -> Ops.transpose(e, l, xd,
                    Data.uniform(s + 9, n, -1, 1), new int[] {0, 2, 3, 1}, new int[] {2, 3, 5, ch}, null)));
            c.layouts(r + "pad-" + x + "-channels-before-1-after-2", (e, l) -> pass(() -> Ops.pad(e, l, xd,
                    Data.uniform(s + 10, n, -1, 1), new int[] {0, 1, 0, 0}, new int[] {0, 2, 0, 0}, 0,
                    new int[] {2, ch + 3, 3, 5}, null)));
            c.layouts(r + "max-pool-dilated-" + x + "-k2-d2-s1-SAME", (e, l) -> SeedCases.pooled(e, l, xd,
                    Data.ints(s + 11, n, 9), pool(MAX, 2, 1, 2, Padding.SAME), new int[] {2, ch, 3, 5}, null));
        }
    }

    // ---- NaN and infinities ----

    private static void nonFinite(CaseList c) {
        String r = "rule/non-finite/";
        int[] x23 = {1, 1, 2, 3};
        c.layouts(r + "add/nan-in-gives-nan-inf-minus-inf-gives-nan", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.ADD, x23, f(NAN, 1, INF, -INF, INF, 2), x23, f(1, NAN, 1, -1, -INF, 3), Activation.NONE,
                d(DNAN, DNAN, DINF, -DINF, DNAN, 5))));
        c.layouts(r + "add/nan-in-the-broadcast-operand-fills-its-channel", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.ADD, new int[] {1, 2, 1, 2}, f(1, 2, 3, 4), new int[] {1, 2, 1, 1}, f(NAN, 1), Activation.NONE,
                d(DNAN, DNAN, 4, 5))));
        c.layouts(r + "sub/inf-minus-inf-gives-nan", (e, l) -> pass(() -> Ops.binary(e, l, BinaryOp.SUB,
                new int[] {1, 1, 2, 2}, f(INF, -INF, INF, 1), new int[] {1, 1, 2, 2}, f(INF, -INF, -INF, INF),
                Activation.NONE, d(DNAN, DNAN, DINF, -DINF))));
        c.layouts(r + "mul/nan-in-gives-nan-inf-times-0-gives-nan", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.MUL, x23, f(NAN, INF, INF, 0, -INF, 2), x23, f(3, 0, -2, INF, -INF, NAN), Activation.NONE,
                d(DNAN, DNAN, -DINF, DNAN, DINF, DNAN))));
        c.layouts(r + "div/by-zero-gives-inf-0-by-0-and-inf-by-inf-give-nan", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.DIV, x23, f(1, -1, 0, INF, 1, NAN), x23, f(0, 0, 0, INF, INF, 1), Activation.NONE,
                d(DINF, -DINF, DNAN, DNAN, 0, DNAN))));
        c.layouts(r + "add/fused-RELU6-nan-stays-nan-inf-to-6-minus-inf-to-0", (e, l) -> pass(() -> Ops.binary(e, l,
                BinaryOp.ADD, new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, 1), new int[] {1, 1, 2, 2}, f(0, 0, 0, NAN),
                Activation.RELU6, d(DNAN, 6, 0, DNAN))));
        int[] x13 = {1, 2, 1, 3};
        c.layouts(r + "scale-shift/nan-stays-nan-inf-scaled-stays-inf", (e, l) -> pass(() -> Ops.scaleShift(e, l, x13,
                f(NAN, INF, -INF, 1, INF, -INF), f(2, -1), f(1, 0), Activation.NONE,
                d(DNAN, DINF, -DINF, -1, -DINF, DINF))));
        c.layouts(r + "scale-shift/fused-RELU6-nan-stays-nan-inf-to-6-and-0", (e, l) -> pass(() -> Ops.scaleShift(e, l,
                x13, f(NAN, INF, -INF, 1, INF, -INF), f(2, -1), f(1, 0), Activation.RELU6, d(DNAN, 6, 0, 0, 0, 6))));
        c.layouts(r + "scale-shift/nan-shift-fills-its-channel-inf-times-scale-0-gives-nan", (e, l) -> pass(
                () -> Ops.scaleShift(e, l, new int[] {1, 3, 1, 2}, f(1, 2, INF, 5, -INF, 2), f(1, 0, 1), f(NAN, 1, 1),
                        Activation.NONE, d(DNAN, DNAN, DNAN, 1, -DINF, 3))));
        c.layouts(r + "clamp/min-0-max-6-nan-stays-nan-inf-to-6-minus-inf-to-0", (e, l) -> pass(() -> Ops.clamp(e, l,
                new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, 3), 1, 0, 0, 6, d(DNAN, 6, 0, 3))));
        c.layouts(r + "clamp/alpha-0.5-beta-1-min-minus-1-max-1-nan-stays-nan", (e, l) -> pass(() -> Ops.clamp(e, l,
                new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, -2), 0.5f, 1, -1, 1, d(DNAN, 1, -1, 0))));
        int[] x6 = {1, 1, 2, 3};
        c.layouts(r + "activation/RELU-nan-stays-nan-inf-stays-inf-minus-inf-to-0", (e, l) -> pass(() -> Ops.activation(e,
                l, Activation.RELU, x6, f(NAN, INF, -INF, -1, 7, 2), d(DNAN, DINF, 0, 0, 7, 2))));
        c.layouts(r + "add/fused-RELU-nan-stays-nan", (e, l) -> pass(() -> Ops.binary(e, l, BinaryOp.ADD,
                new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, 1), new int[] {1, 1, 2, 2}, f(0, 0, 0, -2), Activation.RELU,
                d(DNAN, DINF, 0, 0))));
        c.layouts(r + "activation/RELU6-nan-stays-nan-inf-to-6-minus-inf-to-0", (e, l) -> pass(() -> Ops.activation(e,
                l, Activation.RELU6, x6, f(NAN, INF, -INF, -1, 7, 2), d(DNAN, 6, 0, 0, 6, 2))));
        c.layouts(r + "activation/HARD_SIGMOID-nan-stays-nan-inf-to-1-minus-inf-to-0", (e, l) -> pass(
                () -> Ops.activation(e, l, Activation.HARD_SIGMOID, x6, f(NAN, INF, -INF, 0, 1.5, -1.5),
                        d(DNAN, 1, 0, 0.5, 0.75, 0.25))));
        // −∞ through hard-swish and SiLU is not pinned: the definition's −∞·0 is NaN, the limit is 0.
        c.layouts(r + "activation/HARD_SWISH-nan-stays-nan-inf-stays-inf", (e, l) -> pass(() -> Ops.activation(e, l,
                Activation.HARD_SWISH, x6, f(NAN, INF, 0, 1.5, -4, 4), d(DNAN, DINF, 0, 1.125, 0, 4))));
        c.layouts(r + "activation/SILU-nan-stays-nan-inf-stays-inf", (e, l) -> pass(() -> Ops.activation(e, l,
                Activation.SILU, x6, f(NAN, INF, 0, -100, 1, 100),
                d(DNAN, DINF, 0, -100 / (1 + Math.exp(100)), 1 / (1 + Math.exp(-1)), 100 / (1 + Math.exp(-100))))));
        // Max pooling: a NaN anywhere in a window gives NaN, wherever it lies in window order.
        c.layouts(r + "max-pool/nan-first-or-later-in-the-window-gives-nan-inf-wins", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 1, 3, 3}, f(1, NAN, 2, 3, 4, 5, INF, 6, -INF),
                PoolingParams.of(MAX, 2, 2).withStride(1, 1), new int[] {1, 1, 2, 2}, d(DNAN, DNAN, DINF, 6)));
        c.layouts(r + "max-pool/all-minus-inf-with-padding-stays-minus-inf", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 1, 2, 2}, f(-INF, -INF, -INF, -INF),
                PoolingParams.of(MAX, 2, 2).withStride(1, 1).withPadding(Padding.explicit(1)), new int[] {1, 1, 3, 3},
                d(-DINF, -DINF, -DINF, -DINF, -DINF, -DINF, -DINF, -DINF, -DINF)));
        c.layouts(r + "max-pool/global-nan-gives-nan", (e, l) -> SeedCases.pooled(e, l, new int[] {1, 2, 2, 3},
                f(1, 2, 3, 4, 5, NAN, -1, INF, 2, 3, 4, 5), PoolingParams.global(MAX), new int[] {1, 2, 1, 1},
                d(DNAN, DINF)));
        // A dilated window never reads the cells it skips: NaN there must not reach the output.
        c.layouts(r + "max-pool/dilated-nan-in-skipped-cells-stays-out", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 1, 3, 3}, f(1, NAN, 4, NAN, NAN, NAN, 3, NAN, 2),
                PoolingParams.of(MAX, 2, 2).withDilation(2, 2), new int[] {1, 1, 1, 1}, d(4)));
        c.layouts(r + "avg-pool/nan-gives-nan-inf-gives-inf-inf-minus-inf-gives-nan", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 1, 2, 7}, f(1, 2, NAN, 5, 6, 1, INF, INF, 3, 4, -INF, 7, 2, -INF),
                PoolingParams.of(AVERAGE, 2, 2).withStride(1, 1), new int[] {1, 1, 1, 6},
                d(DINF, DNAN, DNAN, -DINF, 4, DNAN)));
        c.layouts(r + "avg-pool/global-nan-gives-nan-inf-gives-inf", (e, l) -> SeedCases.pooled(e, l,
                new int[] {1, 2, 2, 2}, f(1, NAN, 3, 4, 5, INF, 7, 8), PoolingParams.global(AVERAGE),
                new int[] {1, 2, 1, 1}, d(DNAN, DINF)));
        // LRN, size 3 (alpha/size 1, beta 1, bias 1): a NaN reaches every channel whose window holds it; an infinity
        // makes those windows' sums infinite, so finite x there gives 0 and the infinite cell ∞/∞ = NaN.
        c.layouts(r + "lrn/nan-and-inf-reach-the-channels-whose-window-holds-them", (e, l) -> pass(() -> Ops.lrn(e, l,
                new int[] {1, 5, 1, 2}, f(1, 1, NAN, 2, 2, INF, 3, 3, 4, 4), 3, 3, 1, 1,
                d(DNAN, 1 / 6.0, DNAN, 0, DNAN, DNAN, 0.1, 0, 4 / 26.0, 4 / 26.0))));
        c.layouts(r + "pad/values-copied-unchanged-pad-value-minus-inf", (e, l) -> pass(() -> Ops.pad(e, l,
                new int[] {1, 1, 2, 2}, f(NAN, INF, -INF, 1), new int[] {0, 0, 1, 0}, new int[] {0, 0, 0, 1}, -INF,
                new int[] {1, 1, 3, 3}, d(-DINF, -DINF, -DINF, DNAN, DINF, -DINF, -DINF, 1, -DINF))));
        c.add(r + "pad/pad-value-nan", e -> pass(() -> Ops.pad(e, Layout.NCHW, new int[] {1, 2}, f(1, 2),
                new int[] {0, 1}, new int[] {0, 1}, NAN, new int[] {1, 4}, d(DNAN, 1, 2, DNAN))));
        c.layouts(r + "transpose/values-copied-unchanged", (e, l) -> pass(() -> Ops.transpose(e, l,
                new int[] {1, 2, 1, 2}, f(NAN, INF, -INF, 1), new int[] {0, 3, 2, 1}, new int[] {1, 2, 1, 2},
                d(DNAN, -DINF, DINF, 1))));
    }
}
