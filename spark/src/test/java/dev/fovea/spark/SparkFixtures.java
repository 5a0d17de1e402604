package dev.fovea.spark;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.spi.BackendOptions;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Test data shared by the local and the standalone Spark tests. */
final class SparkFixtures {
    /** The images the tests classify. */
    static final int IMAGES = 2000;
    static final StructType FLOATS_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)));

    private SparkFixtures() {
    }

    /**
     * 2,000 Fashion-MNIST images, 28·28 values in [0, 1]: the bundled sample's 1,200 and the first 800 of them
     * mirrored left to right.
     */
    static List<float[]> images() {
        Datasets.Split sample = Datasets.fashionMnistSample();
        List<float[]> all = new ArrayList<>();
        for (Dataset d : List.of(sample.train(), sample.test())) {
            for (int i = 0; i < d.size(); i++) {
                all.add(d.image(i));
            }
        }
        for (int i = 0; all.size() < IMAGES; i++) {
            float[] src = all.get(i);
            float[] mirrored = new float[src.length];
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    mirrored[y * 28 + x] = src[y * 28 + 27 - x];
                }
            }
            all.add(mirrored);
        }
        return all;
    }

    /** Rows (id, pixels) of the images. */
    static List<Row> rows(List<float[]> images) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Float[] boxed = new Float[images.get(i).length];
            for (int k = 0; k < boxed.length; k++) {
                boxed[k] = images.get(i)[k];
            }
            rows.add(RowFactory.create(i, Arrays.asList(boxed)));
        }
        return rows;
    }

    /** fashion-cnn with weights from seed 42, saved as safetensors. */
    static Path fashionWeights(Path dir) throws IOException {
        Path file = dir.resolve("fashion-cnn.safetensors");
        try (Model model = ModelZoo.build("fashion-cnn", 42)) {
            SafeTensors.save(model, file);
        }
        return file;
    }

    /** The single-JVM predictions: {@code Inference} on the vector backend with one thread, in batches. */
    static float[][] singleJvm(Path weights, List<float[]> images, int batch) throws IOException {
        try (Model model = SafeTensors.loadModel(weights);
             Engine engine = Engine.open("vector", new BackendOptions(1));
             Inference net = model.compile(engine)) {
            float[][] out = new float[images.size()][];
            for (int from = 0; from < images.size(); from += batch) {
                int n = Math.min(batch, images.size() - from);
                float[] x = new float[n * 784];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(images.get(from + i), 0, x, i * 784, 784);
                }
                float[] y = net.predict(x, n);
                for (int i = 0; i < n; i++) {
                    out[from + i] = Arrays.copyOfRange(y, i * 10, (i + 1) * 10);
                }
            }
            return out;
        }
    }

    /** Writes image {@code i} as an 8-bit grayscale PNG (its values are k / 255, so the PNG holds them exactly). */
    static Path png(Path dir, String name, float[] image) throws IOException {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) picture.getRaster().getDataBuffer()).getData();
        for (int k = 0; k < 784; k++) {
            data[k] = (byte) Math.round(image[k] * 255);
        }
        Path file = dir.resolve(name);
        ImageIO.write(picture, "png", file.toFile());
        return file;
    }

    /** What {@code fovea predict} computes for a picture file: {@code Images.input} and one prediction. */
    static float[] singleJvmPicture(Inference net, Model model, Path file) throws IOException {
        return net.predict(Images.input(Images.read(file), model), 1);
    }

    /**
     * Corrupt files beside the pictures: text named .png and a truncated PNG. (An empty file is no row at all:
     * Spark's file sources skip files of length 0.)
     */
    static List<Path> corruptFiles(Path dir, Path goodPng) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "this is not a picture");
        byte[] png = Files.readAllBytes(goodPng);
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        return List.of(text, truncated);
    }
}
