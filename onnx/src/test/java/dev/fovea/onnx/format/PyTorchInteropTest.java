package dev.fovea.onnx.format;

import static dev.fovea.onnx.format.ShapeFolding.BATCH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against real files: models exported by PyTorch's {@code torch.onnx} (made at test time by
 * {@code onnx_fixtures.py}, into a temporary directory) are read and folded, and compared with what the
 * {@code onnx} Python package reads and infers; models Fovea writes must pass {@code onnx.checker}. Skipped
 * when no Python with torch, torchvision and onnx is found ({@code FOVEA_PYTHON}, else {@code /usr/bin/python3}).
 */
class PyTorchInteropTest {
    /** The ops a CNN really computes with; nothing that only computes shapes. */
    private static final Set<String> REAL_OPS = Set.of("Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool",
            "BatchNormalization", "Reshape", "Transpose", "Slice", "Split", "Concat", "ReduceMean", "Gemm", "Flatten");

    @TempDir
    static Path dir;

    private static String python;
    private static Path script;
    /** Why the tests are skipped, or null when Python can make the fixtures. */
    private static String skipReason;

    @BeforeAll
    static void exportModels() throws IOException, InterruptedException, URISyntaxException {
        python = System.getenv().getOrDefault("FOVEA_PYTHON", "/usr/bin/python3");
        if (!Files.isExecutable(Path.of(python))) {
            skipReason = "no Python at " + python + " (set FOVEA_PYTHON to one with torch, torchvision and onnx)";
            return;
        }
        Run probe = run(List.of(python, "-c", "import torch, torchvision, onnx"), 120);
        if (probe.code != 0) {
            skipReason = python + " lacks torch, torchvision or onnx: " + probe.output.strip();
            return;
        }
        script = Path.of(PyTorchInteropTest.class.getResource("onnx_fixtures.py").toURI());
        python("export", dir.toString());
    }

    /** Each test is skipped, with the reason, where the fixtures cannot be made (rather than the class vanishing). */
    @BeforeEach
    void needsPython() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    private record Run(int code, String output) {
    }

