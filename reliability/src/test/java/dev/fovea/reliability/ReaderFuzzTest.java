package dev.fovea.reliability;

import dev.fovea.data.Idx;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxReader;
import dev.fovea.tensor.Layout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the file readers with jqwik: valid safetensors, IDX (plain and gzip) and ONNX files mutated byte by byte
 * (flips, overwrites with boundary values such as 2^31, 2^63 − 1 and −1 in the widths the formats use, deletions,
 * insertions, truncation) and random bytes. Every input must either be read or be refused with the reader's
 * documented exception; anything else (an unchecked exception, an {@link OutOfMemoryError}, a stack overflow, a hang)
 * fails the property, and jqwik shrinks it to a small reproduction.
 *
 * <p>CI runs {@code jqwik.tries.default} tries per property (src/test/resources/junit-platform.properties);
 * run longer with {@code mvn -pl reliability -am test -Dtest=ReaderFuzzTest -Djqwik.tries.default=100000}.
 */
class ReaderFuzzTest {
    private static final Path DIR;
    private static final byte[] SAFETENSORS;
    private static final byte[] IDX;
    private static final byte[] ONNX;

    static {
        try {
            DIR = Files.createTempDirectory("fovea-fuzz");
            Path st = DIR.resolve("seed.safetensors");
            Path onnx = DIR.resolve("seed.onnx");
            try (Model m = Samples.smallCnn("seed")) {
                SafeTensors.save(m, st);
                Onnx.save(m, onnx);
            }
            SAFETENSORS = Files.readAllBytes(st);
            ONNX = Files.readAllBytes(onnx);
            byte[] pixels = new byte[3 * 5 * 4];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (i * 37);
            }
            IDX = new Idx(Idx.UBYTE, new int[] {3, 5, 4}, pixels).encode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.list(DIR)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(DIR);
    }

    // ---- properties ----

    @Property
    void safetensorsFilesAreReadOrRefusedWithSafeTensorsException(@ForAll("safetensors") byte[] bytes)
            throws IOException {
        Path f = Files.write(DIR.resolve("fuzz.safetensors"), bytes);
        try {
            SafeTensors.readHeader(f);
        } catch (IOException expected) {
            // refused, with a message
        }
        try (Model m = Samples.smallCnn("seed")) {
            SafeTensors.load(m, f);
        } catch (IOException expected) {
            // refused; the model is unchanged (checked by SafeTensorsTest)
        }
    }

    @Property
    void idxStreamsAreReadOrRefusedWithIOException(@ForAll("idx") byte[] bytes) {
        try {
            Idx.read(new ByteArrayInputStream(bytes), "fuzz"); // the record checks its data against its dimensions
        } catch (IOException expected) {
            // refused
        }
    }

