package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.fovea.train.Callback.BatchEnd;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The live bar is drawn on terminals only: in a log it would be a wall of redraws between the epoch lines. */
class TrainingProgressTest {
    @Test
    void noBarWhenTheOutputIsNotATerminal() {
        assumeFalse(TrainingProgress.interactive(), "these tests run on a terminal, where the bar is wanted");
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (TrainingProgress progress = new TrainingProgress(new PrintWriter(new StringWriter()), true, 1)) {
            for (int b = 0; b < 3; b++) {
                progress.onBatch(new BatchEnd(0, b, 3, 64L * (b + 1), 1.0, 1.0, 0.5, 1e-3, 1_000_000L * (b + 1)));
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
