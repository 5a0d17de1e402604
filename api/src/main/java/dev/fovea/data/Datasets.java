package dev.fovea.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-format data sets (Fashion-MNIST, MNIST): the four IDX files {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or
 * with {@code .gz}.
 *
 * <p>Where Fashion-MNIST is looked for, in order: the directory given ({@code --data DIR}); the
 * {@code FOVEA_DATA} environment variable (or {@code -Dfovea.data}) — the directory itself or its
 * {@code fashion-mnist} subdirectory; the Debian package {@code dataset-fashion-mnist}'s
 * {@value #DEBIAN_FASHION_MNIST}. {@link #fashionMnistSample()} is a 1,000 + 200 image sample bundled in this
 * jar (the first items of each Fashion-MNIST split), for tests and demos.
 */
public final class Datasets {
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final String DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
    /** Environment variable naming a data directory. */
    public static final String ENV = "FOVEA_DATA";

    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static final String SAMPLE = "/dev/fovea/data/fashion-mnist-sample/";

    private Datasets() {
    }

    /** A training split and a test split. */
    public record Split(Dataset train, Dataset test) {
    }

    /**
     * Fashion-MNIST from {@code dir} when non-null, else from {@code FOVEA_DATA}, else from the Debian package's
     * location; throws {@link DatasetNotFoundException} saying how to get it.
     */
    public static Split fashionMnist(Path dir) {
        return load("fashion-mnist", FASHION_MNIST_CLASSES, locate("Fashion-MNIST", "fashion-mnist", dir,
                Path.of(DEBIAN_FASHION_MNIST)));
    }

    /** MNIST (digits) from {@code dir}, else {@code FOVEA_DATA} (or its {@code mnist} subdirectory). */
    public static Split mnist(Path dir) {
        return load("mnist", MNIST_CLASSES, locate("MNIST", "mnist", dir, null));
    }

    /** The four files of an MNIST-format data set in {@code dir}. */
    public static Split load(String name, List<String> classes, Path dir) {
        try {
            return new Split(read(name + "/train", classes, file(dir, "train-images-idx3-ubyte"),
                    file(dir, "train-labels-idx1-ubyte")), read(name + "/test", classes,
                    file(dir, "t10k-images-idx3-ubyte"), file(dir, "t10k-labels-idx1-ubyte")));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The bundled sample: the first 1,000 training and first 200 test images of Fashion-MNIST. */
    public static Split fashionMnistSample() {
        try {
            return new Split(
                    fromIdx("fashion-mnist-sample/train", FASHION_MNIST_CLASSES, resource("train-images-idx3-ubyte.gz"),
                            resource("train-labels-idx1-ubyte.gz")),
                    fromIdx("fashion-mnist-sample/test", FASHION_MNIST_CLASSES, resource("t10k-images-idx3-ubyte.gz"),
                            resource("t10k-labels-idx1-ubyte.gz")));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Images {@code [N, H, W]} (or {@code [N, H, W, C]}) and labels {@code [N]}, both unsigned bytes. */
    public static Dataset fromIdx(String name, List<String> classes, Idx images, Idx labels) throws IOException {
        if (images.type() != Idx.UBYTE || (images.dims().length != 3 && images.dims().length != 4)) {
            throw new IOException(name + ": images must be unsigned bytes [N, H, W] or [N, H, W, C], got " + images);
        }
        if (labels.type() != Idx.UBYTE || labels.dims().length != 1) {
            throw new IOException(name + ": labels must be unsigned bytes [N], got " + labels);
        }
        if (labels.dims()[0] != images.dims()[0]) {
            throw new IOException(name + ": " + images.dims()[0] + " images but " + labels.dims()[0] + " labels");
        }
        int[] l = new int[labels.dims()[0]];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.data()[i] & 0xff;
        }
        int c = images.dims().length == 4 ? images.dims()[3] : 1;
        return Dataset.of(name, images.dims()[1], images.dims()[2], c, images.data(), l, classes);
    }

    private static Dataset read(String name, List<String> classes, Path images, Path labels) throws IOException {
        return fromIdx(name, classes, Idx.read(images), Idx.read(labels));
    }

    private static Idx resource(String file) throws IOException {
        try (InputStream in = Datasets.class.getResourceAsStream(SAMPLE + file)) {
            if (in == null) {
                throw new IOException("the bundled Fashion-MNIST sample is missing " + SAMPLE + file);
            }
            return Idx.read(new GZIPInputStream(in), SAMPLE + file);
        }
    }

    /** {@code dir/name}, or {@code dir/name.gz}; an {@link IOException} naming both when neither exists. */
    private static Path file(Path dir, String name) throws IOException {
        Path plain = dir.resolve(name);
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new IOException("missing " + gz + " (or " + plain + ")");
    }

    private static Path locate(String title, String subdir, Path given, Path debian) {
        List<Path> tried = new ArrayList<>();
        if (given != null) {
            if (hasFiles(given)) {
                return given;
            }
            if (hasFiles(given.resolve(subdir))) {
                return given.resolve(subdir);
            }
            throw new DatasetNotFoundException(title + " not found in " + given + ": it needs the files "
                    + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
                    + "t10k-labels-idx1-ubyte.gz (gzip or not) in that directory or in " + given.resolve(subdir)
                    + howTo(title, debian));
        }
        String env = System.getProperty("fovea.data", System.getenv(ENV));
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            for (Path c : List.of(p, p.resolve(subdir))) {
                if (hasFiles(c)) {
                    return c;
                }
                tried.add(c);
            }
        }
        if (debian != null) {
            if (hasFiles(debian)) {
                return debian;
            }
            tried.add(debian);
        }
        throw new DatasetNotFoundException(title + " not found (looked in " + (tried.isEmpty() ? "no directory"
                : tried.toString()) + ")" + howTo(title, debian));
    }

    private static String howTo(String title, Path debian) {
        return ". To get it: " + (debian != null && title.equals("Fashion-MNIST")
                ? "'sudo apt-get install dataset-fashion-mnist' (installs into " + debian + "), or "
                : "")
                + "download the four IDX files of the data set"
                + " into a directory and pass --data DIR or set " + ENV + "=DIR";
    }

    private static boolean hasFiles(Path dir) {
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            if (!Files.isRegularFile(dir.resolve(f)) && !Files.isRegularFile(dir.resolve(f + ".gz"))) {
                return false;
            }
        }
        return true;
    }
}