    @Property
    void idxFilesPlainAndGzipAreReadOrRefusedWithIOException(@ForAll("idx") byte[] bytes, @ForAll boolean gzip)
            throws IOException {
        Path f = DIR.resolve("fuzz.idx");
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes);
            }
            byte[] compressed = out.toByteArray();
            // The compressed stream is mutated too, at a position chosen from the content.
            if (bytes.length > 0 && (bytes[0] & 1) == 1) {
                int at = 10 + Math.floorMod(Arrays.hashCode(bytes), Math.max(1, compressed.length - 10));
                compressed[Math.min(at, compressed.length - 1)] ^= (byte) 0x5a;
            }
            Files.write(f, compressed);
        } else {
            Files.write(f, bytes);
        }
        try {
            Idx.read(f);
        } catch (IOException expected) {
            // refused, naming the file
            if (!expected.getMessage().contains(f.toString())) {
                throw new AssertionError("the message does not name the file: " + expected.getMessage(), expected);
            }
        }
    }

    @Property
    void onnxModelsAreParsedOrRefusedAndImportedOrRefused(@ForAll("onnx") byte[] bytes) {
        OnnxModel model;
        try {
            model = OnnxReader.parse(bytes, "fuzz.onnx");
        } catch (IOException expected) {
            return;
        }
        // What parses must import or be refused as an unsupported or invalid model (IllegalArgumentException:
        // OnnxImportException and the layers' ValidationException), never fail otherwise.
        try (Model m = Onnx.fromOnnx(model, "fuzz.onnx", Layout.NCHW)) {
            m.summary();
        } catch (IllegalArgumentException | UnsupportedOperationException expected) {
            // refused
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<byte[]> safetensors() {
        return inputs(SAFETENSORS);
    }

    @Provide
    Arbitrary<byte[]> idx() {
        return inputs(IDX);
    }

    @Provide
    Arbitrary<byte[]> onnx() {
        return inputs(ONNX);
    }

    /** Mostly mutations of {@code seed}; some random bytes and some prefixes. */
    private static Arbitrary<byte[]> inputs(byte[] seed) {
        Arbitrary<byte[]> mutated = edits().list().ofMinSize(1).ofMaxSize(6).map(list -> apply(seed, list));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> prefix = Arbitraries.integers().between(0, seed.length).map(n -> Arrays.copyOf(seed, n));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, mutated),
                net.jqwik.api.Tuple.of(1, random),
                net.jqwik.api.Tuple.of(1, prefix));
    }

    /** Values that break size arithmetic, in the widths the formats use. */
    private static final List<Long> BOUNDARIES = List.of(0L, 1L, -1L, 0x7fL, 0x80L, 0xffL, 0x7fffL, 0x10000L,
            0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 32, 1L << 40, 1L << 60, Long.MAX_VALUE, Long.MIN_VALUE);

    /** One edit: its kind, where (a fraction of the length), a byte, a boundary value. */
    record Edit(int kind, double where, int value, long boundary) {
    }

    private static Arbitrary<Edit> edits() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 255), Arbitraries.of(BOUNDARIES)).as(Edit::new);
    }

    private static byte[] apply(byte[] seed, List<Edit> edits) {
        byte[] b = seed.clone();
        for (Edit e : edits) {
            if (b.length == 0) {
                break;
            }
            int at = Math.min(b.length - 1, (int) (e.where() * b.length));
            switch (e.kind()) {
                case 0 -> b[at] ^= (byte) (1 << (e.value() & 7));               // one bit
                case 1 -> b[at] = (byte) e.value();                            // one byte
                case 2 -> put(b, at, e.boundary(), 8, ByteOrder.LITTLE_ENDIAN); // safetensors' header length
                case 3 -> put(b, at, e.boundary(), 4, ByteOrder.BIG_ENDIAN);    // IDX dimensions
                case 4 -> b = Arrays.copyOf(b, at);                             // truncation
                case 5 -> {                                                     // deletion of up to 16 bytes
                    int n = Math.min(b.length - at, 1 + (e.value() & 15));
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + n, c, at, b.length - at - n);
                    b = c;
                }
                case 6 -> {                                                     // insertion of up to 16 bytes
                    int n = 1 + (e.value() & 15);
                    byte[] c = new byte[b.length + n];
                    System.arraycopy(b, 0, c, 0, at);
                    Arrays.fill(c, at, at + n, (byte) e.boundary());
                    System.arraycopy(b, at, c, at + n, b.length - at);
                    b = c;
                }
                default -> {                                                    // a protobuf varint
                    byte[] v = varint(e.boundary());
                    System.arraycopy(v, 0, b, at, Math.min(v.length, b.length - at));
                }
            }
        }
        return b;
    }

    private static void put(byte[] b, int at, long value, int width, ByteOrder order) {
        ByteBuffer buf = ByteBuffer.allocate(8).order(order);
        if (width == 8) {
            buf.putLong(value);
        } else {
            buf.putInt((int) value);
        }
        System.arraycopy(buf.array(), 0, b, at, Math.min(width, b.length - at));
    }

    private static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }
}
