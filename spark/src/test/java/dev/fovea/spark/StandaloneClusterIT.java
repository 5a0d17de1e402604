package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A standalone Spark cluster on 127.0.0.1: a master and two workers (one core each), each a JVM started from the
 * Maven's Spark jars; the executors are the workers' children and receive {@code target/fovea-spark.jar} (the
 * spark-submit jar) through {@code spark.jars}. Runs after packaging (failsafe). Every wait is bounded, and every
 * JVM started here is stopped at the end, with its children.
 */
class StandaloneClusterIT {
    /** The longest any one step (a JVM starting, a worker registering) may take. */
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    static final List<Process> started = new ArrayList<>();
    static Path masterLog;
    static int masterPort;
    static SparkSession spark;
    /** One weights file for both tests: the executors' cache then holds one model. */
    static Path weights;

    @BeforeAll
    static void startCluster() throws IOException {
        weights = SparkFixtures.fashionWeights(dir);
        Path jar = Path.of(System.getProperty("fovea.spark.jar", "target/fovea-spark.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " is built by 'package' before this test");
        // A worker launches executors only from SPARK_HOME/jars; links to the Maven jars are enough.
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        String classpath = Files.readString(Path.of(System.getProperty("fovea.spark.classpath",
                "target/spark-classpath.txt"))).strip();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path target = Path.of(entry);
            Path link = jars.resolve(target.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, target);
            }
        }
        masterPort = freePort();
        masterLog = dir.resolve("master.log");
        // No REST submission port: the test binds only the ports it asks for.
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(masterPort), "--webui-port", "0");
        waitFor("the master to listen on 127.0.0.1:" + masterPort, () -> listening(masterPort));
        for (int w = 1; w <= 2; w++) {
            Path work = Files.createDirectories(dir.resolve("work-" + w));
            start("worker-" + w, "org.apache.spark.deploy.worker.Worker", "spark://127.0.0.1:" + masterPort,
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0", "--work-dir",
                    work.toString());
        }
        waitFor("two workers to register", () -> count(masterLog, "Registering worker") >= 2);

