package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;

/**
 * The course notebooks' documented examples, with the numbers they state. Names are
 * {@code course/section/what}: {@code cnn-course}, {@code keras-mnist-course}, {@code cifar-course},
 * {@code keras-fashion-course}, {@code convolution-arithmetic}. Shapes are the courses' (written H×W×C there,
 * logical [N, C, H, W] here).
 */
final class SeedCases {
    private SeedCases() {
    }

    static final Padding SAME = Padding.SAME;
    static final Padding VALID = Padding.VALID;

    /** The 4×4 "pooling practice" matrix of the CNN course (also its (1, 4, 4, 1) conv2d/max_pool exercise input). */
    static final float[] PRACTICE = {0, 1, 0.5f, 10, 2, 2.5f, 1, -8, 4, 0, 5, 6, 15, 1, 2, 3};

    static void add(CaseList c) {
        cnnCourse(c);
        kerasMnistCourse(c);
        cifarCourse(c);
        kerasFashionCourse(c);
        convolutionArithmetic(c);
    }

    private static ConvolutionParams conv(int k, int kh, int kw, int s, Padding p) {
        return ConvolutionParams.of(k, kh, kw).withStride(s, s).withPadding(p);
    }

    private static PoolingParams pool(dev.fovea.op.PoolingMode m, int k, int s, Padding p) {
        return PoolingParams.of(m, k, k).withStride(s, s).withPadding(p);
    }

