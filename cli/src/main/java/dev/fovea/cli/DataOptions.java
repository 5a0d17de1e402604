package dev.fovea.cli;

import dev.fovea.data.Datasets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the training and test images come from: shared by {@code train} and {@code evaluate}. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with the four IDX files (train-images-idx3-ubyte.gz, ...). Default: $FOVEA_DATA,"
                    + " else " + Datasets.DEBIAN_FASHION_MNIST + " (Debian package dataset-fashion-mnist).")
    Path dir;

    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "fashion-mnist",
            description = "fashion-mnist or mnist (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--sample", description = "Use the 1,000 + 200 image Fashion-MNIST sample bundled with Fovea.")
    boolean sample;

    /** {@code --sample} excludes {@code --data} and {@code --dataset} (a missing folder is {@link #load}'s to say). */
    void check(Checks c) {
        c.notTogether("--sample", "--data", "the sample is bundled with Fovea, --data names a folder to read");
        c.notTogether("--sample", "--dataset", "the bundled sample is Fashion-MNIST");
    }

    Datasets.Split load() {
        if (sample) {
            return Datasets.fashionMnistSample();
        }
        return switch (dataset) {
            case "fashion-mnist" -> Datasets.fashionMnist(dir);
            case "mnist" -> Datasets.mnist(dir);
            default -> throw new IllegalArgumentException("unknown --dataset '" + dataset
                    + "'; known: fashion-mnist, mnist");
        };
    }
}