        spark = SparkSession.builder().appName("fovea-standalone-test").master("spark://127.0.0.1:" + masterPort)
                .config("spark.jars", jar.toAbsolutePath() + "," + probeJar())
                .config("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector "
                        + "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow")
                .config("spark.executor.memory", "700m")
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.task.maxFailures", "1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        waitFor("two executors", () -> spark.sparkContext().getExecutorMemoryStatus().size() >= 3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            // Workers first (their executors are their children), then the master; each with its descendants.
            Collections.reverse(started);
            for (Process p : started) {
                stop(p);
            }
            for (Process p : started) {
                assertTrue(!p.isAlive() && p.descendants().noneMatch(ProcessHandle::isAlive),
                        "JVM " + p.pid() + " stopped");
            }
        }
    }

    @Test
    void predictionsOnTwoExecutorsMatchSingleJvmInference() throws IOException {
        // The local test checks all 2,000 images; here the point is executors of their own.
        List<float[]> images = SparkFixtures.images().subList(0, 400);
        float[][] expected = SparkFixtures.singleJvm(weights, images, 64);

        Dataset<Row> in = spark.createDataFrame(SparkFixtures.rows(images), SparkFixtures.FLOATS_SCHEMA)
                .repartition(4);
        FoveaClassifier classifier = new FoveaClassifier().setModelPath(weights.toString()).setInputCol("pixels")
                .setBackend("vector").setThreads(1).setBatchSize(64);
        Map<Integer, Vector> byId = new HashMap<>();
        for (Row r : classifier.transform(in).select("id", "probability", "error").collectAsList()) {
            assertNull(r.get(2), "image " + r.getInt(0));
            byId.put(r.getInt(0), r.getAs(1));
        }
        assertEquals(images.size(), byId.size());
        for (int i = 0; i < images.size(); i++) {
            for (int j = 0; j < 10; j++) {
                assertEquals(Float.floatToIntBits(expected[i][j]), Float.floatToIntBits((float) byId.get(i).apply(j)),
                        "image " + i + " class " + j);
            }
        }

        // A second job: each executor reuses the model it loaded for the first one.
        classifier.transform(in).count();
        List<String> executors = spark.range(0, 8, 1, 8).mapPartitions(new Probe(), Encoders.STRING())
                .collectAsList();
        Set<String> distinct = new HashSet<>(executors);
        assertEquals(2, distinct.stream().map(s -> s.split(" ")[0]).distinct().count(),
                "two executors ran the tasks: " + distinct);
        for (String e : distinct) {
            String[] words = e.split(" ", 7);
            int cached = words[6].equals("[]") ? 0 : words[6].split(",").length;
            assertTrue(words[6].contains(weights.toString()) && Integer.parseInt(words[4]) == cached,
                    "each executor loaded each model once and kept it: " + distinct);
            assertNotEquals(Long.toString(ProcessHandle.current().pid()), e.split(" ")[2],
                    "executors are JVMs of their own: " + distinct);
        }
    }

    @Test
    void sparkPredictJobWritesParquetThroughTheCluster() throws IOException {
        Path pictures = Files.createDirectories(dir.resolve("pictures"));
        List<float[]> images = SparkFixtures.images();
        for (int i = 0; i < 40; i++) {
            SparkFixtures.png(pictures, "item-" + i + ".png", images.get(i));
        }
        SparkFixtures.corruptFiles(pictures, pictures.resolve("item-0.png"));
        Path output = dir.resolve("predictions");

        StringWriter text = new StringWriter();
        SparkPredict job = new SparkPredict();
        new CommandLine(job).parseArgs("--master", "spark://127.0.0.1:" + masterPort, "--model", weights.toString(),
                "--input", pictures.toString(), "--output", output.toString(), "--partitions", "2");
        assertEquals(0, SparkPredict.run(job.options, "vector", new PrintWriter(text, true)));
        assertTrue(text.toString().contains("wrote 42 predictions") && text.toString().contains("2 file(s)"),
                text.toString());

        List<Row> rows = spark.read().parquet(output.toString()).collectAsList();
        assertEquals(42, rows.size());
        assertEquals(2, rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("error"))).count());
        assertEquals(40, rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("topLabels"))
                && r.getList(r.fieldIndex("topLabels")).size() == 5).count());
    }

    /** Runs on an executor: its id, its JVM's pid, and how many models it has loaded. */
    static final class Probe implements MapPartitionsFunction<Long, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public java.util.Iterator<String> call(java.util.Iterator<Long> rows) {
            return List.of(SparkEnv.get().executorId() + " pid " + ProcessHandle.current().pid() + " loads "
                    + ExecutorModels.loads() + " cached " + ExecutorModels.cachedPaths()).iterator();
        }
    }

    /** A jar holding {@link Probe}, which the shaded jar lacks (it is a test class). */
    private static Path probeJar() throws IOException {
        Path jar = dir.resolve("probe.jar");
        String name = Probe.class.getName().replace('.', '/') + ".class";
        try (var in = StandaloneClusterIT.class.getClassLoader().getResourceAsStream(name);
             var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static void start(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("fovea.spark.jvmArgs", "").split(" ")));
        command.removeIf(String::isBlank);
        command.addAll(List.of("-Xmx512m", "-Dspark.master.rest.enabled=false", "-cp", dir.resolve("spark-home/jars").toString() + "/*", mainClass));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(name.equals("master") ? masterLog.toFile() : dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        started.add(pb.start());
    }

    /** Stops a JVM and its children: politely, then by force; each wait bounded. */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly();
            c.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> c).join();
        }
    }

    private static void waitFor(String what, BooleanSupplier ready) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ready.getAsBoolean()) {
            for (Process p : started) {
                assertTrue(p.isAlive(), "a cluster JVM exited (exit " + (p.isAlive() ? "" : p.exitValue())
                        + ") while waiting for " + what + "; logs in " + dir);
            }
            assertTrue(System.nanoTime() < deadline, "waited " + WAIT.toSeconds() + " s for " + what + "; logs in "
                    + dir);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long count(Path log, String text) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(text)).count() : 0;
        } catch (UncheckedIOException | IOException e) {
            return 0;
        }
    }
}
