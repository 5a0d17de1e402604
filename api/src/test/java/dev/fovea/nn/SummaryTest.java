package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Keras-style summary: the Keras layout's rows, totals, and the receptive-field column. */
class SummaryTest {

    private record Row(String name, String type, String shape, String params, String field) {
    }

    private static void assertRows(String summary, List<Row> rows) {
        for (Row r : rows) {
            Pattern p = Pattern.compile("^\\s*" + Pattern.quote(r.name + " (" + r.type + ")") + "\\s+"
                    + Pattern.quote(r.shape) + "\\s+" + Pattern.quote(r.params) + "\\s+" + Pattern.quote(r.field)
                    + "(\\s{2,}\\S.*)?$", Pattern.MULTILINE); // then the "Connected to" column
            assertTrue(p.matcher(summary).find(), "row " + r + " missing from\n" + summary);
        }
        // rows appear in model order
        int at = -1;
        for (Row r : rows) {
            int i = summary.indexOf(" " + r.name + " (" + r.type + ")");
            assertTrue(i > at, "row " + r.name + " out of order in\n" + summary);
            at = i;
        }
    }

    @Test
    void mnistCnn() {
        try (Model m = SeedModels.mnistCnn(Layout.NHWC)) {
            String s = m.summary();
            assertTrue(s.startsWith("Model: \"mnist-cnn\"\n"), s);
            assertRows(s, List.of(
                    new Row("conv2d", "Conv2D", "(None, 26, 26, 32)", "320", "3×3"),
                    new Row("max_pooling2d", "MaxPooling2D", "(None, 13, 13, 32)", "0", "4×4"),
                    new Row("conv2d_1", "Conv2D", "(None, 11, 11, 64)", "18,496", "8×8"),
                    new Row("max_pooling2d_1", "MaxPooling2D", "(None, 5, 5, 64)", "0", "10×10"),
                    new Row("conv2d_2", "Conv2D", "(None, 3, 3, 64)", "36,928", "18×18"),
                    new Row("flatten", "Flatten", "(None, 576)", "0", "all"),
                    new Row("dense", "Dense", "(None, 64)", "36,928", "all"),
                    new Row("dense_1", "Dense", "(None, 10)", "650", "all")));
            assertTrue(s.contains("\nTotal params: 93,322\n"), s);
            assertTrue(s.contains("\nTrainable params: 93,322\n"), s);
            assertTrue(s.contains("\nNon-trainable params: 0\n"), s);
            assertTrue(s.contains("Layer (type)") && s.contains("Output Shape") && s.contains("Param #")
                    && s.contains("Receptive field"), s);
        }
    }

    @Test
    void fashionCnn() {
        try (Model m = SeedModels.fashionCnn(Layout.NHWC)) {
            String s = m.summary();
            assertRows(s, List.of(
                    new Row("conv2d", "Conv2D", "(None, 26, 26, 64)", "640", "3×3"),
                    new Row("max_pooling2d", "MaxPooling2D", "(None, 13, 13, 64)", "0", "4×4"),
                    new Row("conv2d_1", "Conv2D", "(None, 11, 11, 64)", "36,928", "8×8"),
                    new Row("max_pooling2d_1", "MaxPooling2D", "(None, 5, 5, 64)", "0", "10×10"),
                    new Row("flatten", "Flatten", "(None, 1600)", "0", "all"),
                    new Row("dense", "Dense", "(None, 128)", "204,928", "all"),
                    new Row("dense_1", "Dense", "(None, 10)", "1,290", "all")));
            assertTrue(s.contains("\nTotal params: 243,786\n"), s);
            assertTrue(s.contains("\nTrainable params: 243,786\n"), s);
            assertTrue(s.contains("\nNon-trainable params: 0\n"), s);
        }
    }

    @Test
    void receptiveFieldOfTwoStacked3x3IsThreeThenFive() {
        try (Model m = Sequential.builder(Input.image(32, 32, 3), Layout.NHWC)
                .add(Conv2D.of(8, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(Conv2D.of(8, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(Conv2D.of(8, 3).stride(2))           // strided: 7, and the jump doubles
                .add(Conv2D.of(8, 3))                     // 7 + 2*2 = 11
                .add(Pooling2D.globalAverage())
                .build()) {
            assertEquals(List.of(3, 5, 7, 11, 0), m.layers().stream().map(LayerInfo::receptiveField).toList());
            String s = m.summary();
            assertTrue(Pattern.compile("conv2d \\(Conv2D\\).*\\b3×3\\s+input$", Pattern.MULTILINE).matcher(s).find(), s);
            assertTrue(Pattern.compile("conv2d_1 \\(Conv2D\\).*\\b5×5\\s+conv2d$", Pattern.MULTILINE).matcher(s).find(),
                    s);
            assertTrue(Pattern.compile("global_average_pooling2d \\(GlobalAveragePooling2D\\).*\\ball\\s+conv2d_3$",
                    Pattern.MULTILINE).matcher(s).find(), s);
        }
    }

    @Test
    void dilationWidensTheReceptiveField() {
        try (Model m = Sequential.builder(Input.image(32, 32, 3), Layout.NHWC)
                .add(Conv2D.of(8, 3).dilation(2)).add(Conv2D.of(8, 3).dilation(4)).build()) {
            assertEquals(List.of(5, 13), m.layers().stream().map(LayerInfo::receptiveField).toList());
        }
    }

    /** Keras prints "93,322" whatever the machine's locale; so must Fovea (the acceptance greps for it). */
    @Test
    void totalsDoNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            try (Model m = SeedModels.mnistCnn(Layout.NHWC)) {
                String s = m.summary();
                assertTrue(s.contains("Total params: 93,322"), s);
                assertTrue(s.contains("18,496"), s);
            }
        } finally {
            Locale.setDefault(saved);
        }
    }
}
