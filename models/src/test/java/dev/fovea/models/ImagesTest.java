package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        e = assertThrows(IllegalArgumentException.class, () -> Images.read(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
        Path missing = dir.resolve("missing.png");
        e = assertThrows(IllegalArgumentException.class, () -> Images.read(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
