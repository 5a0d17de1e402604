package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Value;
import dev.fovea.onnx.Onnx;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary, predict and bench on an ONNX file: a small RGB classifier built here and saved with {@link Onnx#save}. */
class OnnxCommandsTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** 3 × 16 × 16 → conv → global average → 4 logits. */
    private static Model classifier() {
        Graph g = Graph.builder("tiny-rgb", Layout.NCHW);
        Value x = g.input("input", Input.image(16, 16, 3));
        Value a = Conv2D.of(6, 3).padding(Padding.SAME).activation(Activation.RELU).apply(x);
        a = Pooling2D.globalAverage().apply(a);
        Value logits = Dense.of(4).apply(Reshape.to(-1).apply(a));
        return g.outputs(logits).seed(7).build();
    }

    private Path saveClassifier() throws Exception {
        Path file = dir.resolve("tiny.onnx");
        try (Model m = classifier()) {
            Onnx.save(m, file);
        }
        return file;
    }

    private Path picture(String name, int w, int h, int seed) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 13 + seed * 50) % 256 << 16 | (y * 7 + seed * 90) % 256 << 8 | (x + y) * 5 % 256);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void summaryOfAnOnnxFile() throws Exception {
        Path file = saveClassifier();
        long params;
        try (Model m = classifier()) {
            params = m.parameterCount();
        }
        Result r = run("summary", file.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("Model: "), r.out);
        assertTrue(r.out.contains("(Conv2D)") && r.out.contains("(Dense)") && r.out.contains("(None, 4)"), r.out);
        assertTrue(r.out.contains(String.format(Locale.ROOT, "Total params: %,d", params)), r.out);

        Result missing = run("summary", dir.resolve("none.onnx").toString());
        assertEquals(1, missing.code);
        assertEquals("fovea: model file " + dir.resolve("none.onnx") + " does not exist", missing.err.strip());
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a model");
        Result notOnnx = run("summary", text.toString());
        assertEquals(1, notOnnx.code);
        assertTrue(notOnnx.err.contains(text.toString()), notOnnx.err);
    }

    @Test
    void predictWithAnOnnxModelPrintsTheTopClassesWithLabels() throws Exception {
        Path file = saveClassifier();
        Path a = picture("a.png", 40, 24, 1);
        Path b = picture("b.png", 20, 30, 2);
        Path labels = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\nfish\nbird\n\n");
        Result r = run("--backend", "reference", "predict", "--model", file.toString(), "--labels", labels.toString(),
                "--top", "2", a.toString(), b.toString());
        assertEquals(0, r.code, r.err);
        List<String> lines = r.out.lines().toList();
        assertEquals(2, lines.size(), r.out);

        // The same numbers by hand: ImageNet preprocessing for the 16×16 input (resize 18), softmax of the logits.
        List<String> names = List.of("cat", "dog", "fish", "bird");
        try (Model m = Onnx.load(file); Engine engine = Engine.open("reference"); Inference net = m.compile(engine)) {
            Images.RgbOptions options = Images.RgbOptions.imagenet(16, 16);
            assertEquals(18, options.resize());
            for (int i = 0; i < 2; i++) {
                Path image = i == 0 ? a : b;
                float[] p = PredictCommand.probabilities(net.predict(Images.input(Images.read(image), m, options), 1));
                int first = argmax(p, -1);
                int second = argmax(p, first);
                String want = String.format(Locale.ROOT, "%s: %s %.3f, %s %.3f", image, names.get(first), p[first],
                        names.get(second), p[second]);
                assertEquals(want, lines.get(i));
            }
        }

        // Without labels: class indices, top 5 by default (all 4 classes here).
        Result plain = run("--backend", "reference", "predict", "--model", file.toString(), a.toString());
        assertEquals(0, plain.code, plain.err);
        Matcher m = Pattern.compile("^" + Pattern.quote(a.toString())
                + ": class \\d 0\\.\\d{3}(, class \\d 0\\.\\d{3}){3}$").matcher(plain.out.strip());
        assertTrue(m.matches(), plain.out);
    }

    private static int argmax(float[] p, int skip) {
        int best = -1;
        for (int j = 0; j < p.length; j++) {
            if (j != skip && (best < 0 || p[j] > p[best])) {
                best = j;
            }
        }
        return best;
    }

    @Test
    void softmaxOnlyWhenTheOutputIsNotAlreadyProbabilities() {
        float[] probs = {0.1f, 0.6f, 0.3f};
        assertSame(probs, PredictCommand.probabilities(probs));
        float[] logits = {1, 2, 3};
        double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new float[] {(float) (Math.exp(1) / e), (float) (Math.exp(2) / e), (float) (Math.exp(3) / e)},
                PredictCommand.probabilities(logits), 1e-7f);
        // In [0, 1] but not summing to 1 (sigmoid outputs): a softmax.
        float[] sigmoid = {0.9f, 0.8f, 0.7f};
        assertEquals(1.0, sum(PredictCommand.probabilities(sigmoid)), 1e-6);
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    @Test
    void predictChecksItsOptionsBeforeLoading() throws Exception {
        Path file = saveClassifier();
        Path a = picture("a.png", 20, 20, 1);
        String f = file.toString();
        String img = a.toString();
        // Usage errors: exit 2, the option named.
        String[][] usage = {
            {"predict", "--model", f, "--weights", f, img},
            {"predict", img},
            {"predict", "--model", f, "--mean", "0.5,0.5", img},
            {"predict", "--model", f, "--mean", "0.5,NaN,0.5", img},
            {"predict", "--model", f, "--std", "0.2,0,0.2", img},
            {"predict", "--model", f, "--std", "x,1,1", img},
            {"predict", "--model", f, "--top", "0", img},
            {"predict", "--model", f, "--resize", "-3", img},
            {"predict", "--weights", f, "--resize", "256", img},
        };
        String[] named = {"--model and --weights", "--model FILE.onnx", "--mean", "--mean", "--std", "--std", "--top",
                "--resize", "--resize applies to --model"};
        for (int i = 0; i < usage.length; i++) {
            Result r = run(usage[i]);
            assertEquals(2, r.code, String.join(" ", usage[i]) + ": " + r.err);
            assertTrue(r.err.contains(named[i]), String.join(" ", usage[i]) + ": " + r.err);
        }
        // Errors about files and the model: exit 1, one line naming the file and the value.
        Path missing = dir.resolve("missing.png");
        Path labels = Files.writeString(dir.resolve("three.txt"), "a\nb\nc\n");
        String[][] errors = {
            {"predict", "--model", f, missing.toString()},
            {"predict", "--model", dir.resolve("none.onnx").toString(), img},
            {"predict", "--model", f, "--labels", labels.toString(), img},
            {"predict", "--model", f, "--crop", "224", img},
            {"predict", "--model", f, "--resize", "12", img},
        };
        String[] messages = {
            "fovea: image file " + missing + " does not exist",
            "fovea: --model file " + dir.resolve("none.onnx") + " does not exist",
            "fovea: --labels file " + labels + " has 3 labels; the model has 4 classes (one label per line, in class "
                    + "order)",
            "fovea: --crop 224 does not match the input of " + f + ", 16×16",
            "fovea: --resize 12 is smaller than the crop 16×16 (the input of " + f + ")",
        };
        for (int i = 0; i < errors.length; i++) {
            Result r = run(errors[i]);
            assertEquals(1, r.code, String.join(" ", errors[i]) + ": " + r.err);
            assertEquals(messages[i], r.err.strip());
        }
    }

    @Test
    void benchVersusOnnxRuntimePrintsOneLinePerRuntimeAndTheRatio() throws Exception {
        Path file = saveClassifier();
        Result r = run("bench", "--model", file.toString(), "--vs", "ort", "--threads", "1", "--batch", "2",
                "--rounds", "1", "--round-seconds", "0.05");
        assertEquals(0, r.code, r.err);
        List<String> lines = r.out.lines().toList();
        assertEquals(5, lines.size(), r.out);
        assertEquals("model: " + file + ", input [2, 3, 16, 16], 1 thread, 1 round of at least 0.05 s after warm-up,"
                + " runtimes alternating; --io tensor", lines.get(0));
        String timing = " +median +\\d+\\.\\d{3} ms \\[\\d+\\.\\d{3}–\\d+\\.\\d{3}] +\\d+\\.\\d{2} images/s  \\(\\d+ calls\\)";
        assertTrue(lines.get(1).matches("fovea \\(vector\\)" + timing), lines.get(1));
        assertTrue(lines.get(2).matches("onnxruntime \\d+\\.\\d+\\.\\d+" + timing), lines.get(2));
        assertTrue(lines.get(3).matches("fovea/onnxruntime speed: \\d+\\.\\d{2} \\(above 1: Fovea faster\\)"),
                lines.get(3));
        Matcher diff = Pattern.compile("outputs: max \\|fovea − onnxruntime\\| (\\S+), max \\|onnxruntime\\| \\S+")
                .matcher(lines.get(4));
        assertTrue(diff.matches(), lines.get(4));
        assertTrue(Double.parseDouble(diff.group(1)) < 1e-4, lines.get(4));
        assertTrue(r.err.contains("round 1 of 1: fovea (vector) "), r.err);

        Result tsv = run("bench", "--model", file.toString(), "--threads", "1", "--rounds", "1", "--round-seconds",
                "0.05", "--tsv");
        assertEquals(0, tsv.code, tsv.err);
        List<String> rows = tsv.out.lines().toList();
        assertEquals(2, rows.size(), tsv.out);
        assertEquals(16, rows.get(0).split("\t").length, rows.get(0));
        String[] cells = rows.get(1).split("\t", -1);
        assertEquals(16, cells.length, rows.get(1));
        assertEquals(List.of("tiny.onnx", "1", "1", "vector"), List.of(cells).subList(0, 4));
        assertEquals("", cells[8], "no ONNX Runtime columns without --vs ort");
    }

    @Test
    void benchProfilePrintsEveryCompiledLayerWithItsShare() throws Exception {
        Path file = saveClassifier();
        Result r = run("bench", "--model", file.toString(), "--profile", "--threads", "1", "--rounds", "1",
                "--round-seconds", "0.05");
        assertEquals(0, r.code, r.err);
        List<String> lines = r.out.lines().toList();
        assertTrue(lines.get(0).matches("profile of 'tiny-rgb', batch 1, \\d+ passes: pass median \\d+\\.\\d{3} ms .*"),
                lines.get(0));
        // The compiled graph: the convolution and its global pooling as one step, the reshape, the dense layer.
        List<String> rows = lines.stream().filter(l -> l.matches(" +\\d+  .*")).toList();
        assertEquals(3, rows.size(), r.out);
        assertTrue(rows.get(0).contains("conv 3×3 s1 relu + global avg pool") && rows.get(0).contains("3→6 +bias")
                && rows.get(0).contains("[1,6,1,1]"), rows.get(0));
        assertTrue(rows.get(2).contains("dense") && rows.get(2).contains("6→4") && rows.get(2).contains("[1,4]"),
                rows.get(2));
        double share = 0;
        Matcher m = Pattern.compile(" (\\d+\\.\\d)%").matcher(String.join("\n", rows));
        while (m.find()) {
            share += Double.parseDouble(m.group(1));
        }
        assertEquals(100, share, 0.3, r.out);
        assertTrue(lines.contains("slowest steps:"), r.out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("by kind ")), r.out);
    }

    @Test
    void benchVersusOnnxRuntimeOnAWorkloadPrintsBothMediansAndTheRatio() throws Exception {
        Result r = run("bench", "--vs", "ort", "--workload", "W6b", "--threads", "1", "--forks", "0", "--rounds", "2",
                "--round-seconds", "0.05");
        assertEquals(0, r.code, r.err);
        List<String> lines = r.out.lines().toList();
        assertEquals(2, lines.size(), r.out);
        assertTrue(lines.get(0).startsWith("fovea (vector) against onnxruntime "), lines.get(0));
        String rate = " +\\d+\\.\\d{3} ms \\[\\d+\\.\\d{3}–\\d+\\.\\d{3}] +\\d+\\.\\d{2} GB/s +";
        assertTrue(lines.get(1).matches("W6b  threads 1  fovea" + rate + "onnxruntime" + rate
                + "fovea/ort speed \\d+\\.\\d{2}  max diff \\S+ of \\S+"), lines.get(1));
    }

    @Test
    void benchChecksItsOptions() throws Exception {
        Path file = saveClassifier();
        String f = file.toString();
        String[][] usage = {
            {"bench", "--model", f, "--vs", "tf"},
            {"bench", "--model", f, "--batch", "0"},
            {"bench", "--model", f, "--rounds", "0"},
            {"bench", "--model", f, "--round-seconds", "NaN"},
            {"bench", "--model", f, "--workload", "W1"},
            {"bench", "--vs", "tf"},
            {"bench", "--vs", "ort", "--batch", "2"},
            {"bench", "--vs", "ort", "--rounds", "0"},
            {"bench", "--rounds", "2"},
            {"bench", "--profile"},
            {"bench", "--model", f, "--profile", "--vs", "ort"},
            {"bench", "--model", f, "--io", "heap"},
            {"bench", "--io", "host"},
        };
        String[] named = {"--vs tf", "--batch", "--rounds", "--round-seconds", "--workload applies to the workloads",
                "--vs tf", "--batch applies to --model only", "--rounds must be at least 1",
                "--rounds applies to --model and --vs ort only", "--profile applies to --model only",
                "--vs does not apply to --profile", "--io heap: one of tensor",
                "--io applies to --model and --vs ort only"};
        for (int i = 0; i < usage.length; i++) {
            Result r = run(usage[i]);
            assertEquals(2, r.code, String.join(" ", usage[i]) + ": " + r.err);
            assertTrue(r.err.contains(named[i]), String.join(" ", usage[i]) + ": " + r.err);
        }
        Result missing = run("bench", "--model", dir.resolve("none.onnx").toString());
        assertEquals(1, missing.code);
        assertEquals("fovea: model file " + dir.resolve("none.onnx") + " does not exist", missing.err.strip());
    }
}
