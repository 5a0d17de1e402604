package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape inference and parameter counts when a model is built. */
class ModelShapeTest {

    private static List<String> shapes(Model m) {
        return m.layers().stream().map(LayerInfo::outputShape).toList();
    }

    @Test
    void mnistCnnShapesAndParameters() {
        try (Model m = SeedModels.mnistCnn(Layout.NHWC)) {
            assertEquals(List.of("(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)",
                    "(None, 3, 3, 64)", "(None, 576)", "(None, 64)", "(None, 10)"), shapes(m));
            assertEquals(List.of(320L, 0L, 18_496L, 0L, 36_928L, 0L, 36_928L, 650L),
                    m.layers().stream().map(LayerInfo::params).toList());
            assertEquals(93_322, m.parameterCount());
            assertEquals(Shape.of(4, 10), m.outputShape(4));
            assertEquals(Shape.of(4, 1, 28, 28), m.inputShape(4));
        }
    }

    @Test
    void fashionCnnShapesAndParameters28To26To13To11To5To1600() {
        try (Model m = SeedModels.fashionCnn(Layout.NHWC)) {
            assertEquals(List.of("(None, 26, 26, 64)", "(None, 13, 13, 64)", "(None, 11, 11, 64)", "(None, 5, 5, 64)",
                    "(None, 1600)", "(None, 128)", "(None, 10)"), shapes(m));
            assertEquals(243_786, m.parameterCount());
        }
    }

    @Test
    void nchwModelsPrintShapesChannelsFirstWithTheSameCounts() {
        try (Model m = SeedModels.mnistCnn(Layout.NCHW)) {
            assertEquals("(None, 32, 26, 26)", m.layers().getFirst().outputShape());
            assertEquals("(None, 576)", m.layers().get(5).outputShape());
            assertEquals(93_322, m.parameterCount());
        }
    }

    @Test
    void seedZeroLayerWithTwenty8x8FiltersStride2() {
        for (Object[] c : new Object[][] {{Padding.explicit(1), 14}, {Padding.SAME, 16}, {Padding.VALID, 13}}) {
            try (Model m = Sequential.builder(Input.image(32, 32, 3), Layout.NHWC)
                    .add(Conv2D.of(20, 8).stride(2).padding((Padding) c[0])).build()) {
                int size = (Integer) c[1];
                assertEquals("(None, " + size + ", " + size + ", 20)", m.layers().getFirst().outputShape());
                assertEquals(3860, m.parameterCount());
                if (size == 14) {
                    // unshared weights: every output position its own 8*8*3 weights + bias
                    long positions = (long) size * size * 20;
                    assertEquals(756_560, positions * (8 * 8 * 3 + 1));
                }
            }
        }
    }

    @Test
    void seedTwo32To26To11AndTen5x5Filters() {
        try (Model m = Sequential.builder(Input.image(32, 32, 3), Layout.NHWC)
                .add(Conv2D.of(6, 7)).add(Conv2D.of(10, 5).stride(2)).build()) {
            assertEquals(List.of("(None, 26, 26, 6)", "(None, 11, 11, 10)"), shapes(m));
        }
        try (Model m = Sequential.builder(Input.image(32, 32, 3), Layout.NHWC)
                .add(Conv2D.of(10, 5).padding(Padding.explicit(2))).build()) {
            assertEquals("(None, 32, 32, 10)", m.layers().getFirst().outputShape());
            assertEquals(760, m.parameterCount());
        }
    }

    @Test
    void seedZeroStride2SameAndSeedFour128Same() {
        try (Model m = Sequential.builder(Input.image(10, 10, 3), Layout.NHWC)
                .add(Conv2D.of(64, 5).stride(2).padding(Padding.SAME)).build()) {
            assertEquals("(None, 5, 5, 64)", m.layers().getFirst().outputShape());
        }
        try (Model m = Sequential.builder(Input.image(128, 128, 3), Layout.NHWC)
                .add(Conv2D.of(64, 5).padding(Padding.SAME).activation(Activation.RELU)).build()) {
            assertEquals("(None, 128, 128, 64)", m.layers().getFirst().outputShape());
            assertEquals(64 * 5 * 5 * 3 + 64, m.parameterCount());
        }
    }

