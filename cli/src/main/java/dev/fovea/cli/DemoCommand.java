package dev.fovea.cli;

import dev.fovea.cli.demo.Evaluation;
import dev.fovea.cli.demo.Figure;
import dev.fovea.cli.demo.History;
import dev.fovea.cli.demo.ImageSet;
import dev.fovea.cli.demo.IndexPage;
import dev.fovea.cli.demo.Pictures;
import dev.fovea.cli.demo.Report;
import dev.fovea.data.DatasetNotFoundException;
import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.train.Callback;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Schedule;
import dev.fovea.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea demo}: the main job. Trains {@code fashion-cnn} (the Fashion-MNIST CNN of the Keras course) on Fashion-MNIST, evaluates it, and
 * writes pictures that explain it (training curves, learned filters, feature maps, labelled predictions,
 * confusion matrix) with an {@code index.html}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train fashion-cnn (the Keras course's CNN) on Fashion-MNIST and show what it learned.",
                "Picks the best backend that can train (saying which and why), prints the model summary, trains "
                        + "with a progress bar, then prints test accuracy, per-class accuracy and a confusion matrix, "
                        + "and writes pictures (training curves, first-layer filters, feature maps of one test image "
                        + "after each convolution and pooling layer, labelled test predictions, confusion matrix) "
                        + "and index.html into --out.",
                "Data: --data DIR, else $FOVEA_DATA, else the Debian package dataset-fashion-mnist "
                        + "(/usr/share/datasets/fashion-mnist); without any of them, the 1,000 + 200 image sample "
                        + "bundled with Fovea (the demo says so)."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four Fashion-MNIST IDX files.")
    Path data;

    @Option(names = "--sample", description = "Use the 1,000 + 200 image sample bundled with Fovea even where the full "
            + "data set is installed.")
    boolean sample;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "8",
            description = "Training epochs, 1 to " + TrainCommand.MAX_EPOCHS + " (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "fovea-demo",
            description = "Folder for the pictures and index.html (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", hidden = true,
            description = "Train and test on the first N images only (for quick runs and tests).")
    int limit;

    @Option(names = "--no-progress",
            description = "No progress bar (epoch lines only); it is off anyway when the output is not a terminal.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Checks c = new Checks(spec);
        c.between("--epochs", epochs, 1, TrainCommand.MAX_EPOCHS);
        c.atLeast("--limit", limit, 0);
        c.notTogether("--sample", "--data", "the sample is bundled with Fovea, --data names a folder to read");
        Checks.outputFolder("--out", out);
        Datasets.Split split = loadData(o);
        Dataset train = limit > 0 ? split.train().head(Math.min(limit, split.train().size())) : split.train();
        Dataset test = limit > 0 ? split.test().head(Math.min(limit, split.test().size())) : split.test();
        List<String> classes = test.classes();

        try (Engine engine = TrainingEngines.open(fovea, 0, spec.commandLine().getErr());
             Model model = ModelZoo.build("fashion-cnn", 0)) {
            o.println("backend: " + engine.name() + " — " + whyBackend(engine.name()));
            o.println();
            o.print(model.summary());
            o.printf("%ntraining on %,d images, testing on %,d: Adam, learning rate 0.001 with cosine decay, "
                    + "batch 64, %d epoch%s%n", train.size(), test.size(), epochs, epochs == 1 ? "" : "s");
            o.flush();

            List<Callback.EpochEnd> epochsDone;
            try (TrainingProgress progress = new TrainingProgress(o, !noProgress, epochs);
                 Trainer trainer = Trainer.builder(model, engine).optimizer(Optimizer.adam()).learningRate(1e-3)
                         .schedule(Schedule.cosine(0.01)).batchSize(64).epochs(epochs).seed(0).callback(progress)
                         .build()) {
                epochsDone = trainer.fit(train, test);
            }

            History history = new History(
                    epochsDone.stream().map(Callback.EpochEnd::trainLoss).toList(),
                    epochsDone.stream().map(Callback.EpochEnd::trainAccuracy).toList(),
                    epochsDone.stream().map(e -> e.test().loss()).toList(),
                    epochsDone.stream().map(e -> e.test().accuracy()).toList());
            ImageSet testImages = images(test);
            Files.createDirectories(out);
            try (Inference net = model.compile(engine)) {
                Evaluation evaluation = Evaluation.run(net, testImages, 256);
                o.println();
                o.print(Report.text(evaluation, classes));
                List<Figure> figures = Pictures.demo(out, net, history, testImages, evaluation, classes);
                List<String> facts = List.of(
                        "model: fashion-cnn, " + String.format("%,d", model.parameterCount()) + " parameters",
                        "data: " + train.name() + " (" + String.format("%,d", train.size()) + " training images), "
                                + test.name() + " (" + String.format("%,d", test.size()) + " test images)",
                        "backend: " + engine.name(),
                        "epochs: " + epochs + ", final test accuracy " + String.format("%.4f",
                                evaluation.accuracy()));
                Path index = IndexPage.write(out, "Fovea demo: fashion-cnn on Fashion-MNIST", facts, figures,
                        List.of(new IndexPage.Block("Model summary", model.summary()),
                                new IndexPage.Block("Evaluation", Report.text(evaluation, classes))));
                o.println();
                o.println("wrote " + figures.size() + " pictures and " + index + ":");
                for (Figure f : figures) {
                    o.println("  " + out.resolve(f.file()) + " — " + f.title());
                }
            }
        }
        return 0;
    }

    /** The full data set where one is found; otherwise the bundled sample, saying so. */
    private Datasets.Split loadData(PrintWriter o) {
        if (sample) {
            o.println("data: the 1,000 + 200 image Fashion-MNIST sample bundled with Fovea (--sample)");
            return Datasets.fashionMnistSample();
        }
        if (data != null) {
            o.println("data: Fashion-MNIST from " + data);
            return Datasets.fashionMnist(data);
        }
        try {
            Datasets.Split split = Datasets.fashionMnist(null);
            o.println("data: the full Fashion-MNIST (" + String.format("%,d", split.train().size()) + " + "
                    + String.format("%,d", split.test().size()) + " images)");
            return split;
        } catch (DatasetNotFoundException e) {
            o.println("data: the full Fashion-MNIST was not found, so the demo uses the 1,000 + 200 image sample "
                    + "bundled with Fovea (accuracy will be lower). For the full set: apt-get install "
                    + "dataset-fashion-mnist, or --data DIR.");
            return Datasets.fashionMnistSample();
        }
    }

    /** Why this backend: it was named, or the higher-priority ones were unavailable or cannot train. */
    private String whyBackend(String chosen) {
        if (fovea.requestedBackend().isPresent()) {
            return "named with --backend / FOVEA_BACKEND / -Dfovea.backend";
        }
        List<String> skipped = new ArrayList<>();
        for (BackendInfo b : Backends.list()) {
            if (b.name().equals(chosen)) {
                break;
            }
            skipped.add(b.name() + ": " + (b.availability().available() ? "cannot train yet"
                    : b.availability().reason()));
        }
        return "the highest-priority available backend that can train" + (skipped.isEmpty() ? ""
                : " (skipped " + String.join("; ", skipped) + ")");
    }

    private static ImageSet images(Dataset d) {
        int per = d.height() * d.width() * d.channels();
        float[] pixels = new float[d.size() * per];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.image(i), 0, pixels, i * per, per);
            labels[i] = d.label(i);
        }
        return new ImageSet(pixels, labels, d.size(), d.channels(), d.height(), d.width());
    }
}
