package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX reading and the bundled Fashion-MNIST sample. The sample is the first 1,000 training and first 200 test
 * items of the Debian package {@code dataset-fashion-mnist}; to regenerate it from the installed package run
 * {@code mvn -pl api test -Dtest=DatasetsTest -Dfovea.sample.write=true} (it writes
 * {@code src/main/resources/dev/fovea/data/fashion-mnist-sample/}). Without the flag, the test checks the committed
 * sample against the package when it is installed.
 */
class DatasetsTest {
    static final Path SAMPLE_DIR = Path.of("src/main/resources/dev/fovea/data/fashion-mnist-sample");
    static final int SAMPLE_TRAIN = 1000;
    static final int SAMPLE_TEST = 200;

    @TempDir
    Path tmp;

    @Test
    void idxRoundTripsPlainAndGzip() throws IOException {
        Idx a = new Idx(Idx.UBYTE, new int[] {3, 2, 2}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        for (boolean gz : new boolean[] {false, true}) {
            Path f = tmp.resolve("a" + gz);
            a.write(f, gz);
            Idx b = Idx.read(f);
            assertEquals(Idx.UBYTE, b.type());
            assertArrayEquals(a.dims(), b.dims());
            assertArrayEquals(a.data(), b.data());
        }
        assertEquals(4 + 12 + 12, a.encode().length);
    }

    @Test
    void dimensionsWhoseProductOverflowsAreRejectedBeforeReading() throws IOException {
        // Four dimensions of 65536 multiply to 2^64, which wrapped around to 0 bytes and was accepted.
        byte[] header = {0, 0, Idx.UBYTE, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
        for (boolean gz : new boolean[] {false, true}) {
            Path f = tmp.resolve("huge" + gz);
            if (gz) {
                try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(f))) {
                    out.write(header);
                }
            } else {
                Files.write(f, header);
            }
            var e = assertThrows(IOException.class, () -> Idx.read(f));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("too large")
                    && e.getMessage().contains("[65536, 65536, 65536, 65536]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Idx(Idx.UBYTE, new int[] {65536, 65536, 65536, 65536}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Idx(Idx.UBYTE, new int[] {2, 3}, new byte[5]));
    }

    @Test
    void aHeaderAnnouncingMoreThanTheFileHoldsFailsBeforeAllocating() throws IOException {
        // 50000 × 28 × 28 bytes announced (39 MB) by a 16-byte file: refused from the file size.
        Path f = tmp.resolve("short");
        Files.write(f, new byte[] {0, 0, Idx.UBYTE, 3, 0, 0, (byte) 0xc3, 0x50, 0, 0, 0, 28, 0, 0, 0, 28});
        var e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("need 39200000 bytes, found 0") && e.getMessage().contains(f.toString()),
                e.getMessage());
    }

    @Test
    void corruptGzipAndDirectoriesNameTheFile() throws IOException {
        Idx a = new Idx(Idx.UBYTE, new int[] {10, 4}, new byte[40]);
        Path f = tmp.resolve("corrupt.gz");
        a.write(f, true);
        byte[] bytes = Files.readAllBytes(f);
        bytes[2] = 7; // an unknown compression method, gzip magic kept
        Files.write(f, bytes);
        var e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("gzip"), e.getMessage());
        Path dir = Files.createDirectory(tmp.resolve("images-dir"));
        e = assertThrows(IOException.class, () -> Idx.read(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void badMagicTruncationAndUnknownTypesAreClearErrors() throws IOException {
        Path f = tmp.resolve("bad");
        Files.write(f, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 1});
        var e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("not an IDX file") && e.getMessage().contains("0x50"), e.getMessage());

        Idx a = new Idx(Idx.UBYTE, new int[] {10, 4}, new byte[40]);
        byte[] full = a.encode();
        Files.write(f, Arrays.copyOf(full, full.length - 5));
        e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("truncated IDX data") && e.getMessage().contains("need 40 bytes, found 35"),
                e.getMessage());

        Files.write(f, Arrays.copyOf(full, 7));
        e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("truncated IDX header"), e.getMessage());