    @Test
    void seedOneSixBySixAndFullPadding() {
        try (Model m = Sequential.builder(Input.image(6, 6, 1), Layout.NHWC)
                .add(Conv2D.of(1, 3)).add(Conv2D.of(1, 3).padding(Padding.explicit(1)))
                .add(Conv2D.of(1, 3).padding(Padding.SAME)).build()) {
            assertEquals(List.of("(None, 4, 4, 1)", "(None, 4, 4, 1)", "(None, 4, 4, 1)"), shapes(m));
        }
        try (Model m = Sequential.builder(Input.image(6, 6, 1), Layout.NHWC)
                .add(Conv2D.of(1, 3).padding(Padding.explicit(1))).build()) {
            assertEquals("(None, 6, 6, 1)", m.layers().getFirst().outputShape());
        }
        try (Model m = Sequential.builder(Input.image(5, 5, 1), Layout.NHWC)
                .add(Conv2D.of(1, 3).padding(Padding.FULL)).build()) {
            assertEquals("(None, 7, 7, 1)", m.layers().getFirst().outputShape());
        }
    }

    @Test
    void overlappingPoolChainAndPoolingSame() {
        try (Model m = Sequential.builder(Input.image(55, 55, 96), Layout.NHWC)
                .add(Pooling2D.max(3).stride(2)).add(Pooling2D.max(3).stride(2)).add(Pooling2D.max(3).stride(2))
                .build()) {
            assertEquals(List.of("(None, 27, 27, 96)", "(None, 13, 13, 96)", "(None, 6, 6, 96)"), shapes(m));
            assertEquals(0, m.parameterCount());
        }
        try (Model m = Sequential.builder(Input.image(4, 4, 5), Layout.NHWC)
                .add(Pooling2D.max(2).padding(Padding.SAME)).add(Pooling2D.average(1).stride(2).ceilMode(true))
                .add(Pooling2D.globalAverage()).build()) {
            assertEquals(List.of("(None, 2, 2, 5)", "(None, 1, 1, 5)", "(None, 1, 1, 5)"), shapes(m));
        }
    }

    @Test
    void depthwiseDilatedAndGroupedLayers() {
        try (Model m = Sequential.builder(Input.image(16, 16, 8), Layout.NHWC)
                .add(Conv2D.depthwise(3, 2).padding(Padding.SAME))
                .add(Conv2D.of(8, 3).dilation(2).groups(4))
                .add(Conv2D.pointwise(4).useBias(false))
                .add(Dropout.of(0.5))
                .add(ActivationLayer.relu())
                .build()) {
            assertEquals(List.of("(None, 16, 16, 16)", "(None, 12, 12, 8)", "(None, 12, 12, 4)", "(None, 12, 12, 4)",
                    "(None, 12, 12, 4)"), shapes(m));
            assertEquals(List.of(16L * 9 + 16, 8L * 4 * 9 + 8, 8L * 4, 0L, 0L),
                    m.layers().stream().map(LayerInfo::params).toList());
            assertEquals("DepthwiseConv2D", m.layers().getFirst().type());
        }
    }

    @Test
    void seededInitializationIsReproducibleAndBiasesStartAtZero() {
        try (Model a = SeedModels.mnistCnn(Layout.NHWC); Model b = SeedModels.mnistCnn(Layout.NCHW)) {
            assertEquals(List.of("conv2d.kernel", "conv2d.bias", "conv2d_1.kernel", "conv2d_1.bias", "conv2d_2.kernel",
                    "conv2d_2.bias", "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"),
                    List.copyOf(a.namedWeights().keySet()));
            org.junit.jupiter.api.Assertions.assertArrayEquals(a.getWeights("conv2d_1").get(0),
                    b.getWeights("conv2d_1").get(0));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[64], a.getWeights("conv2d_1").get(1));
            float[] k = a.getWeights("dense").get(0);
            double limit = Math.sqrt(6.0 / (576 + 64)); // Glorot uniform
            double maxAbs = 0;
            for (float v : k) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            org.junit.jupiter.api.Assertions.assertTrue(maxAbs <= limit && maxAbs > 0.9 * limit, "max |w| " + maxAbs);
        }
    }
}
