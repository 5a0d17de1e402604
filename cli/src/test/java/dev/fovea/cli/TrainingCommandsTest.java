package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** train → evaluate → predict on the bundled sample with the reference backend (a few dozen images: seconds). */
class TrainingCommandsTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        Fovea root = new Fovea();
        CommandLine cli = new CommandLine(root);
        // Until Fovea.java registers them.
        for (Object c : new Object[] {new TrainCommand(), new EvaluateCommand(), new PredictCommand()}) {
            String name = c.getClass().getAnnotation(CommandLine.Command.class).name();
            if (!cli.getSubcommands().containsKey(name)) {
                cli.addSubcommand(c);
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("fovea: " + e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void trainEvaluatePredict() throws Exception {
        Path weights = tmp.resolve("w.safetensors");
        String[] r = run("--backend", "reference", "train", "fashion-cnn", "--sample", "--limit", "64", "--epochs", "1",
                "--batch", "32", "--no-progress", "--out", weights.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("epoch 1/1: train loss "), r[1]);
        Matcher m = Pattern.compile("test accuracy: (0\\.\\d{4})\\s*$").matcher(r[1]);
        assertTrue(m.find(), "ends with the test accuracy: " + r[1]);
        assertTrue(Files.size(weights) > 243_786 * 4, "weights saved");

        r = run("--backend", "reference", "evaluate", "--weights", weights.toString(), "--sample");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].trim().endsWith("test accuracy: " + m.group(1)), "same accuracy as train reported: " + r[1]);

        Path png = tmp.resolve("light.png");
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, x > 12 && x < 28 ? 0x202020 : 0xf0f0f0);
            }
        }
        ImageIO.write(img, "png", png.toFile());
        r = run("--backend", "reference", "predict", "--weights", weights.toString(), png.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith(png + ": ") && r[1].split(",").length == 3, r[1]);

        float[] v = PredictCommand.preprocess(png, 28, 28);
        // 40×30 is padded to 40×40 first; row 14, column 0 lies in the image's light background.
        assertEquals(1 - 0xf0 / 255f, v[14 * 28], 1e-6, "a light background (240) is inverted to dark");
        assertTrue(v[14 * 28 + 14] > 0.8f, "the dark bar becomes light");
    }

    @Test
    void missingDataSaysHowToGetIt() {
        String[] r = run("--backend", "reference", "train", "fashion-cnn", "--data", tmp.resolve("none").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("apt-get install dataset-fashion-mnist"), r[2]);
    }
}
