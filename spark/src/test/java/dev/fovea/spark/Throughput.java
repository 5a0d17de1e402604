package dev.fovea.spark;

import dev.fovea.engine.Engine;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.spi.BackendOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Images per second of fashion-cnn over the 2,000 test images repeated {@code REPEAT} times: a plain single-JVM {@code Inference} loop, and the
 * classifier on each Spark master given (local[1], local[2], spark://...), all on the vector backend with one
 * thread per task and the same batch size. Each figure is the median of {@code rounds} timed passes after two
 * untimed ones; the input frame is cached first, and the output goes to Spark's {@code noop} sink. Run by
 * {@code spark/throughput.sh}, not by the tests.
 *
 * <p>Arguments: {@code BATCH ROUNDS REPEAT [MASTER]... [SPARK_JAR]}; a {@code spark://} master gets {@code SPARK_JAR}
 * through {@code spark.jars} (the last argument when it ends in .jar).
 */
public final class Throughput {
    private Throughput() {
    }

    public static void main(String[] args) throws Exception {
        int batch = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int repeat = Integer.parseInt(args[2]);
        List<String> masters = new ArrayList<>(Arrays.asList(args).subList(3, args.length));
        String jar = !masters.isEmpty() && masters.getLast().endsWith(".jar") ? masters.removeLast() : null;
        List<float[]> images = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            images.addAll(SparkFixtures.images());
        }
        Path dir = Files.createTempDirectory("fovea-throughput");
        Path weights = SparkFixtures.fashionWeights(dir);

        double single = median(rounds, () -> SparkFixtures.singleJvm(weights, images, batch));
        // singleJvm opens and compiles each time; time the loop alone as well, on one compiled model.
        double loop;
        try (Model model = SafeTensors.loadModel(weights); Engine engine = Engine.open("vector", new BackendOptions(1));
             Inference net = model.compile(engine)) {
            loop = median(rounds, () -> {
                for (int from = 0; from < images.size(); from += batch) {
                    int n = Math.min(batch, images.size() - from);
                    float[] x = new float[n * 784];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(images.get(from + i), 0, x, i * 784, 784);
                    }
                    net.predict(x, n);
                }
                return null;
            });
        }
        report("single JVM, Inference loop", images.size(), loop, loop);
        report("single JVM, loading + loop", images.size(), single, loop);
        for (String master : masters) {
            SparkSession.Builder b = SparkSession.builder().appName("fovea-throughput").master(master)
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false");
            if (master.startsWith("spark://")) {
                b.config("spark.jars", jar).config("spark.executor.extraJavaOptions", "--add-modules "
                        + "jdk.incubator.vector --enable-native-access=ALL-UNNAMED "
                        + "--sun-misc-unsafe-memory-access=allow").config("spark.executor.memory", "700m");
            }
            SparkSession spark = b.getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                int partitions = Math.max(2, spark.sparkContext().defaultParallelism());
                Dataset<Row> in = spark.createDataFrame(SparkFixtures.rows(images), SparkFixtures.FLOATS_SCHEMA)
                        .repartition(partitions).cache();
                in.count();
                FoveaClassifier c = new FoveaClassifier().setModelPath(weights.toString()).setInputCol("pixels")
                        .setBackend("vector").setThreads(1).setBatchSize(batch);
                double t = median(rounds, () -> {
                    c.transform(in).write().format("noop").mode("overwrite").save();
                    return null;
                });
                report("Spark " + master + " (" + partitions + " partitions)", images.size(), t, loop);
            } finally {
                spark.stop();
            }
        }
    }

    interface Pass {
        Object run() throws Exception;
    }

    /** Median seconds of {@code rounds} passes after two untimed ones. */
    private static double median(int rounds, Pass pass) throws Exception {
        pass.run();
        pass.run();
        double[] s = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            pass.run();
            s[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return s[rounds / 2];
    }

    private static void report(String what, int images, double seconds, double loopSeconds) {
        System.out.printf(Locale.ROOT, "%-45s %8.0f images/s  (%.3f s per pass; time ÷ plain loop: %.2f)%n", what,
                images / seconds, seconds, seconds / loopSeconds);
    }
}
