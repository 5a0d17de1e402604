package dev.fovea.cli.demo;

import dev.fovea.data.Datasets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's picture and report pipeline end to end on a tiny input: an untrained (seeded) fashion-cnn,
 * synthetic labelled images and a two-epoch history. Set {@code -Dfovea.demo.keep=DIR} to keep the pictures.
 */
class PicturesTest {
    static final int N = 48;

    /** Class k is a bright bar at a class-specific position and orientation, plus a little seeded noise. */
    static ImageSet syntheticImages(int n) {
        float[] px = new float[n * 28 * 28];
        int[] labels = new int[n];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            int k = i % 10;
            labels[i] = k;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    boolean on = k < 5 ? Math.abs(y - (4 + 4 * k)) <= 1 && x > 3 && x < 24
                            : Math.abs(x - (4 + 4 * (k - 5))) <= 1 && y > 3 && y < 24;
                    px[i * 784 + y * 28 + x] = (on ? 0.9f : 0f) + (float) rnd.nextDouble(0, 0.1);
                }
            }
        }
        return ImageSet.gray(px, labels, 28, 28);
    }

    @Test
    void demoPicturesAndPageAreComplete(@TempDir Path tmp) throws IOException {
        String keep = System.getProperty("fovea.demo.keep");
        Path dir = keep != null ? Path.of(keep) : tmp.resolve("fovea-demo");
        ImageSet test = syntheticImages(N);
        History history = new History(List.of(0.9, 0.5), List.of(0.7, 0.85), List.of(), List.of(0.8, 0.86));
        List<Figure> figures;
        Evaluation e;
        try (Engine engine = Engine.open("reference"); Model model = ModelZoo.build("fashion-cnn", 3);
             Inference net = model.compile(engine)) {
            e = Evaluation.run(net, test, 16);
            figures = Pictures.demo(dir, net, history, test, e, Datasets.FASHION_MNIST_CLASSES);
            IndexPage.write(dir, "Fovea demo (test)", List.of("model: fashion-cnn"), figures,
                    List.of(new IndexPage.Block("Evaluation", Report.text(e, Datasets.FASHION_MNIST_CLASSES)),
                            new IndexPage.Block("Model", model.summary())));
        }

        Set<String> expected = new TreeSet<>(List.of("training-curves.png", "filters.png",
                "feature-maps-01-conv2d.png", "feature-maps-02-max_pooling2d.png", "feature-maps-03-conv2d_1.png",
                "feature-maps-04-max_pooling2d_1.png", "feature-pyramid.png", "predictions.png",
                "confusion-matrix.png"));
        if (e.correct() < e.count()) {
            expected.add("mistakes.png");
        }
        Set<String> listed = new TreeSet<>(figures.stream().map(Figure::file).toList());
        assertEquals(expected, listed, "figures returned");
        Set<String> onDisk = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".png")).forEach(onDisk::add);
        }
        assertEquals(expected, onDisk, "PNG files written");

        String html = Files.readString(dir.resolve(IndexPage.FILE));
        for (String f : expected) {
            assertValidPng(dir.resolve(f));
            assertTrue(html.contains("<img src=\"" + f + "\""), "index.html shows " + f);
        }
        for (Figure f : figures) {
            assertTrue(html.contains(IndexPage.esc(f.caption())), "index.html has the caption of " + f.file());
            assertTrue(f.caption().length() > 40, "caption of " + f.file() + " says something: " + f.caption());
        }
        // Every image the page refers to exists.
        var m = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        List<String> referenced = new ArrayList<>();
        while (m.find()) {
            referenced.add(m.group(1));
        }
        assertEquals(expected, new TreeSet<>(referenced), "images referenced by index.html");
        assertTrue(html.contains("Total params: 243,786"), "model summary block");
        assertTrue(html.contains("confusion matrix"), "report block");
    }

    @Test
    void predictionsGridMarksExactlyTheMistakes(@TempDir Path dir) throws IOException {
        // Hand-made evaluation: images 1 and 3 wrong.
        ImageSet imgs = syntheticImages(4);
        int[] labels = imgs.labels();
        int[] predicted = {labels[0], (labels[1] + 1) % 10, labels[2], (labels[3] + 2) % 10};
        long[][] confusion = new long[10][10];
        for (int i = 0; i < 4; i++) {
            confusion[labels[i]][predicted[i]]++;
        }
        Evaluation e = new Evaluation(labels, predicted, new float[] {0.9f, 0.6f, 0.99f, 0.5f}, 10, confusion);
        Figure f = PredictionsFigure.writeFirst(imgs, e, Datasets.FASHION_MNIST_CLASSES, 40, dir);
        assertTrue(f.caption().contains("2 of 4"), f.caption());
        BufferedImage img = ImageIO.read(dir.resolve(f.file()).toFile());
        assertNotNull(img);
        // A red frame pixel exists only when a mistake is drawn: count pure frame-red pixels.
        int red = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == (Render.WRONG.getRGB() & 0xffffff)) {
                    red++;
                }
            }
        }
        assertTrue(red > 2 * 4 * 84, "two red frames drawn, red pixels: " + red);
        Figure none = PredictionsFigure.writeMistakes(imgs, e, Datasets.FASHION_MNIST_CLASSES, 24, dir).orElseThrow();
        assertValidPng(dir.resolve(none.file()));
    }

    static void assertValidPng(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " exists");
        byte[] head = Files.readAllBytes(file);
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
        for (int i = 0; i < sig.length; i++) {
            assertEquals(sig[i], head[i], file + " has the PNG signature");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " decodes");
        assertTrue(img.getWidth() >= 300 && img.getWidth() <= 2400, file + " width " + img.getWidth());
        assertTrue(img.getHeight() >= 150 && img.getHeight() <= 2400, file + " height " + img.getHeight());
        // Not blank: a picture with text and tiles has many distinct colours.
        Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 8, file + " has content (" + colours.size() + " colours)");
    }
}
