package dev.fovea.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The batch job: classifies every picture under a folder and writes one row per file. Run by
 * {@code fovea spark-predict} or, from the shaded jar, by spark-submit:
 *
 * <pre>{@code
 * spark-submit --class dev.fovea.spark.SparkPredict fovea-spark.jar --model resnet18.onnx --input imgs/ --output out/
 * }</pre>
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true,
        description = {"Classify a folder of pictures on Apache Spark and write path, topLabels, topScores, "
                + "probability and error per file.",
                "Pictures are prepared as 'fovea predict' does: grayscale 28×28 for the zoo's models, the ImageNet "
                        + "recipe (--resize, --mean, --std) for RGB models."})
public final class SparkPredict implements Callable<Integer> {
    @Mixin
    PredictOptions options;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "",
            description = "The Fovea backend on the executors; the job fails with its reason where it cannot run "
                    + "(default: the best available one on each executor).")
    String backend;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SparkPredict());
        // A bad option or file is one line, as with the fovea command; anything else keeps its stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("spark-predict: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws IOException {
        return run(options, backend, new PrintWriter(System.out, true));
    }

    /**
     * Runs the job; prints one summary line to {@code out}. Usage problems throw {@link IllegalArgumentException}
     * before Spark starts.
     */
    public static int run(PredictOptions options, String backend, PrintWriter out) throws IOException {
        options.check();
        String[] labels = options.labels == null ? new String[0] : readLabels(options);
        boolean masterSet = options.master != null || new SparkConf().contains("spark.master");
        if (!masterSet) {
            throw new IllegalArgumentException("give --master URL (local[*], spark://HOST:7077, ...), or run the job"
                    + " with spark-submit");
        }
        SparkSession.Builder builder = SparkSession.builder().appName("fovea spark-predict");
        if (options.master != null) {
            builder.master(options.master);
        }
        // A session the caller already runs (a test, a notebook) is used and left running.
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = builder.getOrCreate();
        if (ownSession) {
            // Spark's INFO lines would bury the summary; warnings and errors still show.
            spark.sparkContext().setLogLevel("WARN");
        }
        try {
            FoveaClassifier classifier = new FoveaClassifier().setModelPath(options.model).setInputCol("content")
                    .setLabels(labels).setTopK(options.top).setBatchSize(options.batch).setThreads(options.threads)
                    .setMode(options.mode).setResize(options.resize).setBackend(backend == null ? "" : backend);
            if (options.mean != null) {
                classifier.setMean(options.mean[0], options.mean[1], options.mean[2]);
            }
            if (options.std != null) {
                classifier.setStd(options.std[0], options.std[1], options.std[2]);
            }
            Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .load(options.input);
            if (options.partitions > 0) {
                files = files.repartition(options.partitions);
            }
            classifier.transform(files).select("path", "topLabels", "topScores", "probability", "error")
                    .write().format(options.format).save(options.output);
            // count(error) counts the rows whose error is set; one pass over what was written.
            Row counts = spark.read().format(options.format).load(options.output)
                    .selectExpr("count(*)", "count(error)").first();
            long rows = counts.getLong(0);
            long errors = counts.getLong(1);
            out.println("wrote " + rows + " predictions to " + options.output + " (" + options.format + ")"
                    + (errors == 0 ? "" : "; " + errors + " file(s) could not be read: see the 'error' column"));
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    private static String[] readLabels(PredictOptions options) throws IOException {
        List<String> lines = Files.readAllLines(options.labels, StandardCharsets.UTF_8).stream()
                .map(String::strip).toList();
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isEmpty()) {
            n--;
        }
        if (n == 0) {
            throw new IllegalArgumentException("--labels file " + options.labels + " has no labels (one per line)");
        }
        return lines.subList(0, n).toArray(String[]::new);
    }
}
