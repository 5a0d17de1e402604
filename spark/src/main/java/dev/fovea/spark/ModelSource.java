package dev.fovea.spark;

import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * A model file as the driver saw it: its path, its SHA-256 and the zoo model its weights belong to. Executors load
 * the same file (or the copy Spark shipped with {@code --files} / {@code addFile}) and check the hash.
 *
 * @param path     the file as given
 * @param sha256   the file's content hash, hex
 * @param zooModel the zoo model for .safetensors weights ("" for the file's own metadata or an ONNX file)
 */
record ModelSource(String path, String sha256, String zooModel) implements Serializable {
    ModelSource {
        checkNames(path, zooModel);
    }

    /** The file's kind (by its extension) and the zoo model's name. */
    private static void checkNames(String path, String zooModel) {
        if (!isOnnx(path) && !isSafeTensors(path)) {
            throw new IllegalArgumentException("FoveaClassifier: modelPath '" + path + "' must be an .onnx file or "
                    + "a zoo model's .safetensors weights");
        }
        if (!zooModel.isEmpty() && !ModelZoo.names().contains(zooModel)) {
            throw new IllegalArgumentException("FoveaClassifier: zooModel '" + zooModel + "' is not a zoo model "
                    + "(known: " + String.join(", ", ModelZoo.names()) + ")");
        }
        if (!zooModel.isEmpty() && isOnnx(path)) {
            throw new IllegalArgumentException("FoveaClassifier: zooModel '" + zooModel + "' applies to .safetensors"
                    + " weights; modelPath '" + path + "' is an ONNX file, which holds its own graph");
        }
    }

    /** On the driver: finds the file and hashes it; throws naming the path when it is missing. */
    static ModelSource resolve(String path, String zooModel) {
        checkNames(path, zooModel);
        Path file = locate(path);
        if (file == null) {
            throw new IllegalArgumentException("FoveaClassifier: modelPath '" + path + "' does not exist (neither "
                    + "as a path nor as a file added with --files / SparkContext.addFile)");
        }
        return new ModelSource(path, driverHash(file), zooModel);
    }

    /** A file's identity for {@link #HASHES}: where it is, when it was last written, and its size. */
    private record Stamp(Path file, FileTime modified, long size) {
    }

    /** The driver's hashes, so that transforming many frames with one model reads the file once. */
    private static final Map<Stamp, String> HASHES = new ConcurrentHashMap<>();

    /** The file's SHA-256, computed again only when its path, time or size changed (a 45 MB model takes ~0.1 s). */
    private static String driverHash(Path file) {
        Stamp stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            stamp = new Stamp(file.toAbsolutePath().normalize(), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            throw new UncheckedIOException("FoveaClassifier: cannot read model file " + file + ": " + e.getMessage(),
                    e);
        }
        return HASHES.computeIfAbsent(stamp, s -> sha256(file));
    }

    /** The file itself, else Spark's local copy of a file shipped under that name; null when neither exists. */
    static Path locate(String path) {
        Path file = Path.of(path);
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (SparkEnv.get() != null) {
            Path shipped = Path.of(SparkFiles.get(file.getFileName().toString()));
            if (Files.isRegularFile(shipped)) {
                return shipped;
            }
        }
        return null;
    }

    /** Loads the model from {@code file}, which must hold the content the driver hashed. */
    Model load(Path file) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(sha256)) {
            throw new IllegalStateException("FoveaClassifier: model file " + file + " differs from the one the "
                    + "driver read (SHA-256 " + actual + ", driver: " + sha256 + "); every executor must see the "
                    + "same file, e.g. ship it with --files");
        }
        if (isOnnx(path)) {
            return Onnx.load(file);
        }
        if (zooModel.isEmpty()) {
            return SafeTensors.loadModel(file);
        }
        Model model = ModelZoo.build(zooModel, 0);
        try {
            SafeTensors.load(model, file);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    static boolean isOnnx(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    static boolean isSafeTensors(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("FoveaClassifier: cannot read model file " + file + ": " + e.getMessage(),
                    e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
