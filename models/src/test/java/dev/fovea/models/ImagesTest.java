package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.FileFormatException;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Layout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images: pictures to model inputs, checked on hand-worked pictures. */
class ImagesTest {
    @TempDir
    Path dir;

    private static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    @Test
    void lightBackgroundIsInvertedSoTheObjectIsLightOnDark() {
        BufferedImage img = filled(56, 56, 0xffffffff);
        for (int y = 20; y < 36; y++) {
            for (int x = 20; x < 36; x++) {
                img.setRGB(x, y, 0xff000000);
            }
        }
        Images.Prepared p = Images.prepare(img, 1, 28, 28);
        assertTrue(p.inverted());
        assertEquals(28 * 28, p.pixels().length);
        assertEquals(0f, p.pixels()[0], "white background becomes black");
        assertEquals(1f, p.pixels()[14 * 28 + 14], "the black square becomes white");
        assertEquals("56×56 → 28×28 grayscale, inverted (light background)", p.describe());
    }

    @Test
    void grayscaleIsLuminanceAndDarkBackgroundsStay() {
        Images.Prepared red = Images.prepare(filled(4, 4, 0xffff0000), 1, 2, 2);
        assertFalse(red.inverted());
        for (float v : red.pixels()) {
            assertEquals(0.299, v, 1e-6);
        }
        // Fully transparent pixels are white: light background, inverted to 0.
        Images.Prepared clear = Images.prepare(filled(4, 4, 0x00123456), 1, 2, 2);
        assertTrue(clear.inverted());
        assertArrayEquals(new float[4], clear.pixels());
    }