        Files.write(f, new byte[] {0, 0, 0x42, 1, 0, 0, 0, 1, 7});
        e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("unknown IDX element type 0x42"), e.getMessage());

        // A truncated gzip stream.
        a.write(f, true);
        byte[] gz = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void bundledSampleHasTheAnnouncedSizesAndAllClasses() {
        Datasets.Split s = Datasets.fashionMnistSample();
        assertEquals(SAMPLE_TRAIN, s.train().size());
        assertEquals(SAMPLE_TEST, s.test().size());
        assertEquals(28, s.train().height());
        assertEquals(1, s.train().channels());
        assertEquals("Ankle boot", s.train().classes().get(9));
        int[] counts = new int[10];
        for (int i = 0; i < s.train().size(); i++) {
            counts[s.train().label(i)]++;
        }
        for (int c : counts) {
            assertTrue(c > 50, "every class is represented: " + Arrays.toString(counts));
        }
        float[] img = s.train().image(0);
        float max = 0;
        for (float v : img) {
            assertTrue(v >= 0 && v <= 1);
            max = Math.max(max, v);
        }
        assertTrue(max > 0.5f, "the first image is not blank");
    }

    @Test
    void batchesFollowTheOrderAndNormalization() {
        Dataset d = Datasets.fashionMnistSample().test().normalized(0.5, 0.25);
        int[] order = {5, 2, 7};
        try (TensorScope s = new TensorScope()) {
            Tensor t = d.batch(order, 1, 2, s);
            assertEquals(dev.fovea.tensor.Shape.of(2, 1, 28, 28), t.shape());
            float[] img7 = d.image(7);
            assertEquals(img7[28 * 3 + 4], t.get(1, 0, 3, 4), 0);
            assertArrayEquals(new int[] {d.label(2), d.label(7)}, d.labels(order, 1, 2));
        }
        Dataset raw = Datasets.fashionMnistSample().test();
        assertEquals((raw.image(7)[100] - 0.5f) / 0.25f, d.image(7)[100], 1e-6);
    }

    @Test
    void missingDatasetSaysHowToGetIt() {
        var e = assertThrows(DatasetNotFoundException.class, () -> Datasets.fashionMnist(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist") && e.getMessage().contains("--data"),
                e.getMessage());
    }

    @Test
    void loadsADirectoryOfPlainOrGzipFiles() throws IOException {
        Datasets.Split s = Datasets.fashionMnistSample();
        // Write the sample's test split as an MNIST-format directory, plain files for the images.
        Path dir = tmp.resolve("fashion-mnist");
        Files.createDirectories(dir);
        for (String split : List.of("train", "t10k")) {
            Idx images = sampleIdx(split + "-images-idx3-ubyte.gz");
            Idx labels = sampleIdx(split + "-labels-idx1-ubyte.gz");
            images.write(dir.resolve(split + "-images-idx3-ubyte"), false);
            labels.write(dir.resolve(split + "-labels-idx1-ubyte.gz"), true);
        }
        Datasets.Split loaded = Datasets.fashionMnist(tmp); // finds the fashion-mnist subdirectory
        assertEquals(s.train().size(), loaded.train().size());
        assertArrayEquals(s.test().image(17), loaded.test().image(17));
    }

    @Test
    void sampleIsTheHeadOfTheDebianPackage() throws IOException {
        Path debian = Path.of(Datasets.DEBIAN_FASHION_MNIST);
        assumeTrue(Files.isDirectory(debian), "dataset-fashion-mnist is not installed: " + debian + " is missing");
        boolean write = Boolean.getBoolean("fovea.sample.write");
        for (String split : List.of("train", "t10k")) {
            int n = split.equals("train") ? SAMPLE_TRAIN : SAMPLE_TEST;
            for (String kind : List.of("-images-idx3-ubyte.gz", "-labels-idx1-ubyte.gz")) {
                Idx head = Idx.read(debian.resolve(split + kind)).head(n);
                if (write) {
                    Files.createDirectories(SAMPLE_DIR);
                    head.write(SAMPLE_DIR.resolve(split + kind), true);
                }
                Idx committed = sampleIdx(split + kind);
                assertArrayEquals(head.dims(), committed.dims(), split + kind);
                assertArrayEquals(head.data(), committed.data(), split + kind);
            }
        }
    }

    private static Idx sampleIdx(String name) throws IOException {
        Path p = SAMPLE_DIR.resolve(name);
        return Idx.read(p);
    }
}
