package dev.fovea.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The reference backend on hand-worked examples, in both layouts. */
class ReferenceNumericsTest {
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open("reference");
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** A one-channel image as a [1, 1, H, W] tensor in {@code layout}, outputs poisoned with NaN. */
    private static Tensor image(TensorScope s, Layout layout, float[][] px) {
        Tensor t = s.allocate(Shape.of(1, 1, px.length, px[0].length), layout);
        for (int h = 0; h < px.length; h++) {
            for (int w = 0; w < px[0].length; w++) {
                t.set(px[h][w], 0, 0, h, w);
            }
        }
        return t;
    }

    private static Tensor poisoned(TensorScope s, Shape shape, Layout layout) {
        Tensor t = s.allocate(shape, layout);
        t.fill(Float.NaN);
        return t;
    }

    private static float[][] grid(Tensor y) {
        float[][] g = new float[y.shape().h()][y.shape().w()];
        for (int h = 0; h < g.length; h++) {
            for (int w = 0; w < g[0].length; w++) {
                g[h][w] = y.get(0, 0, h, w);
            }
        }
        return g;
    }

    private static void assertGrid(float[][] want, Tensor y, double tol) {
        float[][] got = grid(y);
        assertEquals(want.length, got.length);
        for (int h = 0; h < want.length; h++) {
            for (int w = 0; w < want[0].length; w++) {
                assertEquals(want[h][w], got[h][w], tol, "at (" + h + ", " + w + ")");
            }
        }
    }

    private static Tensor conv(TensorScope s, Layout layout, float[][] image, float[][] kernel, float bias,
                               ConvolutionParams params) {
        Tensor x = image(s, layout, image);
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'c'", x.shape(), layout, params);
        Tensor w = image(s, Layout.NCHW, kernel).reshape(d.weightShape(), Layout.NCHW);
        Tensor b = s.allocate(Shape.of(1), Layout.NCHW);
        b.set(bias, 0);
        Tensor y = poisoned(s, d.output(), layout);
        try (Plan p = engine.planConvolution(d, w, params.bias() ? b : null)) {
            p.execute(x, y);
        }
        return y;
    }