    @Test
    void resizingAveragesAreasAndPaddingKeepsTheAspectRatio() {
        // 2×2 black-and-white blocks shrink to the mean of each block.
        BufferedImage checker = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                checker.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0x000000);
            }
        }
        for (float v : Images.prepare(checker, 1, 2, 2).pixels()) {
            assertEquals(0.5, v, 1e-6);
        }
        // A 4×2 image with a bright left half, into 2×2: padded to 4×4 with the border's mean, then averaged.
        BufferedImage wide = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 2; x++) {
            wide.setRGB(x, 0, 0xffffff);
            wide.setRGB(x, 1, 0xffffff);
        }
        Images.Prepared p = Images.prepare(wide, 1, 2, 2);
        float border = 0.5f;  // every pixel of a 4×2 image is on its border: half white, half black
        float[] want = {(border + 1) / 2, border / 2, (border + 1) / 2, border / 2};
        assertArrayEquals(want, p.pixels(), 1e-6f);
    }

    @Test
    void rgbInputsFollowTheModelsLayout() {
        BufferedImage img = filled(2, 2, 0xff336699);
        img.setRGB(1, 1, 0xffcc0000);
        Images.Prepared p = Images.prepare(img, new Input(2, 2, 3));
        float[] planar = p.pixels(Layout.NCHW);
        float[] interleaved = p.pixels(Layout.NHWC);
        assertArrayEquals(p.pixels(), planar);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(planar[c * 4 + i], interleaved[i * 3 + c], "channel " + c + ", pixel " + i);
            }
        }
        assertEquals(0x33 / 255f, planar[0], 1e-6);
        assertEquals(0x99 / 255f, planar[2 * 4], 1e-6);
    }

    @Test
    void inputFeedsPredictDirectly() throws IOException {
        Path png = dir.resolve("shoe.png");
        BufferedImage img = filled(30, 20, 0xffeeeeee);
        for (int y = 5; y < 15; y++) {
            for (int x = 3; x < 27; x++) {
                img.setRGB(x, y, 0xff202020);
            }
        }
        ImageIO.write(img, "png", png.toFile());
        try (Model model = ModelZoo.build("fashion-cnn", 1); Engine engine = Engine.open("reference");
             Inference net = model.compile(engine)) {
            float[] x = Images.input(Images.read(png), model);
            assertArrayEquals(Images.prepare(img, model.input()).pixels(), x);
            float[] y = net.predict(x, 1);
            assertEquals(model.outputShape(1).elementCount(), y.length);
        }
    }

    @Test
    void badArgumentsAreNamed() throws IOException {
        BufferedImage img = filled(2, 2, 0xff000000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Images.prepare(img, 2, 28, 28));
        assertTrue(e.getMessage().contains("2 input channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.prepare(img, 1, 0, 28));
        assertTrue(e.getMessage().contains("0×28"), e.getMessage());
        assertEquals("image", assertThrows(NullPointerException.class, () -> Images.prepare(null, 1, 2, 2))
                .getMessage());
        assertEquals("file", assertThrows(NullPointerException.class, () -> Images.read(null)).getMessage());
        // A file that is not a picture is a format problem, named as every reader names it: the file first.
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        FileFormatException f = assertThrows(FileFormatException.class, () -> Images.read(text));
        assertTrue(f.getMessage().startsWith(text + ": not an image format"), f.getMessage());
        Path missing = dir.resolve("missing.png");
        // A missing file is an I/O problem, said as every reader says it.
        java.io.FileNotFoundException nf = assertThrows(java.io.FileNotFoundException.class,
                () -> Images.read(missing));
        assertEquals("image file " + missing + " does not exist", nf.getMessage());
    }

    /** ImageNet's normalisation of a [0, 1] value {@code v} in channel {@code c}. */
    private static double imagenet(double v, int c) {
        double[] mean = {0.485, 0.456, 0.406};
        double[] std = {0.229, 0.224, 0.225};
        return (v - mean[c]) / std[c];
    }

    @Test
    void rgbShrinksTheShorterSideCropsTheCentreAndNormalises() {
        // 512 wide × 600 tall: the shorter side (width) 512 → 256, the height 600 → 300, both by a factor 2. Each
        // 2×2 block holds one colour: red = the block's column X, green = its row Y (mod 256), blue = 100. Resized
        // pixel X is centred on block X and weighs the source pixels of blocks X − 1, X, X, X + 1 by 1/8, 3/8, 3/8,
        // 1/8: X again (the ramp is symmetric about it). The 224×224 centre crop starts at row (300 − 224) / 2 = 38,
        // column 16, away from the edges; rows 38 + y cross the 255 → 0 wrap of green only between the rows checked.
        BufferedImage img = new BufferedImage(512, 600, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 512; x++) {
                img.setRGB(x, y, (x / 2 & 0xff) << 16 | (y / 2 & 0xff) << 8 | 100);
            }
        }
        Images.Prepared p = Images.prepareRgb(img, Images.RgbOptions.imagenet());
        assertEquals(3, p.channels());
        assertEquals(224, p.height());
        assertEquals(224, p.width());
        assertEquals(3 * 224 * 224, p.pixels().length);
        assertEquals("512×600 → 224×224 RGB", p.describe());
        float[] v = p.pixels();
        int plane = 224 * 224;
        for (int y = 0; y < 224; y += 37) {
            for (int x = 0; x < 224; x += 31) {
                int i = y * 224 + x;
                assertEquals(imagenet((x + 16) / 255.0, 0), v[i], 1e-5, "red at " + y + "," + x);
                assertEquals(imagenet(((y + 38) & 0xff) / 255.0, 1), v[plane + i], 1e-5, "green at " + y + "," + x);
                assertEquals(imagenet(100 / 255.0, 2), v[2 * plane + i], 1e-5, "blue at " + y + "," + x);
            }
        }
        // The crop's corners, by hand: red 16 and 239, green 38 and 261 mod 256 = 5.
        assertEquals((16 / 255.0 - 0.485) / 0.229, v[0], 1e-5);
        assertEquals((239 / 255.0 - 0.485) / 0.229, v[223], 1e-5);
        assertEquals((38 / 255.0 - 0.456) / 0.224, v[plane], 1e-5);
        assertEquals((5 / 255.0 - 0.456) / 0.224, v[plane + 223 * 224], 1e-5);
    }

    @Test
    void rgbShrinkingWeighsPixelsWithAWidenedTriangle() {
        // 3 wide × 6 tall → resize 2: width 3 → 2, a shrink factor s = 1.5, so the triangle spans ±1.5 source pixels.
        // Output column 0 is centred at 0.75: pixel 0 (centre 0.5) weighs 1 − 0.25/1.5 = 5/6, pixel 1 (centre 1.5)
        // 1 − 0.75/1.5 = 1/2, pixel 2 nothing; normalised 5/8 and 3/8. Column 1, centred at 2.25: pixel 1 weighs 1/2,
        // pixel 2 5/6: 3/8 and 5/8. With red 0, 90, 180 in columns 0, 1, 2: 3/8 · 90 = 33.75 and
        // 3/8 · 90 + 5/8 · 180 = 146.25. Mean 0, std 1: plain [0, 1] values.
        BufferedImage img = new BufferedImage(3, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, (90 * x) << 16 | 0x00ff00);
            }
        }
        Images.RgbOptions o = new Images.RgbOptions(2, 4, 2, new double[3], new double[] {1, 1, 1});
        Images.Prepared p = Images.prepareRgb(img, o);
        for (int y = 0; y < 4; y++) {
            assertEquals(33.75 / 255, p.pixels()[y * 2], 1e-6);
            assertEquals(146.25 / 255, p.pixels()[y * 2 + 1], 1e-6);
            assertEquals(1.0, p.pixels()[8 + y * 2], 1e-6, "uniform green stays 1");
            assertEquals(0.0, p.pixels()[16 + y * 2 + 1], 1e-6, "no blue");
        }
    }

    @Test
    void rgbEnlargingIsBilinearAndTheCropIsCentred() {
        // 2×2 (black column, white column) → resize 4: output centres at −0.25, 0.25, 0.75, 1.25 source pixels,
        // clamped: 0, 0.25, 0.75, 1.
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 0, 0xffffff);
        img.setRGB(1, 1, 0xffffff);
        Images.RgbOptions plain = new Images.RgbOptions(4, 4, 4, new double[3], new double[] {1, 1, 1});
        float[] v = Images.prepareRgb(img, plain).pixels();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, java.util.Arrays.copyOfRange(v,
                        (c * 4 + y) * 4, (c * 4 + y) * 4 + 4), 1e-6f);
            }
        }
        // Crop 2 of the 4: columns 1 and 2. A non-square crop 4 tall × 2 wide.
        float[] cropped = Images.prepareRgb(img, plain.withCrop(4, 2)).pixels();
        assertEquals(3 * 4 * 2, cropped.length);
        assertArrayEquals(new float[] {0.25f, 0.75f}, java.util.Arrays.copyOfRange(cropped, 0, 2), 1e-6f);
        // Transparent pixels are white.
        BufferedImage clear = filled(3, 3, 0x00000000);
        for (float x : Images.prepareRgb(clear, plain.withResize(5).withCrop(3, 3)).pixels()) {
            assertEquals(1f, x, 1e-6f);
        }
    }

    @Test
    void rgbOptionsDefaultsAndValidation() {
        Images.RgbOptions d = Images.RgbOptions.imagenet();
        assertEquals(256, d.resize());
        assertEquals(224, d.cropHeight());
        assertEquals(224, d.cropWidth());
        assertArrayEquals(new double[] {0.485, 0.456, 0.406}, d.mean());
        assertArrayEquals(new double[] {0.229, 0.224, 0.225}, d.std());
        assertEquals(d, Images.RgbOptions.imagenet(224, 224));
        assertEquals(342, Images.RgbOptions.imagenet(299, 299).resize());
        d.mean()[0] = 7;
        assertEquals(0.485, d.mean()[0], "mean() is a copy");
        assertEquals(d.withMean(0.5, 0.5, 0.5), d.withMean(0.5, 0.5, 0.5));
        assertTrue(d.toString().contains("crop=224×224"), d.toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withResize(0));
        assertTrue(e.getMessage().contains("resize 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Images.prepareRgb(filled(400, 300, 0), d.withResize(200)));
        assertEquals("the 400×300 picture resized to 266×200 (shorter side 200) is smaller than the crop 224×224"
                + " (width × height): resize must be at least the crop's larger side", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withCrop(0, 224));
        assertTrue(e.getMessage().contains("crop 0×224"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withStd(0.2, 0, 0.2));
        assertTrue(e.getMessage().contains("std [0.2, 0.0, 0.2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withMean(Double.NaN, 0, 0));
        assertTrue(e.getMessage().contains("mean [NaN, 0.0, 0.0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Images.RgbOptions(256, 224, 224, new double[2], new double[] {1, 1, 1}));
        assertTrue(e.getMessage().contains("3 values"), e.getMessage());
    }

    @Test
    void rgbInputChecksTheModelAndFollowsItsLayout() {
        for (Layout layout : Layout.values()) {
            dev.fovea.nn.Graph g = dev.fovea.nn.Graph.builder("rgb", layout);
            dev.fovea.nn.Value x = g.input("image", Input.image(4, 6, 3));
            try (Model model = g.outputs(dev.fovea.nn.Pooling2D.globalAverage().apply(x)).seed(1).build()) {
                BufferedImage img = filled(12, 8, 0xff336699);
                Images.RgbOptions o = Images.RgbOptions.imagenet().withResize(8).withCrop(4, 6);
                float[] in = Images.input(img, model, o);
                assertArrayEquals(Images.prepareRgb(img, o).pixels(layout), in);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Images.input(img, model, Images.RgbOptions.imagenet()));
                assertTrue(e.getMessage().contains("crop 224×224") && e.getMessage().contains("4×6"), e.getMessage());
            }
        }
        try (Model gray = ModelZoo.build("fashion-cnn", 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Images.input(filled(28, 28, 0), gray, Images.RgbOptions.imagenet(28, 28)));
            assertTrue(e.getMessage().contains("1 input channels"), e.getMessage());
        }
    }

    /** A grayscale PNG that announces {@code w × h} in its header and ends right after it (no pixel data). */
    static byte[] pngHeaderOnly(int w, int h) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13);
        int from = b.position();
        b.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put(new byte[] {8, 0, 0, 0, 0});
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), from, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(0xAE426082);
        return b.array();
    }

    @Test
    void anImageOverThePixelLimitIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
        // 20000 × 20000 took 4.6 GB and 30 s to decode from a 448 KB PNG; the header alone is refused now.
        Path huge = Files.write(dir.resolve("huge.png"), pngHeaderOnly(20000, 20000));
        IOException e = assertThrows(IOException.class, () -> Images.read(huge));
        assertTrue(e.getMessage().contains(huge.toString()) && e.getMessage().contains("20000×20000")
                && e.getMessage().contains("400000000 pixels") && e.getMessage().contains("50000000")
                && e.getMessage().contains("fovea.image.maxPixels"), e.getMessage());
        Path small = dir.resolve("small.png");
        ImageIO.write(filled(30, 20, 0xff808080), "png", small.toFile());
        assertEquals(30, Images.read(small).getWidth());
        e = assertThrows(IOException.class, () -> Images.read(small, 599));
        assertTrue(e.getMessage().contains("30×20 = 600 pixels, over the limit of 599"), e.getMessage());
        assertEquals(20, Images.read(small, 600).getHeight());
    }

    @Test
    void corruptImagesAndDirectoriesNameTheFile() throws IOException {
        Path png = dir.resolve("cut.png");
        ImageIO.write(filled(64, 64, 0xff336699), "png", png.toFile());
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(bytes, 60)); // cut inside the IDAT chunk
        IOException e = assertThrows(IOException.class, () -> Images.read(png));
        assertTrue(e.getMessage().startsWith(png.toString()) && e.getMessage().contains("PNG"), e.getMessage());
        Path header = Files.write(dir.resolve("header.png"), pngHeaderOnly(8, 8));
        e = assertThrows(IOException.class, () -> Images.read(header));
        assertTrue(e.getMessage().startsWith(header.toString()), e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("pictures.png"));
        IOException d = assertThrows(java.io.FileNotFoundException.class, () -> Images.read(folder));
        assertTrue(d.getMessage().contains(folder.toString()) && d.getMessage().contains("directory"), d.getMessage());
    }
}
