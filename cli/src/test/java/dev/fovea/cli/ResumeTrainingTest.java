package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable training: a child JVM runs {@code fovea train} with a checkpoint file, is killed with SIGKILL (or
 * interrupted with SIGINT, as Ctrl-C does) in the middle of its second epoch, and {@code --resume} finishes the run;
 * the final weights must equal an uninterrupted run's bit for bit (same seed, backend and threads).
 */
class ResumeTrainingTest {
    private static final List<String> RECIPE = List.of("--backend", "vector", "train", "fashion-cnn", "--sample",
            "--limit", "1000", "--batch", "8", "--epochs", "4", "--threads", "2", "--seed", "5", "--no-progress",
            "--log-every", "1");

    @TempDir
    Path tmp;

    @Test
    void killedWithSigkillMidEpochAndResumedEqualsAnUninterruptedRun() throws Exception {
        Map<String, float[]> expected = uninterrupted();
        Path checkpoint = tmp.resolve("run.checkpoint");
        // SIGKILL on Linux: no shutdown hook, no last checkpoint.
        Process child = startAndAwaitSecondEpoch(checkpoint, Process::destroyForcibly);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "the child was killed by SIGKILL, it did not finish: " + childLines);
        assertStoppedMidEpoch();
        assertFalse(Files.exists(tmp.resolve("run.checkpoint.tmp")) && Files.size(checkpoint) == 0,
                "a checkpoint is never half-written");
        assertSameWeights(expected, resume(checkpoint));
    }

    @Test
    void ctrlCEndsTheStepWritesACheckpointAndResumingEqualsAnUninterruptedRun() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored by this process (started"
                + " as a background job without job control); a child JVM inherits that and cannot catch Ctrl-C");
        Map<String, float[]> expected = uninterrupted();
        Path checkpoint = tmp.resolve("run.checkpoint");
        Process child = startAndAwaitSecondEpoch(checkpoint, p -> {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child stops after its current step");
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(130, child.exitValue(), err);
        assertStoppedMidEpoch();
        assertTrue(err.matches("(?s).*interrupted: training stopped at epoch 2, batch \\d+ of 125.*"), err);
        assertTrue(err.contains("checkpoint written to " + checkpoint), err);
        assertSameWeights(expected, resume(checkpoint));
    }

    /** Whether this JVM ignores SIGINT (bit 2 of SigIgn in /proc/self/status on Linux); false where unknown. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    /** The weights after an uninterrupted run of {@link #RECIPE}, run in this JVM. */
    private Map<String, float[]> uninterrupted() throws IOException {
        Path out = tmp.resolve("uninterrupted.safetensors");
        List<String> args = new ArrayList<>(RECIPE);
        args.addAll(List.of("--out", out.toString()));
        StringWriter log = new StringWriter();
        int code = Fovea.run(args.toArray(String[]::new), new PrintWriter(log), new PrintWriter(log));
        assertEquals(0, code, log.toString());
        return weights(out);
    }

    /** {@code --resume} from {@code checkpoint} in this JVM; the final weights. */
    private Map<String, float[]> resume(Path checkpoint) throws IOException {
        Path out = tmp.resolve("resumed.safetensors");
        List<String> args = new ArrayList<>(RECIPE);
        args.addAll(List.of("--checkpoint", checkpoint.toString(), "--resume", "--out", out.toString()));
        StringWriter log = new StringWriter();
        int code = Fovea.run(args.toArray(String[]::new), new PrintWriter(log), new PrintWriter(log));
        assertEquals(0, code, log.toString());
        assertTrue(log.toString().contains("resuming from " + checkpoint), log.toString());
        assertFalse(log.toString().contains("epoch 1/4"), "epoch 1 is not trained again: " + log);
        return weights(out);
    }

    /**
     * Starts {@link #RECIPE} in a child JVM writing checkpoints to {@code checkpoint} and sends it {@code signal} as
     * soon as it reports the second batch of its second epoch (the first epoch's checkpoint is written by then).
     */
    private Process startAndAwaitSecondEpoch(Path checkpoint, java.util.function.Consumer<Process> signal)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Fovea.class.getName()));
        cmd.addAll(RECIPE);
        cmd.addAll(List.of("--checkpoint", checkpoint.toString()));
        Process child = new ProcessBuilder(cmd).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> inSecondEpoch = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    childLines.add(line);
                    if (line.startsWith("epoch 2/4, batch 2/125")) {
                        // Signalled from this thread at once: the child has 123 more steps in this epoch.
                        signal.accept(child);
                        inSecondEpoch.complete(line);
                    }
                    if (line.startsWith("epoch 2/4:")) {
                        secondEpochDone = true;
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            inSecondEpoch.complete(null);
        });
        reader.setDaemon(true);
        reader.start();
        String line = inSecondEpoch.get(5, TimeUnit.MINUTES);
        if (line == null) {
            throw new AssertionError("the child did not reach its second epoch: " + childLines + " "
                    + new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(Files.isRegularFile(checkpoint), "the first epoch's checkpoint exists");
        return child;
    }

    /** Checked after the signal: the child had not finished its second epoch, so it was stopped mid-epoch. */
    private void assertStoppedMidEpoch() {
        assertFalse(secondEpochDone, "the second epoch ended before the signal: the test did not stop a run"
                + " mid-epoch");
    }

    private volatile boolean secondEpochDone;
    private final List<String> childLines = java.util.Collections.synchronizedList(new ArrayList<>());

    private static Map<String, float[]> weights(Path file) throws IOException {
        try (Model m = SafeTensors.loadModel(file)) {
            Map<String, float[]> w = new java.util.LinkedHashMap<>();
            m.namedWeights().forEach((k, v) -> w.put(k, v.toArray()));
            return w;
        }
    }

    private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), actual.get(k), k + " differs from the uninterrupted run");
        }
    }
}