    private static void cnnCourse(CaseList c) {
        String f = "cnn-course/feature-map-sizes/";
        c.layouts(f + "28x28x3-8x3x3-SAME-s1-to-28x28x8",
                (e, l) -> Ops.convInts(e, l, 1, new int[] {1, 3, 28, 28}, conv(8, 3, 3, 1, SAME), new int[] {1, 8, 28, 28}));
        c.layouts(f + "28x28x3-8x3x3-VALID-s1-to-26x26x8",
                (e, l) -> Ops.convInts(e, l, 2, new int[] {1, 3, 28, 28}, conv(8, 3, 3, 1, VALID), new int[] {1, 8, 26, 26}));
        c.layouts(f + "28x28x3-8x3x3-VALID-s2-to-13x13x8",
                (e, l) -> Ops.convInts(e, l, 3, new int[] {1, 3, 28, 28}, conv(8, 3, 3, 2, VALID), new int[] {1, 8, 13, 13}));

        String p = "cnn-course/padding/";
        c.layouts(p + "5x5-3x3-s1-to-3x3",
                (e, l) -> Ops.convInts(e, l, 4, new int[] {1, 1, 5, 5}, conv(1, 3, 3, 1, VALID), new int[] {1, 1, 3, 3}));
        c.layouts(p + "5x5-3x3-s1-zero-border-to-5x5",
                (e, l) -> Ops.convInts(e, l, 5, new int[] {1, 1, 5, 5}, conv(1, 3, 3, 1, Padding.explicit(1)),
                        new int[] {1, 1, 5, 5}));

        String q = "cnn-course/convolution-output-shape/32x32x3-20x8x8x3-s2-";
        int[] x32 = {1, 3, 32, 32};
        c.layouts(q + "P1-to-14x14x20",
                (e, l) -> Ops.convInts(e, l, 6, x32, conv(20, 8, 8, 2, Padding.explicit(1)), new int[] {1, 20, 14, 14}));
        c.layouts(q + "TF-SAME-to-16x16x20",
                (e, l) -> Ops.convInts(e, l, 7, x32, conv(20, 8, 8, 2, SAME), new int[] {1, 20, 16, 16}));
        c.layouts(q + "TF-VALID-to-13x13x20",
                (e, l) -> Ops.convInts(e, l, 8, x32, conv(20, 8, 8, 2, VALID), new int[] {1, 20, 13, 13}));
        c.add("cnn-course/number-of-parameters/32x32x3-20x8x8x3-s2-P1-unshared-756560-shared-3860", e -> {
            ConvolutionDescriptor d = ConvolutionDescriptor.create("conv", Shape.of(x32), Layout.NHWC,
                    conv(20, 8, 8, 2, Padding.explicit(1)));
            long perNeuron = d.weightShape().elementCount() / d.filters() + 1; // 8·8·3 weights + 1 bias
            Check.equal("parameters without sharing (8·8·3 + 1)·(14·14·20)", perNeuron * d.output().perItem(), 756_560);
            Check.equal("parameters with sharing (8·8·3 + 1)·20", d.parameterCount(), 3_860);
            return Outcome.pass();
        });

        c.layouts("cnn-course/tensorflow-convolution-layer/10x10x3-64x5x5-s2-SAME-bias-relu-to-5x5x64",
                (e, l) -> Ops.convInts(e, l, 9, new int[] {1, 3, 10, 10},
                        conv(64, 5, 5, 2, SAME).withActivation(Activation.RELU), new int[] {1, 64, 5, 5}));

        // The pictures' windows, each pooled 2×2 with stride 2 to one value.
        float[][] windows = {{1, 0, 4, 6}, {2, 3, 6, 8}, {1, 1, 5, 6}, {3, 2, 1, 2}};
        double[] maxima = {6, 8, 6, 3};
        String[] names = {"[[1,0],[4,6]]-to-6", "[[2,3],[6,8]]-to-8", "[[1,1],[5,6]]-to-6", "[[3,2],[1,2]]-to-3"};
        for (int i = 0; i < windows.length; i++) {
            float[] x = windows[i];
            double[] m = {maxima[i]};
            c.layouts("cnn-course/max-pooling/window-" + names[i],
                    (e, l) -> pooled(e, l, new int[] {1, 1, 2, 2}, x, pool(MAX, 2, 2, VALID), new int[] {1, 1, 1, 1}, m));
        }

        for (Padding pad : new Padding[] {VALID, SAME}) {
            c.layouts("cnn-course/pooling-mechanics/4x4x5-max-2x2-s2-" + pad + "-to-2x2x5",
                    (e, l) -> pooled(e, l, new int[] {1, 5, 4, 4}, Data.ints(10, 80, 9), pool(MAX, 2, 2, pad),
                            new int[] {1, 5, 2, 2}, null));
        }

        c.layouts("cnn-course/pooling-practice/max-2x2-s2-to-2.5,10,15,6",
                (e, l) -> pooled(e, l, new int[] {1, 1, 4, 4}, PRACTICE, pool(MAX, 2, 2, VALID), new int[] {1, 1, 2, 2},
                        new double[] {2.5, 10, 15, 6}));
        c.layouts("cnn-course/average-pooling/2x2-s2-to-1.375,0.875,5,4",
                (e, l) -> pooled(e, l, new int[] {1, 1, 4, 4}, PRACTICE, pool(AVERAGE, 2, 2, VALID),
                        new int[] {1, 1, 2, 2}, new double[] {1.375, 0.875, 5, 4}));

        c.layouts("cnn-course/conv2d-exercise/(1,4,4,1)-filter-(2,2,1,3)-s2-VALID-to-(1,2,2,3)", (e, l) -> {
            float[] w = Data.uniform(11, 12, -2, 2); // truncated_normal-like, seeded
            Ops.conv(e, l, new int[] {1, 1, 4, 4}, PRACTICE, conv(3, 2, 2, 2, VALID), w, new float[3],
                    new int[] {1, 3, 2, 2}, null);
            return Outcome.pass();
        });
        c.layouts("cnn-course/max-pool-exercise/(1,4,4,1)-ksize-2-s2-VALID-to-(1,2,2,1)",
                (e, l) -> pooled(e, l, new int[] {1, 1, 4, 4}, PRACTICE, pool(MAX, 2, 2, VALID), new int[] {1, 1, 2, 2},
                        new double[] {2.5, 10, 15, 6}));

        c.layouts("cnn-course/convolutions/3x3-weight-[[1,0,1],[0,1,0],[1,0,1]]-5x5-VALID-bias0-to-[[4,3,4],[2,4,3],[2,3,4]]",
                (e, l) -> {
                    float[] x = {1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0};
                    float[] w = {1, 0, 1, 0, 1, 0, 1, 0, 1};
                    Ops.conv(e, l, new int[] {1, 1, 5, 5}, x, conv(1, 3, 3, 1, VALID), w, new float[1],
                            new int[] {1, 1, 3, 3}, new double[] {4, 3, 4, 2, 4, 3, 2, 3, 4});
                    return Outcome.pass();
                });

        c.layouts("cnn-course/conv-net/28x28x1-28x28x32-14x14x32-14x14x64-7x7x64-1024-10", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 12, new int[] {1, 1, 28, 28})
                        .conv(conv(32, 5, 5, 1, SAME).withActivation(Activation.RELU), 1, 32, 28, 28)
                        .pool(pool(MAX, 2, 2, SAME), 1, 32, 14, 14)
                        .conv(conv(64, 5, 5, 1, SAME).withActivation(Activation.RELU), 1, 64, 14, 14)
                        .pool(pool(MAX, 2, 2, SAME), 1, 64, 7, 7)
                        .flatten(7 * 7 * 64)
                        .dense(1024, Activation.RELU)
                        .dense(10, Activation.NONE)
                        .expect(1, 10);
            }
            return Outcome.pass();
        });
    }

    private static void kerasMnistCourse(CaseList c) {
        c.layouts("keras-mnist-course/the-math/3x3-image-2x2-filter-s1-formula", (e, l) -> {
            float a = 2, b = 3, cc = 5, d = 7, ee = 11, g = 13, h = 17, j = 19, k = 23;
            float f1 = 1, f2 = -2, f3 = 4, f4 = 0.5f;
            double[] expected = {
                f1 * a + f2 * b + f3 * d + f4 * ee, f1 * b + f2 * cc + f3 * ee + f4 * g,
                f1 * d + f2 * ee + f3 * h + f4 * j, f1 * ee + f2 * g + f3 * j + f4 * k};
            Ops.conv(e, l, new int[] {1, 1, 3, 3}, new float[] {a, b, cc, d, ee, g, h, j, k}, conv(1, 2, 2, 1, VALID),
                    new float[] {f1, f2, f3, f4}, null, new int[] {1, 1, 2, 2}, expected);
            return Outcome.pass();
        });
        c.layouts("keras-mnist-course/horizontal-edge/6x5-image-filter-[[10,10,10],[0,0,0],[-10,-10,-10]]-to-4x3", (e, l) -> {
            float[] x = new float[30];
            for (int i = 0; i < 15; i++) {
                x[i] = 200;
            }
            float[] w = {10, 10, 10, 0, 0, 0, -10, -10, -10};
            Ops.conv(e, l, new int[] {1, 1, 6, 5}, x, conv(1, 3, 3, 1, VALID), w, null, new int[] {1, 1, 4, 3},
                    new double[] {0, 0, 0, 6000, 6000, 6000, 6000, 6000, 6000, 0, 0, 0});
            return Outcome.pass();
        });
        for (int k : new int[] {3, 5, 7}) {
            c.layouts("keras-mnist-course/same-padding/" + k + "x" + k + "-filter-s1-keeps-9x11-equals-filter//2-zeros", (e, l) -> {
                int[] xd = {1, 2, 9, 11};
                float[] x = Data.ints(20 + k, Data.count(xd), 4);
                float[] w = Data.ints(30 + k, 3 * 2 * k * k, 3);
                ConvolutionDescriptor d = ConvolutionDescriptor.create("same", Shape.of(xd), l, conv(3, k, k, 1, SAME));
                Check.that(d.pads().equals(new Pads(k / 2, k / 2, k / 2, k / 2)),
                        "SAME pads " + d.pads() + " expected filter//2 = " + k / 2 + " on every side");
                float[] same = Ops.conv(e, l, xd, x, conv(3, k, k, 1, SAME), w, null, new int[] {1, 3, 9, 11}, null);
                float[] half = Ops.conv(e, l, xd, x, conv(3, k, k, 1, Padding.explicit(k / 2)), w, null,
                        new int[] {1, 3, 9, 11}, null);
                Check.close("SAME vs explicit filter//2", half, new int[] {1, 3, 9, 11}, Check.toDouble(same),
                        Tolerance.EXACT);
                return Outcome.pass();
            });
        }
        c.layouts("keras-mnist-course/full-padding/5x5-3x3-adds-filter-1-zeros-to-7x7", (e, l) -> {
            ConvolutionDescriptor d = ConvolutionDescriptor.create("full", Shape.of(1, 1, 5, 5), l,
                    conv(1, 3, 3, 1, Padding.FULL));
            Check.that(d.pads().equals(new Pads(2, 2, 2, 2)), "FULL pads " + d.pads() + " expected (2, 2, 2, 2)");
            // Every pixel meets every kernel position: the corner output is x[0][0]·w[2][2].
            float[] x = Data.ints(40, 25, 4);
            float[] w = Data.ints(41, 9, 3);
            float[] y = Ops.conv(e, l, new int[] {1, 1, 5, 5}, x, conv(1, 3, 3, 1, Padding.FULL), w, null,
                    new int[] {1, 1, 7, 7}, null);
            Check.close("corner", new float[] {y[0], y[48]}, new int[] {2}, Tolerance.EXACT,
                    (double) x[0] * w[8], (double) x[24] * w[0]);
            return Outcome.pass();
        });
        c.layouts("keras-mnist-course/keras-mnist/28x28x1-26-13-11-5-3x3x64-flatten-576-64-10-softmax", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 13, new int[] {1, 1, 28, 28})
                        .conv(conv(32, 3, 3, 1, VALID).withActivation(Activation.RELU), 1, 32, 26, 26)
                        .pool(pool(MAX, 2, 2, VALID), 1, 32, 13, 13)
                        .conv(conv(64, 3, 3, 1, VALID).withActivation(Activation.RELU), 1, 64, 11, 11)
                        .pool(pool(MAX, 2, 2, VALID), 1, 64, 5, 5)
                        .conv(conv(64, 3, 3, 1, VALID).withActivation(Activation.RELU), 1, 64, 3, 3)
                        .flatten(576)
                        .dense(64, Activation.RELU)
                        .dense(10, Activation.NONE)
                        .softmax()
                        .expect(1, 10);
            }
            return Outcome.pass();
        });
    }

    private static void cifarCourse(CaseList c) {
        String s = "cifar-course/";
        c.layouts(s + "convolution/32x32x3-10x5x5x3-s1-to-28x28x10",
                (e, l) -> Ops.convInts(e, l, 50, new int[] {1, 3, 32, 32}, conv(10, 5, 5, 1, VALID), new int[] {1, 10, 28, 28}));
        c.layouts(s + "stride/6x6-3x3-s1-to-4x4",
                (e, l) -> Ops.convInts(e, l, 51, new int[] {1, 2, 6, 6}, conv(2, 3, 3, 1, VALID), new int[] {1, 2, 4, 4}));
        c.layouts(s + "padding/6x6-3x3-P1-to-6x6",
                (e, l) -> Ops.convInts(e, l, 52, new int[] {1, 2, 6, 6}, conv(2, 3, 3, 1, Padding.explicit(1)),
                        new int[] {1, 2, 6, 6}));
        c.layouts(s + "stride/32-10x7x7-s1-to-26-6x5x5-s2-to-11", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 53, new int[] {1, 3, 32, 32})
                        .conv(conv(10, 7, 7, 1, VALID), 1, 10, 26, 26)
                        .conv(conv(6, 5, 5, 2, VALID), 1, 6, 11, 11); // (26 − 5)/2 + 1 = 11.5 floors to 11
            }
            return Outcome.pass();
        });
        c.layouts(s + "padding/32x32x3-10x5x5-s1-P2-to-32x32x10",
                (e, l) -> Ops.convInts(e, l, 54, new int[] {1, 3, 32, 32}, conv(10, 5, 5, 1, Padding.explicit(2)),
                        new int[] {1, 10, 32, 32}));
        c.add(s + "padding/32x32x3-10x5x5-s1-P2-760-parameters", e -> {
            ConvolutionDescriptor d = ConvolutionDescriptor.create("conv", Shape.of(1, 3, 32, 32), Layout.NHWC,
                    conv(10, 5, 5, 1, Padding.explicit(2)));
            Check.equal("parameters (5·5·3 + 1)·10", d.parameterCount(), 760);
            return Outcome.pass();
        });
        c.layouts(s + "pooling/4x4-max-2x2-s2-to-2x2",
                (e, l) -> pooled(e, l, new int[] {1, 1, 4, 4}, Data.ints(55, 16, 9), pool(MAX, 2, 2, VALID),
                        new int[] {1, 1, 2, 2}, null));
        c.layouts(s + "pooling/overlapping-3x3-s2-VALID-55-to-27-to-13-to-6", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 56, new int[] {1, 3, 55, 55})
                        .pool(pool(MAX, 3, 2, VALID), 1, 3, 27, 27)
                        .pool(pool(MAX, 3, 2, VALID), 1, 3, 13, 13)
                        .pool(pool(MAX, 3, 2, VALID), 1, 3, 6, 6);
            }
            return Outcome.pass();
        });
        c.layouts(s + "architecture/cifar10-32x32x3-conv12-32x32x12-pool-16x16x12-fc-10", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 57, new int[] {1, 3, 32, 32})
                        .conv(conv(12, 3, 3, 1, Padding.explicit(1)).withActivation(Activation.RELU), 1, 12, 32, 32)
                        .pool(pool(MAX, 2, 2, VALID), 1, 12, 16, 16)
                        .flatten(16 * 16 * 12)
                        .dense(10, Activation.NONE)
                        .expect(1, 10);
            }
            return Outcome.pass();
        });
    }

    private static void kerasFashionCourse(CaseList c) {
        String s = "keras-fashion-course/";
        c.layouts(s + "convolution/28x28-64x3x3-relu-to-26x26",
                (e, l) -> Ops.convInts(e, l, 60, new int[] {1, 1, 28, 28},
                        conv(64, 3, 3, 1, VALID).withActivation(Activation.RELU), new int[] {1, 64, 26, 26}));
        c.layouts(s + "pooling/max-2x2-26x26-to-13x13",
                (e, l) -> pooled(e, l, new int[] {1, 4, 26, 26}, Data.ints(61, 4 * 26 * 26, 9), pool(MAX, 2, 2, VALID),
                        new int[] {1, 4, 13, 13}, null));
        c.layouts(s + "filter-size/5x5-takes-4-off-each-axis-28x11-to-24x7",
                (e, l) -> Ops.convInts(e, l, 62, new int[] {1, 2, 28, 11}, conv(3, 5, 5, 1, VALID), new int[] {1, 3, 24, 7}));
        c.layouts(s + "model/28-26-13-11-5-flatten-1600-128-10", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 63, new int[] {1, 1, 28, 28})
                        .conv(conv(64, 3, 3, 1, VALID).withActivation(Activation.RELU), 1, 64, 26, 26)
                        .pool(pool(MAX, 2, 2, VALID), 1, 64, 13, 13)
                        .conv(conv(64, 3, 3, 1, VALID).withActivation(Activation.RELU), 1, 64, 11, 11)
                        .pool(pool(MAX, 2, 2, VALID), 1, 64, 5, 5)
                        .flatten(1600)
                        .dense(128, Activation.RELU)
                        .dense(10, Activation.NONE)
                        .softmax()
                        .expect(1, 10);
            }
            return Outcome.pass();
        });
    }

    private static void convolutionArithmetic(CaseList c) {
        String s = "convolution-arithmetic/";
        c.layouts(s + "filters/batch-8-128x128x3-64x5x5-padded-to-8x128x128x64",
                (e, l) -> Ops.convInts(e, l, 70, new int[] {8, 3, 128, 128}, conv(64, 5, 5, 1, SAME),
                        new int[] {8, 64, 128, 128}));
        c.layouts(s + "flatten/10x10x16-to-1600-dense", (e, l) -> {
            try (Run r = new Run(e)) {
                new Chain(r, l, 71, new int[] {1, 16, 10, 10}).flatten(1600).dense(5, Activation.NONE).expect(1, 5);
            }
            return Outcome.pass();
        });
        c.layouts(s + "dense-equivalence/4x4-image-3x3-kernel-equals-4x16-weight-tied-matrix-9-weights-vs-64",
                SeedCases::convAsDense);
        c.layouts(s + "receptive-field/3x3-then-3x3-is-3-then-5", SeedCases::receptiveField);
        c.layouts(s + "2d-animation/kernel-[[0,1,2],[2,2,0],[0,1,2]]-5x5-VALID-to-[[12,12,17],[10,17,19],[9,6,14]]",
                (e, l) -> {
                    float[] x = {3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1};
                    float[] w = {0, 1, 2, 2, 2, 0, 0, 1, 2};
                    Ops.conv(e, l, new int[] {1, 1, 5, 5}, x, conv(1, 3, 3, 1, VALID), w, null, new int[] {1, 1, 3, 3},
                            new double[] {12, 12, 17, 10, 17, 19, 9, 6, 14});
                    return Outcome.pass();
                });
    }

    /** The convolution course: a 3×3 kernel on a 4×4 image is a dense layer 16 → 4 whose 64 weights repeat 9 values. */
    private static Outcome convAsDense(dev.fovea.engine.Engine e, Layout l) {
        float[] k = {1, -2, 3, 4, -5, 6, -7, 8, 9}; // nine distinct weights
        float[] m = new float[16 * 4];                // [F = 16 input pixels, U = 4 output pixels]
        for (int p = 0; p < 2; p++) {
            for (int q = 0; q < 2; q++) {
                for (int r = 0; r < 3; r++) {
                    for (int s = 0; s < 3; s++) {
                        m[((p + r) * 4 + (q + s)) * 4 + (p * 2 + q)] = k[r * 3 + s];
                    }
                }
            }
        }
        int nonZero = 0;
        Set<Float> distinct = new HashSet<>();
        for (float v : m) {
            if (v != 0) {
                nonZero++;
                distinct.add(v);
            }
        }
        Check.equal("non-zero entries of the 4×16 matrix", nonZero, 36);
        Check.equal("distinct weights of the 4×16 matrix", distinct.size(), 9);
        float[] x = Data.ints(72, 16, 5);
        float[] viaConv = Ops.conv(e, l, new int[] {1, 1, 4, 4}, x, conv(1, 3, 3, 1, VALID).withBias(false), k, null,
                new int[] {1, 1, 2, 2}, null);
        try (Run r = new Run(e)) {
            DenseDescriptor d = DenseDescriptor.create("Dense 'equivalent'", Shape.of(1, 16), 4, false, Activation.NONE);
            float[] viaDense = r.dense(d, x, m, null);
            Oracle.Result o = Oracle.dense(1, 16, x, 4, m, null, Activation.NONE);
            Check.close("dense", viaDense, o, Tolerance.accumulation(o.magnitude()));
            Check.close("convolution vs dense", viaConv, new int[] {1, 1, 2, 2}, Check.toDouble(viaDense),
                    Tolerance.accumulation(o.magnitude()));
        }
        return Outcome.pass();
    }

    /** The convolution course: an impulse spreads to 3×3 outputs after one 3×3 convolution and 5×5 after two. */
    private static Outcome receptiveField(dev.fovea.engine.Engine e, Layout l) {
        int[] xd = {1, 1, 9, 9};
        float[] x = new float[81];
        x[4 * 9 + 4] = 1;
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        ConvolutionParams p = conv(1, 3, 3, 1, SAME).withBias(false);
        try (Run r = new Run(e)) {
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'rf'", Shape.of(xd), l, p);
            Tensor t0 = r.input(Shape.of(xd), l, x);
            Tensor t1 = r.output(d.output(), l);
            Tensor t2 = r.output(d.output(), l);
            try (Plan plan = r.plan(d, ones, null)) {
                plan.execute(t0, t1);
                plan.execute(t1, t2);
            }
            Check.equal("receptive field of one 3×3 layer", extent(r.read(t1)), 3);
            Check.equal("receptive field of two 3×3 layers", extent(r.read(t2)), 5);
            Check.close("two layers", r.read(t2), xd, Oracle.conv(xd, Oracle.toFloat(Oracle.conv(xd, x, p, ones, null)
                    .values()), p, ones, null).values(), Tolerance.EXACT);
        }
        return Outcome.pass();
    }

    /** Side of the square of non-zero values in a 9×9 map (0 if a non-zero value is NaN or outside a square). */
    private static int extent(float[] y) {
        int lo = 9, hi = -1, count = 0;
        for (int i = 0; i < 81; i++) {
            if (Float.isNaN(y[i])) {
                return 0;
            }
            if (y[i] != 0) {
                count++;
                lo = Math.min(lo, i / 9);
                hi = Math.max(hi, i / 9);
            }
        }
        int side = hi - lo + 1;
        return count == side * side ? side : 0;
    }

    static Outcome pooled(dev.fovea.engine.Engine e, Layout l, int[] xd, float[] x, PoolingParams p, int[] out,
                          double[] hand) {
        Ops.pool(e, l, xd, x, p, out, hand);
        return Outcome.pass();
    }
}
