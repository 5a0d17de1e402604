package dev.fovea.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of the batch job, shared by {@code fovea spark-predict} and {@link SparkPredict}'s {@code main}
 * (spark-submit). No Spark type appears here, so the {@code fovea} command loads it without Spark.
 */
public final class PredictOptions {
    /** Output formats that hold the probability vector and the top-k arrays. */
    public static final List<String> FORMATS = List.of("parquet", "json", "orc");

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], spark://HOST:PORT, ... "
            + "(default: the one spark-submit sets).")
    String master;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "An .onnx file, or a zoo model's .safetensors weights; every executor must see it (a shared"
                    + " path, or spark-submit --files FILE with --model FILE's name).")
    String model;

    @Option(names = "--input", paramLabel = "DIR", required = true,
            description = "Folder of PNG, JPEG, GIF or BMP files (read recursively), or any path Spark reads.")
    String input;

    @Option(names = "--output", paramLabel = "DIR", required = true,
            description = "Folder to write: columns path, topLabels, topScores, probability, error. Must not exist.")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet",
            description = "Output format: parquet, json or orc (default: parquet).")
    String format;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one per line, in class order (default: the zoo model's, else 'class N').")
    Path labels;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes listed per image (default: 5).")
    int top;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "Images per call to the model within a partition (default: 64).")
    int batch;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Backend threads per task (default: 0, the task's CPUs, spark.task.cpus).")
    int threads;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "PERMISSIVE",
            description = "Undecodable images: PERMISSIVE (a row with null predictions and the problem in 'error') "
                    + "or FAILFAST (the job fails naming the file). Default: PERMISSIVE.")
    String mode;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Repartition the files into N partitions first (default: 0, as Spark lists them).")
    int partitions;

    @Option(names = "--resize", paramLabel = "N", defaultValue = "0",
            description = "RGB models: the shorter side before the centre crop (default: the crop ÷ 0.875).")
    int resize;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "RGB models: per-channel mean (default: 0.485,0.456,0.406).")
    double[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "RGB models: per-channel standard deviation (default: 0.229,0.224,0.225).")
    double[] std;

    /** The checks that need no Spark; the classifier checks its own parameters when the job starts. */
    void check() {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("--format must be one of " + FORMATS + ", got '" + format + "'");
        }
        if (!input.contains("://") && !Files.exists(Path.of(input))) {
            throw new IllegalArgumentException("--input " + input + " does not exist");
        }
        if (!output.contains("://") && Files.exists(Path.of(output))) {
            throw new IllegalArgumentException("--output " + output + " already exists; give a new folder");
        }
        if (labels != null && !Files.isRegularFile(labels)) {
            throw new IllegalArgumentException("--labels file " + labels + " does not exist");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be ≥ 0, got " + partitions);
        }
        for (double[] v : new double[][] {mean, std}) {
            if (v != null && v.length != 3) {
                throw new IllegalArgumentException("--mean and --std take 3 values R,G,B, got " + Arrays.toString(v));
            }
        }
    }
}
