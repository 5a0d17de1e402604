package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea demo} end to end on the bundled sample: 1 epoch on 200 images, every output checked. */
class DemoCommandTest {
    private static final List<String> PICTURES = List.of("training-curves.png", "filters.png",
            "feature-maps-01-conv2d.png", "feature-maps-02-max_pooling2d.png", "feature-maps-03-conv2d_1.png",
            "feature-maps-04-max_pooling2d_1.png", "predictions.png", "confusion-matrix.png");

    @Test
    void demoWritesEveryPictureAndAnIndexReferencingThem(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("fovea-demo");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(new String[] {"demo", "--sample", "--epochs", "1", "--limit", "200", "--no-progress",
            "--out", dir.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("data: the 1,000 + 200 image Fashion-MNIST sample"), text);
        assertTrue(text.contains("backend: "), text);
        assertTrue(text.contains("Total params: 243,786"), text);
        assertTrue(text.contains("epoch 1/1: train loss"), text);
        assertTrue(text.matches("(?s).*test accuracy: 0\\.\\d{4}.*"), text);
        assertTrue(text.contains("confusion matrix"), text);
        assertTrue(text.contains("Ankle boot"), "class names in the report: " + text);

        String html = Files.readString(dir.resolve("index.html"));
        List<Path> pngs;
        try (Stream<Path> files = Files.list(dir)) {
            pngs = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertTrue(pngs.stream().map(p -> p.getFileName().toString()).toList().containsAll(PICTURES),
                "pictures written: " + pngs);
        for (Path png : pngs) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is not a readable PNG");
            assertTrue(img.getWidth() >= 200 && img.getWidth() <= 4000 && img.getHeight() >= 150
                    && img.getHeight() <= 6000, png + " has an odd size " + img.getWidth() + "×" + img.getHeight());
            assertTrue(html.contains("src=\"" + png.getFileName() + "\""), "index.html does not show " + png);
        }
    }
}
