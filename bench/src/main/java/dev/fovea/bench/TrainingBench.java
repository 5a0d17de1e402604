package dev.fovea.bench;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.nn.Trainable;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Trainer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Speed figures for {@code fashion-cnn} (the Fashion-MNIST CNN of the Keras course): training steps of the recipe (Adam, batch 64)
 * as milliseconds per step and the seconds a 60,000-image epoch takes at that pace, and inference at batch 256 in
 * images per second, both through the compiled {@link Inference} (the public API, which allocates each pass's
 * activations) and through a {@link Trainable} evaluation pass (activations kept from pass to pass). The data is
 * the embedded Fashion-MNIST sample: the pace does not depend on the pixel values. Medians over several rounds
 * after a warm-up; absolute figures drift on a shared host, so compare ratios measured in one run.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "$(cat bench/target/classpath.txt):bench/target/classes" \
 *     dev.fovea.bench.TrainingBench --threads 1,2
 * }</pre>
 */
public final class TrainingBench {
    /** Training images of Fashion-MNIST: the steps of one epoch at batch 64. */
    static final int EPOCH_IMAGES = 60_000;
    static final int BATCH = 64;
    static final int INFERENCE_BATCH = 256;

    private TrainingBench() {
    }

    /** One thread count's figures. */
    public record Result(int threads, double msPerStep, double epochSeconds, double inferenceImagesPerSecond,
                         double evalPassImagesPerSecond) {
    }

    public static void main(String[] args) {
        String threads = "1,2";
        int rounds = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: TrainingBench [--threads 1,2] [--rounds 7]");
                    System.exit(2);
                }
            }
        }
        PrintStream out = System.out;
        out.println("threads\tms_per_step\tepoch_s\tinference_img_per_s\teval_pass_img_per_s");
        for (String t : threads.split(",")) {
            Result r = measure(Integer.parseInt(t.trim()), rounds);
            out.printf(Locale.ROOT, "%d\t%.2f\t%.1f\t%.0f\t%.0f%n", r.threads(), r.msPerStep(), r.epochSeconds(),
                    r.inferenceImagesPerSecond(), r.evalPassImagesPerSecond());
        }
    }

    /** Measures training and inference on the vector backend with {@code threads} worker threads. */
    public static Result measure(int threads, int rounds) {
        Dataset sample = Datasets.fashionMnistSample().train();
        int steps = sample.size() / BATCH;
        Dataset train = sample.head(steps * BATCH);
        try (Engine engine = Engine.open("vector", new BackendOptions(threads));
             Model model = ModelZoo.fashionCnn(0)) {
            double[] stepMs = new double[rounds];
            try (Trainer trainer = Trainer.builder(model, engine).optimizer(Optimizer.adam()).learningRate(1e-3)
                    .batchSize(BATCH).epochs(1).seed(1).build()) {
                for (int i = 0; i < 4; i++) {
                    trainer.fit(train, null);
                }
                for (int i = 0; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    trainer.fit(train, null);
                    stepMs[i] = (System.nanoTime() - t0) / 1e6 / steps;
                }
            }
            double ms = median(stepMs);
            double epoch = ms * Math.ceil((double) EPOCH_IMAGES / BATCH) / 1e3;
            return new Result(threads, ms, epoch, inference(model, engine, sample, rounds),
                    evalPass(model, engine, sample, rounds));
        }
    }

    private static double inference(Model model, Engine engine, Dataset data, int rounds) {
        try (Inference net = model.compile(engine); TensorScope s = new TensorScope()) {
            Tensor x = data.batch(data.identityOrder(), 0, INFERENCE_BATCH, s);
            return imagesPerSecond(rounds, () -> {
                try (TensorScope out = new TensorScope()) {
                    net.predict(x, out);
                }
            });
        }
    }

    private static double evalPass(Model model, Engine engine, Dataset data, int rounds) {
        try (Trainable t = Trainable.of(model, engine); TensorScope s = new TensorScope()) {
            Tensor x = data.batch(data.identityOrder(), 0, INFERENCE_BATCH, s);
            return imagesPerSecond(rounds, () -> {
                try (Trainable.Pass pass = t.forward(x, false, false, 0)) {
                    pass.output();
                }
            });
        }
    }

    /** Warms {@code pass} up for about a second, then the median of {@code rounds} rounds of 10 passes. */
    private static double imagesPerSecond(int rounds, Runnable pass) {
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) {
            pass.run();
        }
        double[] perPass = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            for (int j = 0; j < 10; j++) {
                pass.run();
            }
            perPass[i] = (System.nanoTime() - t0) / 1e9 / 10;
        }
        return INFERENCE_BATCH / median(perPass);
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
