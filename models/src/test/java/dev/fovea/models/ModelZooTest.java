package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.LayerInfo;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelZooTest {
    /** A summary row as the issues list them: type, output shape, parameters. */
    private record Row(String type, String shape, long params) {
    }

    private static List<Row> rows(Model m) {
        return m.layers().stream().map(r -> new Row(r.type(), r.outputShape(), r.params())).toList();
    }

    @Test
    void zooHasEveryModelInAStableOrder() {
        assertEquals(List.of("mnist-cnn", "fashion-cnn", "fashion-resnet", "tf-convnet", "cifar-simple", "lenet5", "googlenet",
                "inception-module"), List.copyOf(ModelZoo.names()));
    }

    @ParameterizedTest
    @CsvSource({"mnist-cnn, 93322", "fashion-cnn, 243786", "tf-convnet, 3274634", "cifar-simple, 31066",
            "lenet5, 61706", "googlenet, 6998552", "inception-module, 163696"})
    void totals(String name, long total) {
        try (Model m = ModelZoo.build(name, 0)) {
            assertEquals(name, m.name());
            assertEquals(total, m.parameterCount());
            assertEquals(total, m.layers().stream().mapToLong(LayerInfo::params).sum(), "rows add up to the total");
            String s = m.summary();
            assertTrue(s.contains(String.format("Total params: %,d%n", total)), s);
            assertTrue(s.contains(String.format("Trainable params: %,d%n", total)), s);
            assertTrue(s.contains("Non-trainable params: 0"), s);
        }
    }

    @Test
    void fashionResnetCountsItsMovingStatisticsAsNonTrainable() {
        try (Model m = ModelZoo.build("fashion-resnet", 0)) {
            assertEquals(310_570, m.parameterCount());
            // Ten batch normalizations over 704 channels in all, two moving statistics each.
            String s = m.summary();
            assertTrue(s.contains(String.format("Trainable params: %,d%n", 310_570 - 1_408)), s);
            assertTrue(s.contains(String.format("Non-trainable params: %,d%n", 1_408)), s);
            assertEquals("(None, 4, 4, 128)", m.layers().stream().filter(l -> l.name().equals("stage3_block1_add"))
                    .findFirst().orElseThrow().outputShape());
        }
    }

    @Test
    void unknownModelNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.build("alexnet", 0));
        assertTrue(e.getMessage().contains("'alexnet'") && e.getMessage().contains("googlenet"), e.getMessage());
    }

    @Test
    void mnistCnnRowsAreKeras() {
        try (Model m = ModelZoo.build("mnist-cnn", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 26, 26, 32)", 320),
                    new Row("MaxPooling2D", "(None, 13, 13, 32)", 0),
                    new Row("Conv2D", "(None, 11, 11, 64)", 18_496),
                    new Row("MaxPooling2D", "(None, 5, 5, 64)", 0),
                    new Row("Conv2D", "(None, 3, 3, 64)", 36_928),
                    new Row("Flatten", "(None, 576)", 0),
                    new Row("Dense", "(None, 64)", 36_928),
                    new Row("Dense", "(None, 10)", 650)), rows(m));
            assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2", "flatten",
                    "dense", "dense_1"), m.layers().stream().map(LayerInfo::name).toList());
        }
    }

    @Test
    void fashionCnnRowsAreKeras() {
        try (Model m = ModelZoo.build("fashion-cnn", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 26, 26, 64)", 640),
                    new Row("MaxPooling2D", "(None, 13, 13, 64)", 0),
                    new Row("Conv2D", "(None, 11, 11, 64)", 36_928),
                    new Row("MaxPooling2D", "(None, 5, 5, 64)", 0),
                    new Row("Flatten", "(None, 1600)", 0),
                    new Row("Dense", "(None, 128)", 204_928),
                    new Row("Dense", "(None, 10)", 1_290)), rows(m));
        }
    }

    @Test
    void tfConvnetFollowsTheSeedsComments() {
        // Seed 000: "28*28*1 to 14*14*32", "14*14*32 to 7*7*64", "7*7*64 to 1024", then 10 classes.
        try (Model m = ModelZoo.build("tf-convnet", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 28, 28, 32)", 5 * 5 * 32 + 32),
                    new Row("MaxPooling2D", "(None, 14, 14, 32)", 0),
                    new Row("Conv2D", "(None, 14, 14, 64)", 5 * 5 * 32 * 64 + 64),
                    new Row("MaxPooling2D", "(None, 7, 7, 64)", 0),
                    new Row("Flatten", "(None, 3136)", 0),
                    new Row("Dense", "(None, 1024)", 7 * 7 * 64 * 1024 + 1024),
                    new Row("Dropout", "(None, 1024)", 0),
                    new Row("Dense", "(None, 10)", 1024 * 10 + 10)), rows(m));
        }
    }

    @Test
    void cifarSimpleIsInputConvReluPoolFc() {
        // Seed 002: [32x32x3] -> CONV 12 filters -> [32x32x12] -> RELU -> POOL -> [16x16x12] -> FC -> 10.
        try (Model m = ModelZoo.build("cifar-simple", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 32, 32, 12)", 3 * 3 * 3 * 12 + 12),
                    new Row("ReLU", "(None, 32, 32, 12)", 0),
                    new Row("MaxPooling2D", "(None, 16, 16, 12)", 0),
                    new Row("Flatten", "(None, 3072)", 0),
                    new Row("Dense", "(None, 10)", 16 * 16 * 12 * 10 + 10)), rows(m));
        }
    }

    @Test
    void lenet5MapsAsInThePaper() {
        try (Model m = ModelZoo.build("lenet5", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 28, 28, 6)", 156),
                    new Row("AveragePooling2D", "(None, 14, 14, 6)", 0),
                    new Row("Conv2D", "(None, 10, 10, 16)", 2_416),
                    new Row("AveragePooling2D", "(None, 5, 5, 16)", 0),
                    new Row("Conv2D", "(None, 1, 1, 120)", 48_120),
                    new Row("Flatten", "(None, 120)", 0),
                    new Row("Dense", "(None, 84)", 10_164),
                    new Row("Dense", "(None, 10)", 850)), rows(m));
            assertEquals(List.of("c1", "s2", "c3", "s4", "c5", "flatten", "f6", "output"),
                    m.layers().stream().map(LayerInfo::name).toList());
            // C5's units each see the whole 32×32 input, as the paper designs it (0 = everything).
            assertEquals(List.of(5, 6, 14, 16, 32, 0, 0, 0),
                    m.layers().stream().map(LayerInfo::receptiveField).toList());
        }
    }

    // ---- GoogLeNet -------------------------------------------------------------------------------------------

    /**
     * Szegedy et al. 2014, Table 1, typed in from the paper: module name, input channels, then
     * #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj.
     */
    private static final Object[][] TABLE1 = {
            {"inception_3a", 192, 64, 96, 128, 16, 32, 32},
            {"inception_3b", 256, 128, 128, 192, 32, 96, 64},
            {"inception_4a", 480, 192, 96, 208, 16, 48, 64},
            {"inception_4b", 512, 160, 112, 224, 24, 64, 64},
            {"inception_4c", 512, 128, 128, 256, 24, 64, 64},
            {"inception_4d", 512, 112, 144, 288, 32, 64, 64},
            {"inception_4e", 528, 256, 160, 320, 32, 128, 128},
            {"inception_5a", 832, 256, 160, 320, 32, 128, 128},
            {"inception_5b", 832, 384, 192, 384, 48, 128, 128},
    };

    /** Weights plus biases of a k×k convolution from {@code in} to {@code out} channels. */
    private static long conv(long in, long out, long k) {
        return k * k * in * out + out;
    }

    private static long moduleParams(Object[] row) {
        int in = (int) row[1];
        int c1 = (int) row[2], r3 = (int) row[3], c3 = (int) row[4], r5 = (int) row[5], c5 = (int) row[6];
        int pp = (int) row[7];
        return conv(in, c1, 1) + conv(in, r3, 1) + conv(r3, c3, 3) + conv(in, r5, 1) + conv(r5, c5, 5)
                + conv(in, pp, 1);
    }

    /**
     * The count by hand arithmetic from Table 1, independent of the model-building code: stem convolutions,
     * nine modules, the 1024 → 1000 classifier. 6,998,552 is also the count commonly given for the original
     * Caffe model (bvlc_googlenet) without its auxiliary classifiers.
     */
    @Test
    void googlenetParameterCountFromTable1() {
        long stem = conv(3, 64, 7) + conv(64, 64, 1) + conv(64, 192, 3);
        assertEquals(9_472 + 4_160 + 110_784, stem);
        long modules = 0;
        for (Object[] row : TABLE1) {
            modules += moduleParams(row);
        }
        long classifier = 1024L * 1000 + 1000;
        long total = stem + modules + classifier;
        assertEquals(6_998_552L, total);
        try (Model m = ModelZoo.build("googlenet", 0)) {
            assertEquals(total, m.parameterCount());
        }
    }

    private static int channels(String shape) {
        String[] parts = shape.replace("(", "").replace(")", "").split(",\\s*");
        return Integer.parseInt(parts[parts.length - 1]);
    }

    @Test
    void googlenetStagesAreTable1Sizes() {
        try (Model m = ModelZoo.build("googlenet", 0)) {
            Map<String, String> expected = Map.ofEntries(
                    Map.entry("conv1_7x7_s2", "(None, 112, 112, 64)"),
                    Map.entry("pool1_3x3_s2", "(None, 56, 56, 64)"),
                    Map.entry("conv2_3x3_reduce", "(None, 56, 56, 64)"),
                    Map.entry("conv2_3x3", "(None, 56, 56, 192)"),
                    Map.entry("pool2_3x3_s2", "(None, 28, 28, 192)"),
                    Map.entry("inception_3a", "(None, 28, 28, 256)"),
                    Map.entry("inception_3b", "(None, 28, 28, 480)"),
                    Map.entry("pool3_3x3_s2", "(None, 14, 14, 480)"),
                    Map.entry("inception_4a", "(None, 14, 14, 512)"),
                    Map.entry("inception_4b", "(None, 14, 14, 512)"),
                    Map.entry("inception_4c", "(None, 14, 14, 512)"),
                    Map.entry("inception_4d", "(None, 14, 14, 528)"),
                    Map.entry("inception_4e", "(None, 14, 14, 832)"),
                    Map.entry("pool4_3x3_s2", "(None, 7, 7, 832)"),
                    Map.entry("inception_5a", "(None, 7, 7, 832)"),
                    Map.entry("inception_5b", "(None, 7, 7, 1024)"),
                    Map.entry("pool5_7x7_s1", "(None, 1, 1, 1024)"),
                    Map.entry("flatten", "(None, 1024)"),
                    Map.entry("pool5_drop_7x7_s1", "(None, 1024)"),
                    Map.entry("loss3_classifier", "(None, 1000)"));
            List<LayerInfo> top = m.layers().stream().filter(r -> r.depth() == 0).toList();
            assertEquals(List.of("conv1_7x7_s2", "pool1_3x3_s2", "conv2_3x3_reduce", "conv2_3x3", "pool2_3x3_s2",
                    "inception_3a", "inception_3b", "pool3_3x3_s2", "inception_4a", "inception_4b", "inception_4c",
                    "inception_4d", "inception_4e", "pool4_3x3_s2", "inception_5a", "inception_5b", "pool5_7x7_s1",
                    "flatten", "pool5_drop_7x7_s1", "loss3_classifier"), top.stream().map(LayerInfo::name).toList());
            for (LayerInfo r : top) {
                assertEquals(expected.get(r.name()), r.outputShape(), r.name());
            }
            assertEquals(Shape.of(2, 1000), m.outputShape(2));
            assertEquals(Shape.of(2, 3, 224, 224), m.inputShape(2));
        }
    }

    @Test
    void googlenetModulesHaveTable1BranchWidths() {
        try (Model m = ModelZoo.build("googlenet", 0)) {
            List<LayerInfo> all = m.layers();
            for (Object[] row : TABLE1) {
                String name = (String) row[0];
                int at = -1;
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).name().equals(name)) {
                        at = i;
                    }
                }
                assertTrue(at >= 7, name + " not found");
                assertEquals("Inception", all.get(at).type());
                // The module's rows precede it: 1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool, pool proj.
                List<LayerInfo> branch = all.subList(at - 7, at);
                List<String> types = branch.stream().map(LayerInfo::type).toList();
                assertEquals(List.of("Conv2D", "Conv2D", "Conv2D", "Conv2D", "Conv2D", "MaxPooling2D", "Conv2D"),
                        types, name);
                List<Integer> widths = new ArrayList<>();
                branch.forEach(r -> widths.add(channels(r.outputShape())));
                int in = (int) row[1];
                assertEquals(List.of(row[2], row[3], row[4], row[5], row[6], in, row[7]), widths, name);
                int out = (int) row[2] + (int) row[4] + (int) row[6] + (int) row[7];
                assertEquals(out, channels(all.get(at).outputShape()), name);
                assertEquals(moduleParams(row), branch.stream().mapToLong(LayerInfo::params).sum(), name);
                branch.forEach(r -> assertEquals(1, r.depth(), r.name()));
            }
        }
    }

    @Test
    void inceptionModuleIsOneAveragePoolModule() {
        try (Model m = ModelZoo.build("inception-module", 0)) {
            assertEquals(List.of(
                    new Row("Conv2D", "(None, 28, 28, 64)", 12_352),
                    new Row("Conv2D", "(None, 28, 28, 96)", 18_528),
                    new Row("Conv2D", "(None, 28, 28, 128)", 110_720),
                    new Row("Conv2D", "(None, 28, 28, 16)", 3_088),
                    new Row("Conv2D", "(None, 28, 28, 32)", 12_832),
                    new Row("AveragePooling2D", "(None, 28, 28, 192)", 0),
                    new Row("Conv2D", "(None, 28, 28, 32)", 6_176),
                    new Row("Inception", "(None, 28, 28, 256)", 0)), rows(m));
            assertEquals(moduleParams(TABLE1[0]), m.parameterCount());
        }
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        try (Model a = ModelZoo.build("lenet5", 7); Model b = ModelZoo.build("lenet5", 7);
             Model c = ModelZoo.build("lenet5", 8)) {
            assertArrayEquals(a.getWeights("c3").get(0), b.getWeights("c3").get(0));
            assertNotEquals(a.getWeights("c3").get(0)[0], c.getWeights("c3").get(0)[0]);
        }
    }

    @Test
    void formerNameStillBuildsTheInceptionModule() {
        try (Model m = ModelZoo.build("inception-seed", 0)) {
            assertEquals("inception-module", m.name());
        }
    }
}
