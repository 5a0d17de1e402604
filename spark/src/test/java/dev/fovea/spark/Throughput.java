package dev.fovea.spark;

import dev.fovea.engine.Engine;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import dev.fovea.spi.BackendOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Images per second of a model through a plain single-JVM {@code Inference} loop and through the classifier on each
 * Spark master given (local[1], local[2], spark://...), all on the vector backend with one thread per task and the
 * same batch size. Run by {@code spark/throughput.sh}, not by the tests.
 *
 * <p>The model is {@code fashion-cnn} (seed-42 weights; the 2,000 test images, repeated up to {@code IMAGES} rows)
 * or an ONNX file (rows of pseudo-random values in [0, 1], as many as the model's input takes; the time per image
 * does not depend on the values). The input frame is cached first and the output goes to Spark's {@code noop}
 * sink. On each master the loop and the Spark job take turns, {@code ROUNDS} times after two untimed turns each,
 * so that a busy host slows both alike: the figures are medians, and the ratio is the median of the rounds' own
 * ratios. CPU time per row is the loop thread's, against the Spark tasks' (executor CPU time, from the task
 * metrics): it leaves out waiting for a core, which wall time on a shared host does not.
 *
 * <p>Arguments: {@code MODEL BATCH ROUNDS IMAGES [MASTER]... [SPARK_JAR]}; a {@code spark://} master gets
 * {@code SPARK_JAR} through {@code spark.jars} (the last argument when it ends in .jar).
 */
public final class Throughput {
    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)));

    private Throughput() {
    }

    public static void main(String[] args) throws Exception {
        String modelName = args[0];
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        List<String> masters = new ArrayList<>(Arrays.asList(args).subList(4, args.length));
        String jar = !masters.isEmpty() && masters.getLast().endsWith(".jar") ? masters.removeLast() : null;
        Path dir = Files.createTempDirectory("fovea-throughput");
        Path file = modelName.equals("fashion-cnn") ? SparkFixtures.fashionWeights(dir) : Path.of(modelName);
        List<float[]> images = new ArrayList<>();
        try (Model model = load(file)) {
            int perItem = Math.toIntExact(model.inputShape(1).perItem());
            if (modelName.equals("fashion-cnn")) {
                List<float[]> test = SparkFixtures.images();
                for (int i = 0; i < count; i++) {
                    images.add(test.get(i % test.size()));
                }
            } else {
                for (int i = 0; i < count; i++) {
                    images.add(random(i, perItem));
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d rows of %d floats, batch %d, %d rounds%n", model.name(), count,
                    perItem, batch, rounds);
        }
        try (Model model = load(file); Engine engine = Engine.open("vector", new BackendOptions(1));
             Inference net = model.compile(engine)) {
            Loop loop = new Loop(net, images, batch);
            double[] alone = new double[rounds];
            loop.run();
            loop.run();
            loop.resetCpu();
            for (int r = 0; r < rounds; r++) {
                alone[r] = loop.run();
            }
            System.out.printf(Locale.ROOT, "%-44s %8.1f images/s  CPU %7.1f µs/row%n", "single JVM, Inference loop",
                    count / median(alone), loop.cpuMicrosPerRow());
            for (String master : masters) {
                spark(master, jar, file, batch, rounds, images, loop);
            }
        }
    }

    private static Model load(Path file) throws IOException {
        return ModelSource.isOnnx(file.toString()) ? Onnx.load(file) : SafeTensors.loadModel(file);
    }

    /** The loop and the classifier on {@code master}, taking turns. */
    private static void spark(String master, String jar, Path file, int batch, int rounds, List<float[]> images,
                              Loop loop) throws Exception {
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
        AtomicLong taskCpu = new AtomicLong();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) {
                    taskCpu.addAndGet(end.taskMetrics().executorCpuTime()
                            + end.taskMetrics().executorDeserializeCpuTime());
                }
            }
        });
        try {
            int partitions = Math.max(2, spark.sparkContext().defaultParallelism());
            Dataset<Row> source;
            if (ModelSource.isOnnx(file.toString())) {
                // Large rows: made where they are cached, not shipped from here (other values than the loop's,
                // also in [0, 1]: the time per image does not depend on them).
                int perItem = images.getFirst().length;
                source = spark.range(0, images.size(), 1, partitions).selectExpr("cast(id as int) as id",
                        "transform(sequence(0, " + (perItem - 1) + "), k -> cast((hash(id, k) & 65535) / 65535.0 "
                                + "as float)) as pixels");
            } else {
                List<Row> rows = new ArrayList<>(images.size());
                for (int i = 0; i < images.size(); i++) {
                    rows.add(RowFactory.create(i, boxed(images.get(i))));
                }
                source = spark.createDataFrame(rows, SCHEMA).repartition(partitions);
            }
            Dataset<Row> in = source.cache();
            in.count();
            FoveaClassifier c = new FoveaClassifier().setModelPath(file.toString()).setInputCol("pixels")
                    .setBackend("vector").setThreads(1).setBatchSize(batch);
            Pass job = () -> {
                long t0 = System.nanoTime();
                c.transform(in).write().format("noop").mode("overwrite").save();
                return (System.nanoTime() - t0) / 1e9;
            };
            for (int w = 0; w < 2; w++) {
                loop.run();
                job.run();
            }
            spark.sparkContext().listenerBus().waitUntilEmpty();
            taskCpu.set(0);
            loop.resetCpu();
            double[] loopTimes = new double[rounds];
            double[] sparkTimes = new double[rounds];
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                loopTimes[r] = loop.run();
                sparkTimes[r] = job.run();
                ratios[r] = sparkTimes[r] / loopTimes[r];
            }
            spark.sparkContext().listenerBus().waitUntilEmpty();
            int n = images.size();
            System.out.printf(Locale.ROOT, "%-44s %8.1f images/s  CPU %7.1f µs/row%n",
                    "Spark " + master + " (" + partitions + " partitions)", n / median(sparkTimes),
                    taskCpu.get() / 1e3 / ((double) n * rounds));
            System.out.printf(Locale.ROOT, "%-44s %8.1f images/s  CPU %7.1f µs/row  time ÷ loop: %.2f "
                    + "(rounds: %s)%n", "  the loop, in turn with it", n / median(loopTimes),
                    loop.cpuMicrosPerRow(), median(ratios), format(ratios));
        } finally {
            spark.stop();
        }
    }

    /** Image {@code i} of a model without test images: seeded values in [0, 1). */
    private static float[] random(long i, int perItem) {
        SplittableRandom random = new SplittableRandom(42 + i);
        float[] v = new float[perItem];
        for (int k = 0; k < perItem; k++) {
            v[k] = (float) random.nextDouble();
        }
        return v;
    }

    private static List<Float> boxed(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int k = 0; k < values.length; k++) {
            boxed[k] = values[k];
        }
        return Arrays.asList(boxed);
    }

    interface Pass {
        double run() throws Exception;
    }

    /** The single-JVM loop: batches copied from the images, as the Spark tasks copy them from the rows. */
    private static final class Loop {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final Inference net;
        private final List<float[]> images;
        private final int batch;
        private long cpuNanos;
        private long rows;

        Loop(Inference net, List<float[]> images, int batch) {
            this.net = net;
            this.images = images;
            this.batch = batch;
        }

        /** One pass over the images; its seconds. */
        double run() {
            int perItem = images.getFirst().length;
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int from = 0; from < images.size(); from += batch) {
                int n = Math.min(batch, images.size() - from);
                float[] x = new float[n * perItem];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(images.get(from + i), 0, x, i * perItem, perItem);
                }
                net.predict(x, n);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            cpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
            rows += images.size();
            return seconds;
        }

        void resetCpu() {
            cpuNanos = 0;
            rows = 0;
        }

        double cpuMicrosPerRow() {
            return cpuNanos / 1e3 / rows;
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String format(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return b.toString();
    }
}
