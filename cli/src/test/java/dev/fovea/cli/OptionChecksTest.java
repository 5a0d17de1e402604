package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad option value and path through the real command line: the exit code (2 for a usage error, 1 for a path
 * that cannot be used) and the words the message must hold, before any data is read or any training starts.
 */
class OptionChecksTest {
    @TempDir
    static Path tmp;
    static String dir;
    static String file;
    static String missing;

    @BeforeAll
    static void files() throws Exception {
        dir = tmp.toString();
        file = Files.writeString(tmp.resolve("some.file"), "not a model").toString();
        missing = tmp.resolve("missing").toString();
    }

    private record Case(String args, int code, List<String> words) {
        @Override
        public String toString() {
            return args;
        }
    }

    private static Case usage(String args, String... words) {
        return new Case(args, 2, List.of(words));
    }

    private static Case error(String args, String... words) {
        return new Case(args, 1, List.of(words));
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        String train = "train fashion-cnn --sample ";
        c.add(usage(train + "--weight-decay NaN", "--weight-decay", "finite", "NaN"));
        c.add(usage(train + "--weight-decay -0.1", "--weight-decay", "-0.1"));
        c.add(usage(train + "--weight-decay Infinity", "--weight-decay", "Infinity"));
        c.add(usage(train + "--momentum NaN", "--momentum", "NaN"));
        c.add(usage(train + "--momentum 1", "--momentum", "1.0 (excluded)", "got 1.0"));
        c.add(usage(train + "--momentum -0.5", "--momentum", "-0.5"));
        c.add(usage(train + "--lr 0", "--lr", "> 0", "got 0.0"));
        c.add(usage(train + "--lr -0.001", "--lr", "-0.001"));
        c.add(usage(train + "--lr NaN", "--lr", "NaN"));
        c.add(usage(train + "--lr Infinity", "--lr", "Infinity"));
        c.add(usage(train + "--threads -3", "--threads", "0 (all cores) to 256", "-3"));
        c.add(usage(train + "--threads 1000", "--threads", "to 256", "1000"));
        c.add(usage(train + "--limit -5", "--limit", "at least 0", "-5"));
        c.add(usage(train + "--epochs 0", "--epochs", "from 1", "got 0"));
        c.add(usage(train + "--epochs -2", "--epochs", "-2"));
        c.add(usage(train + "--epochs 1000000", "--epochs", "10000", "1000000"));
        c.add(usage(train + "--epochs two", "--epochs", "two"));
        c.add(usage(train + "--batch 0", "--batch", "got 0"));
        c.add(usage(train + "--batch 1000000", "--batch", "65536", "1000000"));
        c.add(usage(train + "--optimizer adagrad", "--optimizer", "adagrad", "adamw", "nesterov"));
        c.add(usage(train + "--schedule linear", "--schedule", "linear", "cosine", "step"));
        c.add(usage(train + "--augment rotate", "--augment", "rotate", "flip-shift", "none"));
        c.add(usage(train + "--data " + dir, "--sample", "--data", "cannot be used together"));
        c.add(usage(train + "--dataset mnist", "--sample", "--dataset", "cannot be used together"));
        c.add(error("train fashion-cnn --data " + missing, "not found in " + missing, "apt-get install"));
        c.add(error("train fashion-cnn --data " + file, "not found in " + file));
        c.add(error(train + "--out " + missing + "/w.safetensors", "--out", "folder " + missing + " does not exist"));
        c.add(error(train + "--out " + dir, "--out " + dir + " is a folder"));
        c.add(usage("demo --epochs 0", "--epochs", "got 0"));
        c.add(usage("demo --limit -1", "--limit", "-1"));
        c.add(usage("demo --sample --data " + dir, "--sample", "--data"));
        c.add(error("demo --data " + missing, "not found in " + missing));
        c.add(error("demo --sample --out " + file + "/pictures", "--out", file + " is a file, not a folder"));
        c.add(usage("evaluate --sample --weights " + file + " --batch 0", "--batch", "got 0"));
        c.add(usage("evaluate --sample --weights " + file + " --data " + dir, "--sample", "--data"));
        c.add(error("evaluate --sample --weights " + missing, "--weights file " + missing + " does not exist"));
        c.add(error("evaluate --sample --weights " + dir, "--weights file " + dir + " is a directory, not a file"));
        c.add(error("visualize --weights " + missing + " --image " + file, "--weights file " + missing));
        c.add(error("visualize --weights " + file + " --image " + missing, "--image file " + missing));
        c.add(error("visualize --weights " + file + " --image " + file + " --out " + file + "/x", "--out", "not a folder"));
        c.add(usage("predict --model " + file + " --resize 100000 " + file, "--resize", "4096", "100000"));
        c.add(usage("predict --model " + file + " --crop 0 " + file, "--crop", "got 0"));
        c.add(usage("predict --model " + file + " --top -1 " + file, "--top", "-1"));
        c.add(error("predict --model " + file + " " + missing, "image file " + missing + " does not exist"));
        c.add(error("predict --model " + missing + " " + file, "--model file " + missing + " does not exist"));
        c.add(error("predict --model " + file + " --labels " + missing + " " + file, "--labels file " + missing));
        c.add(usage("bench --threads -1", "--threads", "-1"));
        c.add(usage("bench --threads 1000", "--threads", "256", "1000"));
        c.add(usage("bench --forks -1", "--forks", "-1"));
        c.add(error("bench --model " + missing, "model file " + missing + " does not exist"));
        c.add(error("summary " + missing + ".onnx", "model file " + missing + ".onnx does not exist"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedBeforeAnyWork(Case c) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(c.args.split(" "), new PrintWriter(out), new PrintWriter(err));
        assertEquals(c.code, code, c.args + "\nstdout: " + out + "\nstderr: " + err);
        String firstLine = err.toString().lines().findFirst().orElse("");
        for (String w : c.words) {
            assertTrue(firstLine.contains(w), "'" + w + "' missing from the message of " + c.args + ": " + err);
        }
        assertFalse(out.toString().contains("training"), "work started before the check: " + out);
    }
}