    private static Run run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " ran over " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs a command of the fixture script; returns its output lines (Python's warnings left out). */
    private static List<String> python(String command, String argument) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python, script.toString(), command, argument).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("onnx_fixtures.py " + command + " " + argument + " failed:\n"
                    + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    /** The same lines as the script's {@code dump}: name, data type code, dims, sha256 of the values. */
    private static List<String> dump(OnnxModel m) throws NoSuchAlgorithmException {
        List<String> lines = new ArrayList<>();
        for (OnnxTensor t : m.graph().initializers().values()) {
            ByteBuffer b = ByteBuffer.allocate((int) t.elementCount() * (t.isFloat() ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
            if (t.isFloat()) {
                b.asFloatBuffer().put(t.floats());
            } else {
                b.asLongBuffer().put(t.longs());
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
            String dims = String.join(",", Arrays.stream(t.dims()).mapToObj(Long::toString).toList());
            lines.add(t.name() + "\t" + t.dataType().code() + "\t" + dims + "\t" + hash);
        }
        return lines;
    }

    @Test
    void initializersReadAsTheOnnxPackageReadsThem() throws Exception {
        for (String name : List.of("view11.onnx", "view13.onnx", "small_static.onnx", "shufflenet.onnx", "typed.onnx",
                "ext/model.onnx")) {
            Path file = dir.resolve(name);
            assertEquals(python("dump", file.toString()), dump(OnnxReader.read(file)), name);
        }
        // External data: every initializer of ext/model.onnx lives in weights.bin.
        assertEquals(OnnxReader.read(dir.resolve("view13.onnx")).graph().initializers(),
                OnnxReader.read(dir.resolve("ext/model.onnx")).graph().initializers());
    }

    private static OnnxNode single(OnnxGraph g, String op) {
        List<OnnxNode> found = g.nodes().stream().filter(n -> n.opType().equals(op)).toList();
        assertEquals(1, found.size(), op + " in " + g.nodes().stream().map(OnnxNode::opType).toList());
        return found.getFirst();
    }

    @Test
    void exportedViewFoldsToRealOps() throws IOException {
        for (String name : List.of("view11.onnx", "view13.onnx")) {
            OnnxModel m = OnnxReader.read(dir.resolve(name));
            assertTrue(m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Shape")), name + " has shape ops");
            ShapeFolding.Result r = ShapeFolding.fold(m.graph());
            List<String> ops = r.graph().nodes().stream().map(OnnxNode::opType).toList();
            assertEquals(List.of("Conv", "Relu", "MaxPool", "Reshape", "Gemm"), ops, name);
            OnnxNode reshape = single(r.graph(), "Reshape");
            assertArrayEquals(new long[] {0, -1}, r.graph().initializers().get(reshape.input(1)).longs(), name);
            assertArrayEquals(new long[] {BATCH, 100}, r.shapes().get(reshape.outputs().getFirst()), name);
            assertArrayEquals(new long[] {BATCH, 10}, r.shapes().get("output"), name);
        }
    }

    @Test
    void exportedShuffleNetFoldsToRealOps() throws Exception {
        OnnxModel m = OnnxReader.read(dir.resolve("shufflenet.onnx"));
        ShapeFolding.Result r = ShapeFolding.fold(m.graph());
        Set<String> ops = new TreeSet<>();
        r.graph().nodes().forEach(n -> ops.add(n.opType()));
        assertTrue(REAL_OPS.containsAll(ops), "only real ops remain: " + ops);
        assertTrue(r.foldedNodes() > 500, "folded " + r.foldedNodes());
        assertArrayEquals(new long[] {BATCH, 1000}, r.shapes().get("output"));
        long reshapesKeepingBatch = r.graph().nodes().stream().filter(n -> n.opType().equals("Reshape"))
                .filter(n -> r.graph().initializers().get(n.input(1)).longs()[0] == 0).count();
        assertEquals(32, reshapesKeepingBatch, "two per channel shuffle, 16 shuffles");
        // The folded graph is still a valid ONNX file.
        Path folded = dir.resolve("shufflenet_folded.onnx");
        OnnxWriter.write(new OnnxModel(m.irVersion(), m.opsetImports(), m.producerName(), r.graph()), folded);
        assertEquals(dump(OnnxReader.read(folded)), python("check", folded.toString()));
    }

    @Test
    void inferredShapesMatchOnnxShapeInference() throws Exception {
        for (String name : List.of("small_static.onnx", "shufflenet_static.onnx")) {
            Path file = dir.resolve(name);
            Map<String, String> expected = new LinkedHashMap<>();
            for (String line : python("shapes", file.toString())) {
                String[] f = line.split("\t");
                expected.put(f[0], f.length > 1 ? f[1] : "");
            }
            ShapeFolding.Result r = ShapeFolding.fold(OnnxReader.read(file).graph());
            int compared = 0;
            for (Map.Entry<String, String> e : expected.entrySet()) {
                long[] ours = r.shapes().get(e.getKey());
                if (ours == null && !r.unknownShapes().containsKey(e.getKey())) {
                    continue;  // folded away (a constant the onnx package keeps as a node)
                }
                assertTrue(ours != null, name + ": " + e.getKey() + " unknown: " + r.unknownShapes().get(e.getKey()));
                String dims = String.join(",", Arrays.stream(ours).mapToObj(Long::toString).toList());
                assertEquals(e.getValue(), dims, name + ": " + e.getKey());
                compared++;
            }
            assertTrue(compared > (name.startsWith("shuffle") ? 100 : 4), name + ": compared " + compared);
        }
    }

    @Test
    void writtenModelsPassTheOnnxChecker() throws Exception {
        OnnxModel m = OnnxReader.read(dir.resolve("view13.onnx"));
        Path inline = dir.resolve("fovea_inline.onnx");
        OnnxWriter.write(m, inline);
        assertEquals(dump(m), python("check", inline.toString()));

        Files.createDirectories(dir.resolve("out"));
        Path external = dir.resolve("out/fovea_external.onnx");
        OnnxWriter.write(m, external, OnnxWriter.Options.externalAbove(64));
        assertTrue(Files.exists(dir.resolve("out/fovea_external.onnx.data")));
        assertEquals(dump(m), python("check", external.toString()));

        // Every supported data type, written by Fovea, read back by the onnx package.
        OnnxModel typed = OnnxReader.read(dir.resolve("typed.onnx"));
        Path typedOut = dir.resolve("fovea_typed.onnx");
        OnnxWriter.write(typed, typedOut);
        assertEquals(python("dump", dir.resolve("typed.onnx").toString()), python("check", typedOut.toString()));
        assertFalse(dump(typed).isEmpty());
    }
}