    private static Tensor pool(TensorScope s, Layout layout, float[][] image, PoolingParams params) {
        Tensor x = image(s, layout, image);
        PoolingDescriptor d = PoolingDescriptor.create("Pooling 'p'", x.shape(), layout, params);
        Tensor y = poisoned(s, d.output(), layout);
        engine.poolingForward(d, x, y);
        return y;
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void seedZeroConvolutionSchematic(Layout layout) {
        float[][] image = {{1, 1, 1, 0, 0}, {0, 1, 1, 1, 0}, {0, 0, 1, 1, 1}, {0, 0, 1, 1, 0}, {0, 1, 1, 0, 0}};
        float[][] kernel = {{1, 0, 1}, {0, 1, 0}, {1, 0, 1}};
        try (TensorScope s = new TensorScope()) {
            Tensor y = conv(s, layout, image, kernel, 0, ConvolutionParams.of(1, 3, 3));
            assertGrid(new float[][] {{4, 3, 4}, {2, 4, 3}, {2, 3, 4}}, y, 0);
            // the bias is added after the sum, the activation after the bias
            Tensor yb = conv(s, layout, image, kernel, -3.5f, ConvolutionParams.of(1, 3, 3)
                    .withActivation(Activation.RELU));
            assertGrid(new float[][] {{0.5f, 0, 0.5f}, {0, 0.5f, 0}, {0, 0, 0.5f}}, yb, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void seedFourConvolutionArithmeticExample(Layout layout) {
        float[][] image = {{3, 3, 2, 1, 0}, {0, 0, 1, 3, 1}, {3, 1, 2, 2, 3}, {2, 0, 0, 2, 2}, {2, 0, 0, 0, 1}};
        float[][] kernel = {{0, 1, 2}, {2, 2, 0}, {0, 1, 2}};
        try (TensorScope s = new TensorScope()) {
            Tensor y = conv(s, layout, image, kernel, 0, ConvolutionParams.of(1, 3, 3).withBias(false));
            assertGrid(new float[][] {{12, 12, 17}, {10, 17, 19}, {9, 6, 14}}, y, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void sameAtStrideTwoPadsAfterAndSameLowerBefore(Layout layout) {
        float[][] ones = new float[4][4];
        for (float[] r : ones) {
            java.util.Arrays.fill(r, 1);
        }
        float[][] k = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
        try (TensorScope s = new TensorScope()) {
            // total padding 1: TF puts it after (bottom/right), so the first window is fully inside
            Tensor same = conv(s, layout, ones, k, 0, ConvolutionParams.of(1, 3, 3).withStride(2, 2)
                    .withPadding(Padding.SAME));
            assertGrid(new float[][] {{9, 6}, {6, 4}}, same, 0);
            Tensor lower = conv(s, layout, ones, k, 0, ConvolutionParams.of(1, 3, 3).withStride(2, 2)
                    .withPadding(Padding.SAME_LOWER));
            assertGrid(new float[][] {{4, 6}, {6, 9}}, lower, 0);
            Tensor full = conv(s, layout, new float[][] {{1, 2}, {3, 4}}, new float[][] {{1, 0}, {0, 1}}, 0,
                    ConvolutionParams.of(1, 2, 2).withPadding(Padding.FULL));
            assertGrid(new float[][] {{1, 2, 0}, {3, 5, 2}, {0, 3, 4}}, full, 0);
            // dilation 2: taps (0,0), (0,2), (2,0), (2,2) of a 3x3 window
            Tensor dil = conv(s, layout, new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
                    new float[][] {{1, 10}, {100, 1000}}, 0, ConvolutionParams.of(1, 2, 2).withDilation(2, 2));
            assertGrid(new float[][] {{1 + 30 + 700 + 9000}}, dil, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void maxPoolingPaddingIsNeverZero(Layout layout) {
        float[][] neg = new float[3][3];
        for (int h = 0; h < 3; h++) {
            for (int w = 0; w < 3; w++) {
                neg[h][w] = -(1 + h * 3 + w);
            }
        }
        try (TensorScope s = new TensorScope()) {
            Tensor same = pool(s, layout, neg, PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1)
                    .withPadding(Padding.SAME));
            float[][] want = new float[3][3];
            for (int p = 0; p < 3; p++) {
                for (int q = 0; q < 3; q++) {
                    want[p][q] = -(1 + Math.max(p - 1, 0) * 3 + Math.max(q - 1, 0));
                }
            }
            assertGrid(want, same, 0);
            Tensor explicit = pool(s, layout, neg, PoolingParams.of(PoolingMode.MAX, 2, 2)
                    .withPadding(Padding.explicit(1)).withCeilMode(true));
            for (float v : explicit.toArray()) {
                assertTrue(v < 0, "max pooling over negative input returned " + v);
            }
            assertGrid(new float[][] {{-1, -2}, {-4, -5}}, explicit, 0);
            Tensor full = pool(s, layout, neg, PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(1, 1)
                    .withPadding(Padding.FULL));
            assertEquals(-9f, full.get(0, 0, 3, 3));
            assertEquals(-1f, full.get(0, 0, 0, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void averagePoolingCornerDivisors(Layout layout) {
        float[][] x = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        PoolingParams same = PoolingParams.of(PoolingMode.AVERAGE, 3, 3).withStride(1, 1).withPadding(Padding.SAME);
        try (TensorScope s = new TensorScope()) {
            // countIncludePad=false (TF/Keras): divide by the cells inside the input
            Tensor excl = pool(s, layout, x, same);
            assertGrid(new float[][] {{12 / 4f, 21 / 6f, 16 / 4f}, {27 / 6f, 5, 33 / 6f}, {24 / 4f, 39 / 6f, 28 / 4f}},
                    excl, 1e-6);
            // countIncludePad=true (PyTorch): divide by the whole window inside the padded input
            Tensor incl = pool(s, layout, x, same.withCountIncludePad(true));
            assertGrid(new float[][] {{12 / 9f, 21 / 9f, 16 / 9f}, {27 / 9f, 5, 33 / 9f}, {24 / 9f, 39 / 9f, 28 / 9f}},
                    incl, 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void ceilModeOverhangIsNeverCounted(Layout layout) {
        // 4x4, 3x3 window, stride 2, ceil: the last window hangs over the input by one row and column
        float[][] x = {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 8, 9}, {1, 1, 8, 10}};
        PoolingParams p = PoolingParams.of(PoolingMode.AVERAGE, 3, 3).withStride(2, 2).withCeilMode(true);
        try (TensorScope s = new TensorScope()) {
            for (boolean include : new boolean[] {false, true}) {
                Tensor y = pool(s, layout, x, p.withCountIncludePad(include));
                assertEquals(Shape.of(1, 1, 2, 2), y.shape());
                assertEquals(35f / 4, y.get(0, 0, 1, 1), 1e-6, "countIncludePad=" + include + ": 35/4, not 35/9");
                assertEquals(16f / 9, y.get(0, 0, 0, 0), 1e-6);   // a full window inside the input
                assertEquals(21f / 6, y.get(0, 0, 0, 1), 1e-6);   // 3 rows x 2 columns inside
                assertEquals(20f / 6, y.get(0, 0, 1, 0), 1e-6);
            }
            // with an explicit pad of 1 the overhang row/column is padding on one side and beyond it on the other
            PoolingParams padded = PoolingParams.of(PoolingMode.AVERAGE, 3, 3).withStride(2, 2)
                    .withPadding(Padding.explicit(1)).withCeilMode(true);
            Tensor excl = pool(s, layout, x, padded);
            Tensor incl = pool(s, layout, x, padded.withCountIncludePad(true));
            assertEquals(Shape.of(1, 1, 3, 3), excl.shape());
            // top-left window rows/cols -1..1: 4 input cells, 9 cells of the padded input
            assertEquals(4f / 4, excl.get(0, 0, 0, 0), 1e-6);
            assertEquals(4f / 9, incl.get(0, 0, 0, 0), 1e-6);
            // bottom-right window rows/cols 3..5: clipped to the padded input 3..4 -> 1 input cell, 4 padded cells
            assertEquals(10f, excl.get(0, 0, 2, 2), 1e-6);
            assertEquals(10f / 4, incl.get(0, 0, 2, 2), 1e-6);
            // bottom-middle window rows 3..4, cols 1..3: 3 input cells, 6 padded cells
            assertEquals((1 + 8 + 10) / 3f, excl.get(0, 0, 2, 1), 1e-6);
            assertEquals((1 + 8 + 10) / 6f, incl.get(0, 0, 2, 1), 1e-6);
        }
    }

    @Test
    void softmaxOfLargeValuesIsFiniteAndSumsToOne() {
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.fromArray(new float[] {1e4f, 0f, -1e4f, 9999f, 5f, 5f, 5f, 5f}, Shape.of(2, 4), Layout.NCHW);
            Tensor y = poisoned(s, Shape.of(2, 4), Layout.NCHW);
            engine.softmaxForward(x, y);
            double sum0 = 0;
            double sum1 = 0;
            for (int j = 0; j < 4; j++) {
                assertTrue(Float.isFinite(y.get(0, j)) && Float.isFinite(y.get(1, j)), "softmax overflowed");
                sum0 += y.get(0, j);
                sum1 += y.get(1, j);
            }
            assertEquals(1, sum0, 1e-6);
            assertEquals(1, sum1, 1e-6);
            double e = Math.exp(-1);
            assertEquals(1 / (1 + e), y.get(0, 0), 1e-6);
            assertEquals(e / (1 + e), y.get(0, 3), 1e-6);
            assertEquals(0f, y.get(0, 2));
            assertEquals(0.25f, y.get(1, 2), 1e-7);
        }
    }

    @Test
    void denseIsXTimesWPlusB() {
        try (TensorScope s = new TensorScope()) {
            DenseDescriptor d = DenseDescriptor.create("Dense 'd'", Shape.of(2, 3), 2, true, Activation.RELU);
            Tensor w = s.fromArray(new float[] {1, 2, 3, 4, 5, 6}, Shape.of(3, 2), Layout.NCHW); // [F, U] row-major
            Tensor b = s.fromArray(new float[] {0.5f, -100}, Shape.of(2), Layout.NCHW);
            Tensor x = s.fromArray(new float[] {1, 1, 1, 1, 0, -1}, Shape.of(2, 3), Layout.NCHW);
            Tensor y = poisoned(s, Shape.of(2, 2), Layout.NCHW);
            try (Plan p = engine.planDense(d, w, b)) {
                p.execute(x, y);
            }
            assertEquals(9.5f, y.get(0, 0));
            assertEquals(0f, y.get(0, 1)); // 12 - 100 -> ReLU
            assertEquals(0f, y.get(1, 0)); // 1 - 5 + 0.5 = -3.5 -> ReLU 0
            assertEquals(0f, y.get(1, 1));
        }
    }
}
