package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
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
import dev.fovea.train.Loss;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Trainer;
import dev.fovea.data.Idx;
import dev.fovea.models.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java examples, as written there (only the data set size differs), so the docs keep working. */
class ReadmeExamplesTest {
    @Test
    void buildAndPredict() {
        float[] pixels = new float[28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 29) / 29f;
        }
        try (Model model = Sequential.builder(Input.image(28, 28, 1), Layout.NHWC)
                     .add(Conv2D.of(32, 3).activation(Activation.RELU))
                     .add(Pooling2D.max(2))
                     .add(Flatten.create())
                     .add(Dense.of(10).softmax())
                     .seed(42)
                     .build();
             Engine engine = Engine.open();
             Inference net = model.compile(engine)) {
            assertTrue(model.summary().contains("Total params: 54,410"), model.summary());
            float[] probabilities = net.predict(pixels, 1);
            double sum = 0;
            for (float p : probabilities) {
                sum += p;
            }
            assertEquals(10, probabilities.length);
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void predictFromPicturesAndIdx(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("fashion.safetensors");
        try (Model m = ModelZoo.build("fashion-cnn", 42)) {
            SafeTensors.save(m, weights);
        }
        Path png = dir.resolve("shoe.png");
        BufferedImage picture = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        picture.setRGB(20, 15, 0xffffff);
        ImageIO.write(picture, "png", png.toFile());
        byte[] bytes = new byte[300 * 28 * 28];
        new SplittableRandom(5).nextBytes(bytes);
        Path idxFile = dir.resolve("t10k-images-idx3-ubyte.gz");
        new Idx(Idx.UBYTE, new int[] {300, 28, 28}, bytes).write(idxFile, true);

        List<float[]> outputs = new ArrayList<>();
        try (Model model = SafeTensors.loadModel(weights);
             Engine engine = Engine.open();
             Inference net = model.compile(engine)) {
            float[] shoe = net.predict(Images.input(Images.read(png), model), 1);
            assertEquals(10, shoe.length);

            Idx images = Idx.read(idxFile);
            int n = images.dims()[0];
            int perImage = 28 * 28;
            for (int from = 0; from < n; from += 256) {
                int count = Math.min(256, n - from);
                float[] x = new float[count * perImage];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (images.data()[from * perImage + i] & 0xff) / 255f;
                }
                float[] probabilities = net.predict(x, count);
                outputs.add(probabilities);
            }
        }
        assertEquals(List.of(2560, 440), outputs.stream().map(o -> o.length).toList());
    }

    @Test
    void trainAndSave(@TempDir Path dir) throws Exception {
        Datasets.Split sample = Datasets.fashionMnistSample();
        Datasets.Split data = new Datasets.Split(sample.train().head(128), sample.test().head(64));
        Path file = dir.resolve("fashion.safetensors");
        try (Model model = ModelZoo.build("fashion-cnn", 42);
             Engine engine = Engine.open("reference");
             Trainer trainer = Trainer.builder(model, engine)
                     .loss(Loss.softmaxCrossEntropy()).optimizer(Optimizer.adam()).learningRate(1e-3)
                     .batchSize(64).epochs(1).seed(42).build()) {
            trainer.fit(data.train(), data.test());
            SafeTensors.save(model, file);
        }
        try (Model loaded = SafeTensors.loadModel(file)) {
            assertEquals("fashion-cnn", loaded.name());
        }
        assertTrue(Files.size(file) > 243_786L * 4);
    }
}
