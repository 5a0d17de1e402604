package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Every weight's raw bits, by name. */
    private static Map<String, int[]> bits(Model m) {
        Map<String, int[]> out = new LinkedHashMap<>();
        m.namedWeights().forEach((name, t) -> {
            float[] v = t.toArray();
            int[] b = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                b[i] = Float.floatToRawIntBits(v[i]);
            }
            out.put(name, b);
        });
        return out;
    }

    private static void assertSameBits(Map<String, int[]> want, Map<String, int[]> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((name, b) -> assertArrayEquals(b, got.get(name), name));
    }

    /** The file split into header JSON and data bytes. */
    private record Parts(ObjectNode header, byte[] data) {
    }

    private static Parts read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        return new Parts(header, Arrays.copyOfRange(all, 8 + (int) n, all.length));
    }

    /** Writes a safetensors file from a header JSON text and data bytes, exactly as given. */
    private static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    /** A copy of {@code src} with its header edited by {@code edit} (data unchanged). */
    private Path edited(Path src, String name, Consumer<ObjectNode> edit) throws IOException {
        Parts p = read(src);
        edit.accept(p.header);
        return write(dir.resolve(name), JSON.writeValueAsString(p.header), p.data);
    }

    private Path saved(String model, long seed) throws IOException {
        Path f = dir.resolve(model + "-" + seed + ".safetensors");
        try (Model m = ModelZoo.build(model, seed)) {
            SafeTensors.save(m, f);
        }
        return f;
    }

    /** Mnist-cnn's architecture with one change to its first dense layer or its last one. */
    private static Model mnistVariant(int hidden, boolean lastBias) {
        return Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("mnist-cnn")
                .add(Conv2D.of(32, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Flatten.create())
                .add(Dense.of(hidden).activation(Activation.RELU))
                .add(Dense.of(10).useBias(lastBias).softmax())
                .build();
    }

    private static SafeTensorsException loadFails(String model, Path file) {
        try (Model m = ModelZoo.build(model, 3)) {
            Map<String, int[]> before = bits(m);
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(m, file));
            assertSameBits(before, bits(m));  // nothing was written
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            return e;
        }
    }

    // ---- round trip and format -------------------------------------------------------------------------------

    @Test
    void roundTripIsBitExactIncludingSpecialValues() throws IOException {
        Path f = dir.resolve("lenet.safetensors");
        try (Model a = ModelZoo.build("lenet5", 1); Model b = ModelZoo.build("lenet5", 2)) {
            List<float[]> c1 = a.getWeights("c1");
            float[] k = c1.get(0);
            k[0] = Float.intBitsToFloat(0x7fc0_1234);  // NaN with a payload
            k[1] = -0.0f;
            k[2] = Float.MIN_VALUE;                    // subnormal
            k[3] = Float.NEGATIVE_INFINITY;
            k[4] = Float.MAX_VALUE;
            a.setWeights("c1", c1);
            Map<String, int[]> want = bits(a);
            SafeTensors.save(a, f);
            SafeTensors.load(b, f);
            assertSameBits(want, bits(b));
            assertEquals(0x7fc0_1234, bits(b).get("c1.kernel")[0]);
        }
    }

    @Test
    void everyZooModelRoundTrips() throws IOException {
        for (String name : ModelZoo.names()) {
            Path f = saved(name, 11);
            try (Model want = ModelZoo.build(name, 11); Model got = SafeTensors.loadModel(f)) {
                assertEquals(name, got.name());
                assertSameBits(bits(want), bits(got));
            }
        }
    }

    @Test
    void fileFollowsTheSpecAndDocumentedNames() throws IOException {
        Path f = saved("mnist-cnn", 5);
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        assertEquals('{', all[8]);
        Parts p = read(f);
        JsonNode meta = p.header.get("__metadata__");
        assertEquals("mnist-cnn", meta.get("fovea.model").textValue());
        assertEquals("1", meta.get("fovea.format").textValue());
        List<String> names = new ArrayList<>();
        p.header.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("__metadata__", "conv2d.kernel", "conv2d.bias", "conv2d_1.kernel", "conv2d_1.bias",
                "conv2d_2.kernel", "conv2d_2.bias", "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"),
                names);
        // Shapes in the documented logical order: conv [K, C, kH, kW], dense [F, U].
        assertEquals("[32,1,3,3]", p.header.get("conv2d.kernel").get("shape").toString());
        assertEquals("[64,32,3,3]", p.header.get("conv2d_1.kernel").get("shape").toString());
        assertEquals("[576,64]", p.header.get("dense.kernel").get("shape").toString());
        assertEquals("[10]", p.header.get("dense_1.bias").get("shape").toString());
        long total = 0;
        try (Model m = ModelZoo.build("mnist-cnn", 5)) {
            for (Map.Entry<String, Tensor> e : m.namedWeights().entrySet()) {
                JsonNode t = p.header.get(e.getKey());
                assertEquals("F32", t.get("dtype").textValue());
                long begin = t.get("data_offsets").get(0).longValue();
                long end = t.get("data_offsets").get(1).longValue();
                assertEquals(total, begin, e.getKey() + " packed after the previous tensor");
                float[] want = e.getValue().toArray();
                assertEquals(want.length * 4L, end - begin);
                ByteBuffer data = ByteBuffer.wrap(p.data, (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : want) {
                    assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(data.getFloat()), e.getKey());
                }
                total = end;
            }
            assertEquals(m.parameterCount() * 4, p.data.length);
        }
    }

    @Test
    void loadsAFileWrittenByAnotherToolInAnyOrderWithoutMetadata() throws IOException {
        // Another writer may order tensors differently and omit __metadata__; load(model, file) accepts that.
        Parts p = read(saved("cifar-simple", 9));
        ObjectNode reordered = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        p.header.fieldNames().forEachRemaining(names::add);
        names.remove("__metadata__");
        // Data in reverse order: rebuild the data section accordingly.
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (String name : names.reversed()) {
            JsonNode t = p.header.get(name);
            int begin = t.get("data_offsets").get(0).intValue();
            int end = t.get("data_offsets").get(1).intValue();
            ObjectNode copy = reordered.putObject(name);
            copy.put("dtype", "F32");
            copy.set("shape", t.get("shape"));
            copy.putArray("data_offsets").add(data.size()).add(data.size() + end - begin);
            data.write(p.data, begin, end - begin);
        }
        Path f = write(dir.resolve("other.safetensors"), JSON.writeValueAsString(reordered), data.toByteArray());
        try (Model want = ModelZoo.build("cifar-simple", 9); Model got = ModelZoo.build("cifar-simple", 1)) {
            SafeTensors.load(got, f);
            assertSameBits(bits(want), bits(got));
        }
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadModel(f));
        assertTrue(e.getMessage().contains("no 'fovea.model' entry"), e.getMessage());
    }

    @Test
    void loadModelRunsLikeTheSavedModel() throws IOException {
        Path f = saved("mnist-cnn", 21);
        float[] x = new float[28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 17) / 17f;
        }
        try (Engine e = Engine.open("reference"); Model want = ModelZoo.build("mnist-cnn", 21);
             Model got = SafeTensors.loadModel(f); Inference a = want.compile(e); Inference b = got.compile(e)) {
            assertArrayEquals(a.predict(x, 1), b.predict(x, 1));
        }
    }

    @Test
    void savingReplacesAnExistingFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Files.writeString(f, "old contents");
        try (Model m = ModelZoo.build("cifar-simple", 4)) {
            SafeTensors.save(m, f);
            assertEquals("cifar-simple", SafeTensors.readHeader(f).metadata().get("fovea.model"));
        }
        try (Model m = ModelZoo.build("lenet5", 4)) {
            SafeTensors.save(m, f);
            assertEquals("lenet5", SafeTensors.readHeader(f).metadata().get("fovea.model"));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
    }

    // ---- mismatches against the model ------------------------------------------------------------------------

    @Test
    void missingTensorIsNamed() throws IOException {
        Path f = dir.resolve("nobias.safetensors");
        try (Model m = mnistVariant(64, false)) {
            SafeTensors.save(m, f);
        }
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(List.of("missing tensor 'dense_1.bias' (the model needs F32 [10])"), e.problems());
        assertTrue(e.getMessage().contains("weights do not fit model 'mnist-cnn'"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() throws IOException {
        Path f = edited(saved("mnist-cnn", 1), "shape.safetensors",
                h -> ((ObjectNode) h.get("dense_1.bias")).putArray("shape").add(2).add(5));
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(List.of("tensor 'dense_1.bias' has shape [2, 5], the model needs [10]"), e.problems());
    }

    @Test
    void wrongDtypeIsNamed() throws IOException {
        Path f = edited(saved("mnist-cnn", 1), "dtype.safetensors",
                h -> ((ObjectNode) h.get("conv2d.bias")).put("dtype", "I32"));
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(List.of("tensor 'conv2d.bias' has dtype I32, the model needs F32"), e.problems());
    }

    @Test
    void unexpectedTensorIsNamed() throws IOException {
        Path f = edited(saved("mnist-cnn", 1), "renamed.safetensors", h -> {
            JsonNode t = h.remove("dense_1.bias");
            h.set("extra.bias", t);
        });
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(List.of("missing tensor 'dense_1.bias' (the model needs F32 [10])",
                "unexpected tensor 'extra.bias' (F32 [10]): the model has no such weight"), e.problems());
    }

    @Test
    void allMismatchesAreReportedTogether() throws IOException {
        Path f = dir.resolve("narrow.safetensors");
        try (Model m = mnistVariant(32, true)) {
            SafeTensors.save(m, f);
        }
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(List.of("tensor 'dense.kernel' has shape [576, 32], the model needs [576, 64]",
                "tensor 'dense.bias' has shape [32], the model needs [64]",
                "tensor 'dense_1.kernel' has shape [32, 10], the model needs [64, 10]"), e.problems());
        assertTrue(e.getMessage().contains("(3 problems)"), e.getMessage());

        SafeTensorsException other = loadFails("fashion-cnn", saved("mnist-cnn", 1));
        assertTrue(other.getMessage().contains("weights do not fit model 'fashion-cnn' (the file was saved from"
                + " 'mnist-cnn')"), other.getMessage());
        assertTrue(other.problems().contains("unexpected tensor 'conv2d_2.kernel' (F32 [64, 64, 3, 3]): the model"
                + " has no such weight"), other.getMessage());
        assertTrue(other.problems().contains("tensor 'conv2d.kernel' has shape [32, 1, 3, 3], the model needs"
                + " [64, 1, 3, 3]"), other.getMessage());
        assertTrue(other.problems().size() >= 6, other.getMessage());
    }

    // ---- corrupt files ---------------------------------------------------------------------------------------

    @Test
    void truncatedBodyNamesTheTensorAndOffset() throws IOException {
        Path src = saved("mnist-cnn", 1);
        byte[] all = Files.readAllBytes(src);
        Path f = dir.resolve("truncated.safetensors");
        Files.write(f, Arrays.copyOf(all, all.length - 4));
        SafeTensorsException e = loadFails("mnist-cnn", f);
        long dataStart = all.length - 93_322L * 4;
        long end = 93_322L * 4;
        assertEquals(List.of("tensor 'dense_1.bias': data_offsets [" + (end - 40) + ", " + end + "] end at file"
                + " byte offset " + all.length + ", beyond the end of the file (" + (all.length - 4)
                + " bytes; truncated?)"), e.problems(), "data starts at " + dataStart);
        assertTrue(e.getMessage().contains("malformed safetensors header"), e.getMessage());
        assertThrows(SafeTensorsException.class, () -> SafeTensors.loadModel(f));
    }

    @Test
    void truncationInsideTheDataNamesEveryCutTensor() throws IOException {
        Path src = saved("mnist-cnn", 1);
        byte[] all = Files.readAllBytes(src);
        Path f = dir.resolve("cut.safetensors");
        Files.write(f, Arrays.copyOf(all, all.length - 10 * 4 - 64 * 10 * 4 - 1));  // into dense.bias
        SafeTensorsException e = loadFails("mnist-cnn", f);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("tensor 'dense.bias': data_offsets"), e.getMessage());
        assertTrue(e.problems().get(1).startsWith("tensor 'dense_1.kernel': data_offsets"), e.getMessage());
        assertTrue(e.problems().get(2).startsWith("tensor 'dense_1.bias': data_offsets"), e.getMessage());
    }

    @Test
    void malformedJsonNamesTheByteOffset() throws IOException {
        Path src = saved("cifar-simple", 1);
        byte[] all = Files.readAllBytes(src);
        int colon = 8 + new String(all, 8, 40, StandardCharsets.UTF_8).indexOf(':');  // after "__metadata__"
        all[colon] = '#';
        Path f = dir.resolve("json.safetensors");
        Files.write(f, all);
        SafeTensorsException e = loadFails("cifar-simple", f);
        assertTrue(e.getMessage().contains("malformed safetensors header"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid JSON at byte offset " + colon), e.getMessage());
    }

    @Test
    void headerLengthBeyondTheFileIsAnErrorAtOffsetZero() throws IOException {
        Path src = saved("cifar-simple", 1);
        byte[] all = Files.readAllBytes(src);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, all.length);
        Path f = dir.resolve("length.safetensors");
        Files.write(f, all);
        SafeTensorsException e = loadFails("cifar-simple", f);
        assertEquals(List.of("header length " + all.length + " (the u64 at byte offset 0) is beyond the end of the"
                + " file: only " + (all.length - 8) + " bytes follow it (file size " + all.length + ")"), e.problems());

        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);  // 2^64 − 1 as an unsigned length
        Files.write(f, all);
        assertTrue(loadFails("cifar-simple", f).getMessage().contains("header length 18446744073709551615"));
    }

    @Test
    void tooShortFilesAndHeaders() throws IOException {
        Path empty = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        assertEquals(List.of("the file is 0 bytes, too short for the 8-byte header length at byte offset 0"),
                loadFails("cifar-simple", empty).problems());
        Path five = Files.write(dir.resolve("five.safetensors"), new byte[5]);
        assertTrue(loadFails("cifar-simple", five).getMessage().contains("the file is 5 bytes"));
        Path zero = write(dir.resolve("zero.safetensors"), "", new byte[0]);
        assertTrue(loadFails("cifar-simple", zero).getMessage().contains("header length 0"));
        Path array = write(dir.resolve("array.safetensors"), "[1, 2]", new byte[0]);
        assertTrue(loadFails("cifar-simple", array).getMessage().contains("not a JSON object"));
        Path trailing = write(dir.resolve("trailing.safetensors"), "{} {}", new byte[0]);
        assertTrue(loadFails("cifar-simple", trailing).getMessage().contains("invalid JSON"));
    }

    @Test
    void structuralProblemsAreAllListed() throws IOException {
        String header = """
                {"__metadata__": {"fovea.model": 3},
                 "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]},
                 "b": {"dtype": "Q7", "shape": [1], "data_offsets": [8, 12]},
                 "c": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]},
                 "d": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]},
                 "e": "not an entry",
                 "f": {"dtype": "F32", "shape": [1]}}""";
        Path f = write(dir.resolve("bad.safetensors"), header, new byte[16]);
        SafeTensorsException e = loadFails("cifar-simple", f);
        assertEquals(List.of(
                "__metadata__ entry 'fovea.model' is not a string",
                "tensor 'a': data_offsets [0, 12] hold 12 bytes, but F32 [2] needs 8",
                "tensor 'b': unknown dtype 'Q7'",
                "tensor 'c': 'shape' is missing or not an array of non-negative integers",
                "tensor 'd': data_offsets [8, 4] end before they begin",
                "tensor 'e': entry is not a JSON object",
                "tensor 'f': 'data_offsets' is missing or not two non-negative integers [begin, end]"), e.problems());
    }

    @Test
    void overlapsGapsAndTrailingBytesAreRejected() throws IOException {
        String overlap = """
                {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""";
        Path f = write(dir.resolve("overlap.safetensors"), overlap, new byte[12]);
        assertEquals(List.of("tensors 'a' [0, 8) and 'b' [4, 12) overlap"), loadFails("cifar-simple", f).problems());

        String gap = """
                {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                 "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}""";
        int start = 8 + gap.getBytes(StandardCharsets.UTF_8).length;
        f = write(dir.resolve("gap.safetensors"), gap, new byte[16]);
        assertEquals(List.of("data bytes [4, 8) (file byte offset " + (start + 4) + ") belong to no tensor",
                "4 bytes after the last tensor (from file byte offset " + (start + 12) + ") belong to no tensor"),
                loadFails("cifar-simple", f).problems());
    }

    @Test
    void duplicateNamesAreMalformed() throws IOException {
        String dup = """
                {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                 "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""";
        Path f = write(dir.resolve("dup.safetensors"), dup, new byte[4]);
        SafeTensorsException e = loadFails("cifar-simple", f);
        assertTrue(e.getMessage().contains("invalid JSON at byte offset") && e.getMessage().contains("'a'"),
                e.getMessage());
    }

    @Test
    void loadModelRejectsUnknownModelsAndFormats() throws IOException {
        Path src = saved("cifar-simple", 1);
        Path unknown = edited(src, "unknown.safetensors",
                h -> ((ObjectNode) h.get("__metadata__")).put("fovea.model", "resnet50"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadModel(unknown));
        assertTrue(e.getMessage().contains("'fovea.model' names 'resnet50', which is not a zoo model"), e.getMessage());

        Path future = edited(src, "future.safetensors",
                h -> ((ObjectNode) h.get("__metadata__")).put("fovea.format", "2"));
        e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadModel(future));
        assertTrue(e.getMessage().contains("'fovea.format' is '2'; this version reads format 1"), e.getMessage());
    }
}
