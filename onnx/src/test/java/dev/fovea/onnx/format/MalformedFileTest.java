package dev.fovea.onnx.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MalformedFileTest {
    @TempDir
    Path dir;

    /** Parses {@code bytes}, which must fail with an IOException naming the source (and nothing else). */
    private static String rejects(byte[] bytes, String source) {
        try {
            OnnxModel m = OnnxReader.parse(bytes, source);
            return fail("accepted " + bytes.length + " bytes as " + m);
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(source + ": "), e.getMessage());
            return e.getMessage();
        }
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] full = OnnxWriter.toBytes(TestModels.smallCnn());
        for (int n = 0; n < full.length; n++) {
            rejects(Arrays.copyOf(full, n), "cut-at-" + n + ".onnx");
        }
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        byte[] full = OnnxWriter.toBytes(TestModels.smallCnn());
        Path file = dir.resolve("cut.onnx");
        Files.write(file, Arrays.copyOf(full, full.length / 2));
        IOException e = assertThrows(IOException.class, () -> OnnxReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        // The graph is one length-delimited field: its declared length is what gives the cut away.
        assertTrue(e.getMessage().contains("graph: its length is") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void garbageIsRefused() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[1 + random.nextInt(400)];
            random.nextBytes(junk);
            rejects(junk, "junk-" + i + ".onnx");
        }
        rejects(new byte[0], "empty.onnx");
        rejects("just some text, not a model\n".getBytes(StandardCharsets.UTF_8), "text.onnx");
    }

    @Test
    void flippedBytesNeverEscapeAsRuntimeExceptions() {
        byte[] full = OnnxWriter.toBytes(TestModels.smallCnn());
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            byte[] b = full.clone();
            for (int k = 0; k < 3; k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            try {
                OnnxReader.parse(b, "flipped.onnx");  // may still be a valid model (a changed weight)
            } catch (IOException expected) {
                assertTrue(expected.getMessage().startsWith("flipped.onnx: "), expected.getMessage());
            }
        }
    }

    @Test
    void deeplyNestedUnknownGroupsAreRefused() {
        byte[] deep = Protos.message(out -> {
            for (int i = 0; i < 5000; i++) {
                out.writeTag(999, WireFormat.WIRETYPE_START_GROUP);
            }
            for (int i = 0; i < 5000; i++) {
                out.writeTag(999, WireFormat.WIRETYPE_END_GROUP);
            }
        });
        String m = rejects(deep, "deep.onnx");
        assertTrue(m.contains("nesting") || m.contains("recursion") || m.contains("levels"), m);
    }

    @Test
    void recursionLimitIsConfigurable() throws IOException {
        byte[] bytes = Protos.model(g -> {
            g.writeString(2, "g");
            for (int i = 0; i < 20; i++) {
                g.writeTag(999, WireFormat.WIRETYPE_START_GROUP);
            }
            for (int i = 0; i < 20; i++) {
                g.writeTag(999, WireFormat.WIRETYPE_END_GROUP);
            }
        });
        assertEquals("g", OnnxReader.parse(bytes, "ok.onnx").graph().name());
        IOException e = assertThrows(IOException.class,
                () -> OnnxReader.parse(bytes, "tight.onnx", OnnxReader.Options.DEFAULT.withRecursionLimit(10)));
        assertTrue(e.getMessage().startsWith("tight.onnx: "), e.getMessage());
    }

    @Test
    void graphAttributesAreRefusedClearly() {
        byte[] subgraph = Protos.message(g -> g.writeString(2, "then"));
        byte[] attribute = Protos.message(a -> {
            a.writeString(1, "then_branch");
            a.writeByteArray(6, subgraph);
            a.writeEnum(20, 5);
        });
        byte[] node = Protos.message(n -> {
            n.writeString(1, "cond");
            n.writeString(2, "out");
            n.writeString(3, "if_0");
            n.writeString(4, "If");
            n.writeByteArray(5, attribute);
        });
        String m = rejects(Protos.model(g -> g.writeByteArray(1, node)), "if.onnx");
        assertTrue(m.contains("node 'if_0'") && m.contains("'then_branch'") && m.contains("GRAPH"), m);
    }

    @Test
    void nonTensorInputsAreRefused() {
        byte[] sequenceType = Protos.message(t -> t.writeByteArray(4, new byte[0]));
        byte[] input = Protos.message(v -> {
            v.writeString(1, "seq");
            v.writeByteArray(2, sequenceType);
        });
        String m = rejects(Protos.model(g -> g.writeByteArray(11, input)), "seq.onnx");
        assertTrue(m.contains("input 'seq'") && m.contains("sequence"), m);
    }

    @Test
    void undefinedValuesAndMissingPartsAreRefused() {
        OnnxNode relu = OnnxNode.of("r", "Relu", List.of("nowhere"), List.of("y"), java.util.Map.of());
        OnnxGraph g = new OnnxGraph("g", List.of(relu), java.util.Map.of(), List.of(), List.of());
        String m = rejects(OnnxWriter.toBytes(TestModels.model(g)), "dangling.onnx");
        assertTrue(m.contains("node 'r' (Relu)") && m.contains("'nowhere'"), m);

        OnnxGraph noOut = new OnnxGraph("g", List.of(), java.util.Map.of(), List.of(),
                List.of(ValueInfo.of("y", OnnxDataType.FLOAT, 1)));
        assertTrue(rejects(OnnxWriter.toBytes(TestModels.model(noOut)), "o.onnx").contains("graph output 'y'"));

        byte[] noGraph = Protos.message(mo -> mo.writeInt64(1, 8));
        assertTrue(rejects(noGraph, "nograph.onnx").contains("no graph"));

        byte[] tensor = Protos.message(t -> {
            t.writeInt64(1, 1);
            t.writeInt32(2, 17);  // FLOAT8E4M3FN
            t.writeString(8, "f8");
        });
        String f8 = rejects(Protos.modelWithInitializer(tensor), "f8.onnx");
        assertTrue(f8.contains("'f8'") && f8.contains("17"), f8);

        byte[] negative = Protos.message(t -> {
            t.writeInt64(1, -2);
            t.writeInt32(2, 1);
            t.writeString(8, "neg");
        });
        assertTrue(rejects(Protos.modelWithInitializer(negative), "neg.onnx").contains("'neg'"));
    }
}
