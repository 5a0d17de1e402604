package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea train} must learn, not only run: two epochs over the bundled 1,000-image sample reach about 0.68 test
 * accuracy (seed 0); chance is 0.10, and a wrong gradient or optimizer step stays near it. The floor leaves room for
 * the backend's summation order.
 */
class TrainingAccuracyTest {
    static final double FLOOR = 0.55;

    @TempDir
    Path tmp;

    @Test
    void twoEpochsOnTheSampleBeatTheAccuracyFloor() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(new String[] {"--backend", "vector", "train", "fashion-cnn", "--sample", "--epochs", "2",
            "--batch", "32", "--no-progress", "--out", tmp.resolve("w.safetensors").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        Matcher m = Pattern.compile("test accuracy: (0\\.\\d{4})\\s*$").matcher(out.toString());
        assertTrue(m.find(), out.toString());
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy >= FLOOR, "test accuracy " + accuracy + " is below the floor " + FLOOR + ":\n" + out);
    }
}
