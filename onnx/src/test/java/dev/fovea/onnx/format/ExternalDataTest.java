package dev.fovea.onnx.format;

import static dev.fovea.onnx.format.TestModels.dims;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {
    @TempDir
    Path root;

    /** The model's directory; {@code root} beside it holds a file the model must not reach. */
    private Path dir;
    private Path secret;

    @BeforeEach
    void files() throws IOException {
        dir = Files.createDirectory(root.resolve("model"));
        secret = root.resolve("secret.bin");
        Files.write(secret, floats(1, 2, 3, 4));
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static Map<String, String> entries(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Writes a model whose initializer 'w' [4] is external at {@code location}; returns the model file. */
    private Path modelPointingAt(String location, String... moreEntries) throws IOException {
        Map<String, String> e = entries("location", location);
        e.putAll(entries(moreEntries));
        Path file = dir.resolve("m.onnx");
        Files.write(file, Protos.modelWithInitializer(Protos.externalTensor("w", dims(4), e)));
        return file;
    }

    private static String refused(Path model) {
        IOException e = assertThrows(IOException.class, () -> OnnxReader.read(model));
        assertTrue(e.getMessage().contains(model.toString()), "names the model file: " + e.getMessage());
        assertTrue(e.getMessage().contains("'w'"), "names the tensor: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void writerPutsLargeInitializersIntoOneAlignedFile() throws IOException {
        OnnxModel m = TestModels.smallCnn();
        Path file = dir.resolve("cnn.onnx");
        OnnxWriter.write(m, file, OnnxWriter.Options.externalAbove(100));
        Path data = dir.resolve("cnn.onnx.data");
        // w: 8*27 floats = 864 bytes, at 0; b (32 bytes) stays inline; fc.w 5120 bytes at 896 (aligned to 64).
        assertEquals(896 + 5120, Files.size(data));
        assertTrue(Files.size(file) < 1000, "weights are out of the model file: " + Files.size(file));
        assertEquals(m, OnnxReader.read(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file is left behind");
        }

        OnnxWriter.write(m, file, OnnxWriter.Options.externalAbove(0).withExternalFileName("weights.bin"));
        assertTrue(Files.exists(dir.resolve("weights.bin")));
        assertEquals(m, OnnxReader.read(file));
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.Options.externalAbove(0).withExternalFileName("../x"));
    }

    @Test
    void readsAtOffset() throws IOException {
        Files.write(dir.resolve("w.bin"), floats(9, 9, 5, 6, 7, 8));
        OnnxModel m = OnnxReader.read(modelPointingAt("w.bin", "offset", "8", "length", "16"));
        assertArrayEquals(new float[] {5, 6, 7, 8}, m.graph().initializers().get("w").floats());
        // In a subdirectory, and through a symbolic link that stays inside the directory.
        Files.createDirectory(dir.resolve("sub"));
        Files.write(dir.resolve("sub/w.bin"), floats(1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4},
                OnnxReader.read(modelPointingAt("sub/w.bin")).graph().initializers().get("w").floats());
        Files.createSymbolicLink(dir.resolve("inside.bin"), dir.resolve("sub/w.bin"));
        assertArrayEquals(new float[] {1, 2, 3, 4},
                OnnxReader.read(modelPointingAt("inside.bin")).graph().initializers().get("w").floats());
    }

    @Test
    void parentDirectoryIsRefused() throws IOException {
        String m = refused(modelPointingAt("../secret.bin"));
        assertTrue(m.contains("'..'") && m.contains("../secret.bin"), m);
        assertTrue(refused(modelPointingAt("sub/../../secret.bin")).contains("'..'"));
        assertTrue(refused(modelPointingAt("..\\secret.bin")).contains("'..'"));
    }

    @Test
    void absolutePathsAreRefused() throws IOException {
        String m = refused(modelPointingAt(secret.toString()));
        assertTrue(m.contains("absolute") && m.contains(secret.toString()), m);
        assertTrue(refused(modelPointingAt("/etc/passwd")).contains("absolute"));
        assertTrue(refused(modelPointingAt("C:\\Windows\\win.ini")).contains("absolute"));
        assertTrue(refused(modelPointingAt("\\\\server\\share\\w.bin")).contains("absolute"));
    }

    @Test
    void symbolicLinksOutOfTheDirectoryAreRefused() throws IOException {
        Files.createSymbolicLink(dir.resolve("link.bin"), secret);
        String m = refused(modelPointingAt("link.bin"));
        assertTrue(m.contains("outside the model's directory") && m.contains(secret.toRealPath().toString()), m);

        Files.createSymbolicLink(dir.resolve("up"), root);
        assertTrue(refused(modelPointingAt("up/secret.bin")).contains("outside the model's directory"));
    }

    @Test
    void rangesAreCheckedAgainstTheRealFileSize() throws IOException {
        Files.write(dir.resolve("w.bin"), floats(1, 2, 3, 4));
        String m = refused(modelPointingAt("w.bin", "offset", "8", "length", "16"));
        assertTrue(m.contains("offset 8") && m.contains("length 16") && m.contains("16 bytes"), m);
        m = refused(modelPointingAt("w.bin", "offset", String.valueOf(Long.MAX_VALUE)));
        assertTrue(m.contains("beyond the end"), m);
        m = refused(modelPointingAt("w.bin", "length", "12"));
        assertTrue(m.contains("length 12") && m.contains("need 16 bytes"), m);
        m = refused(modelPointingAt("w.bin", "offset", "-4"));
        assertTrue(m.contains("negative"), m);
        m = refused(modelPointingAt("w.bin", "offset", "abc"));
        assertTrue(m.contains("not a number"), m);
    }

    @Test
    void missingDirectoryAndNoLocationAreRefused() throws IOException {
        assertTrue(refused(modelPointingAt("nope.bin")).contains("no such file"));
        Files.createDirectory(dir.resolve("d"));
        assertTrue(refused(modelPointingAt("d")).contains("not a regular file"));
        assertTrue(refused(modelPointingAt("")).contains("without a location"));
    }

    @Test
    void sizeLimitAppliesBeforeReading() throws IOException {
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[4096]);
        Map<String, String> e = entries("location", "big.bin");
        Path file = dir.resolve("m.onnx");
        Files.write(file, Protos.modelWithInitializer(Protos.externalTensor("w", dims(1024), e)));
        assertEquals(1024, OnnxReader.read(file).graph().initializers().get("w").elementCount());
        IOException ex = assertThrows(IOException.class,
                () -> OnnxReader.read(file, OnnxReader.Options.DEFAULT.withMaxTensorBytes(4095)));
        assertTrue(ex.getMessage().contains("'w'") && ex.getMessage().contains("4096 bytes")
                && ex.getMessage().contains("4095"), ex.getMessage());
    }

    @Test
    void modelsInMemoryCannotUseExternalData() {
        byte[] bytes = Protos.modelWithInitializer(Protos.externalTensor("w", dims(4), entries("location", "w.bin")));
        IOException e = assertThrows(IOException.class, () -> OnnxReader.parse(bytes, "memory.onnx"));
        assertTrue(e.getMessage().contains("memory.onnx") && e.getMessage().contains("'w'")
                && e.getMessage().contains("not read from a file"), e.getMessage());
    }

    @Test
    void theSecretWasNeverTheAnswer() throws IOException {
        // Sanity check of the setup: the same location from the secret's own directory is accepted.
        Path file = root.resolve("beside.onnx");
        Files.write(file, Protos.modelWithInitializer(Protos.externalTensor("w", dims(4), entries("location", "secret.bin"))));
        assertEquals(List.of(1f, 2f, 3f, 4f), boxed(OnnxReader.read(file).graph().initializers().get("w").floats()));
    }

    private static List<Float> boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return List.of(b);
    }
}
