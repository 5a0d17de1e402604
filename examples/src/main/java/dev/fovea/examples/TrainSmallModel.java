package dev.fovea.examples;

import dev.fovea.data.Dataset;
import dev.fovea.engine.Engine;
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
import dev.fovea.train.Callback;
import dev.fovea.train.Loss;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a small CNN, trains it to tell horizontal from vertical bars in noisy 16×16 images (made up here, so
 * the example needs no download), saves the weights, loads them into a fresh model and predicts with it.
 */
public final class TrainSmallModel {
    private static final int SIZE = 16;
    private static final List<String> CLASSES = List.of("horizontal", "vertical");

    public static void main(String[] args) throws Exception {
        Dataset train = bars("bars-train", 1024, 1);
        Dataset test = bars("bars-test", 256, 2);
        Path weights = Files.createTempFile("bars", ".safetensors");
        try (Model model = barsModel(7);
             Engine engine = Engine.open()) {
            System.out.println("backend: " + engine.name());
            System.out.print(model.summary());
            try (Trainer trainer = Trainer.builder(model, engine)
                    .loss(Loss.softmaxCrossEntropy()).optimizer(Optimizer.adam()).learningRate(3e-3)
                    .batchSize(32).epochs(6).seed(7).build()) {
                for (Callback.EpochEnd e : trainer.fit(train, test)) {
                    System.out.printf("epoch %d: train loss %.4f, test accuracy %.4f%n", e.epoch() + 1, e.trainLoss(),
                            e.test().accuracy());
                }
                double accuracy = trainer.evaluate(test).accuracy();
                if (accuracy < 0.9) {
                    throw new IllegalStateException("the bars should be learned in 6 epochs; test accuracy " + accuracy);
                }
            }
            SafeTensors.save(model, weights);

            // A fresh model with other initial weights predicts like the trained one once the file is loaded.
            try (Model loaded = barsModel(99)) {
                SafeTensors.load(loaded, weights);
                try (Inference trained = model.compile(engine);
                     Inference reloaded = loaded.compile(engine)) {
                    float[] image = test.image(0);
                    float[] a = trained.predict(image, 1);
                    float[] b = reloaded.predict(image, 1);
                    for (int i = 0; i < a.length; i++) {
                        if (a[i] != b[i]) {
                            throw new IllegalStateException("reloaded weights predict " + b[i] + ", trained " + a[i]);
                        }
                    }
                    int best = a[1] > a[0] ? 1 : 0;
                    System.out.printf("first test image: %s (p = %.3f), labelled %s%n", CLASSES.get(best), a[best],
                            CLASSES.get(test.label(0)));
                }
            }
        } finally {
            Files.deleteIfExists(weights);
        }
    }

    /** Conv → pool → conv → pool → dense: the usual small image classifier, shapes inferred from the input. */
    static Model barsModel(long seed) {
        return Sequential.builder(Input.image(SIZE, SIZE, 1), Layout.NHWC)
                .add(Conv2D.of(8, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(8, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(CLASSES.size()).softmax())
                .seed(seed)
                .build();
    }

    /** {@code n} images with one bright bar (label 0: horizontal, 1: vertical) at a random place, over noise. */
    static Dataset bars(String name, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[n * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(2);
            int line = random.nextInt(SIZE);
            int from = random.nextInt(SIZE / 2);
            int length = SIZE / 3 + random.nextInt(SIZE / 2);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean onBar = labels[i] == 0
                            ? y == line && x >= from && x < from + length
                            : x == line && y >= from && y < from + length;
                    pixels[(i * SIZE + y) * SIZE + x] = (byte) (onBar ? 200 + random.nextInt(56) : random.nextInt(80));
                }
            }
        }
        return Dataset.of(name, SIZE, SIZE, 1, pixels, labels, CLASSES);
    }
}
