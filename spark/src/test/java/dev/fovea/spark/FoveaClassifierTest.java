package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import dev.fovea.spi.BackendOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer on a real {@code local[2]} Spark session. */
class FoveaClassifierTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static List<float[]> images;
    static Path weights;

    @BeforeAll
    static void start() throws IOException {
        spark = LocalSpark.start("local[2]");
        images = SparkFixtures.images();
        weights = SparkFixtures.fashionWeights(dir);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        ExecutorModels.closeAll();
    }

    private static Dataset<Row> floatRows() {
        return spark.createDataFrame(SparkFixtures.rows(images), SparkFixtures.FLOATS_SCHEMA).repartition(2);
    }

    private static FoveaClassifier classifier(Path model, String inputCol) {
        return new FoveaClassifier().setModelPath(model.toString()).setInputCol(inputCol).setBackend("vector")
                .setThreads(1).setBatchSize(64).setTopK(3);
    }

    /** Probabilities by id, from a transformed frame. */
    private static Map<Integer, Row> byId(Dataset<Row> out) {
        Map<Integer, Row> rows = new HashMap<>();
        for (Row r : out.collectAsList()) {
            rows.put(r.getInt(r.fieldIndex("id")), r);
        }
        return rows;
    }

    private static void assertBitIdentical(float[] expected, Vector actual, String what) {
        assertEquals(expected.length, actual.size(), what);
        for (int j = 0; j < expected.length; j++) {
            double v = actual.apply(j);
            assertEquals(Float.floatToIntBits(expected[j]), Float.floatToIntBits((float) v), what + ", class " + j
                    + ": " + expected[j] + " vs " + v);
            assertEquals(expected[j], v, 0.0, what + ": the double is the float exactly");
        }
    }

    @Test
    void twoThousandImagesMatchSingleJvmInferenceBitForBit() throws IOException {
        float[][] expected = SparkFixtures.singleJvm(weights, images, 64);
        Dataset<Row> out = classifier(weights, "pixels").transform(floatRows());
        Map<Integer, Row> rows = byId(out);
        assertEquals(SparkFixtures.IMAGES, rows.size());
        for (int i = 0; i < SparkFixtures.IMAGES; i++) {
            Row r = rows.get(i);
            assertNull(r.getAs("error"), "image " + i);
            assertBitIdentical(expected[i], r.getAs("probability"), "image " + i);
            List<String> labels = r.getList(r.fieldIndex("topLabels"));
            List<Double> scores = r.getList(r.fieldIndex("topScores"));
            assertEquals(3, labels.size());
            int best = argmax(expected[i]);
            assertEquals(dev.fovea.data.Datasets.FASHION_MNIST_CLASSES.get(best), labels.getFirst(), "image " + i);
            assertEquals(expected[i][best], scores.getFirst(), 0.0);
            assertTrue(scores.get(0) >= scores.get(1) && scores.get(1) >= scores.get(2), "scores in order: " + scores);
        }
    }

    @Test
    void onnxModelGivesTheSamePredictions() throws IOException {
        Path onnx = dir.resolve("fashion-cnn.onnx");
        try (Model model = SafeTensors.loadModel(weights)) {
            Onnx.save(model, onnx);
        }
        List<float[]> some = images.subList(0, 300);
        float[][] expected;
        try (Model model = Onnx.load(onnx); Engine engine = Engine.open("vector", new BackendOptions(1));
             Inference net = model.compile(engine)) {
            expected = new float[some.size()][];
            for (int i = 0; i < some.size(); i++) {
                expected[i] = net.predict(some.get(i), 1);
            }
        }
        Dataset<Row> in = spark.createDataFrame(SparkFixtures.rows(some), SparkFixtures.FLOATS_SCHEMA);
        Map<Integer, Row> rows = byId(classifier(onnx, "pixels").setLabels("a", "b", "c", "d", "e", "f", "g", "h",
                "i", "j").transform(in));
        for (int i = 0; i < some.size(); i++) {
            float[] p = softmaxIfLogits(expected[i]);
            Vector actual = rows.get(i).getAs("probability");
            for (int j = 0; j < 10; j++) {
                assertEquals(p[j], actual.apply(j), 1e-6, "image " + i + " class " + j);
            }
            assertEquals(String.valueOf((char) ('a' + argmax(expected[i]))),
                    rows.get(i).getList(rows.get(i).fieldIndex("topLabels")).getFirst());
        }
    }

    @Test
    void picturesFromBinaryFilesAndTheImageSourceWithCorruptRowsInBothModes() throws IOException {
        Path pictures = Files.createDirectories(dir.resolve("pictures"));
        Map<String, float[]> expected = new HashMap<>();
        try (Model model = SafeTensors.loadModel(weights); Engine engine = Engine.open("vector", new BackendOptions(1));
             Inference net = model.compile(engine)) {
            for (int i = 0; i < 150; i++) {
                Path file = SparkFixtures.png(pictures, "item-" + i + ".png", images.get(i * 13));
                expected.put(file.getFileName().toString(), SparkFixtures.singleJvmPicture(net, model, file));
            }
        }
        List<Path> corrupt = SparkFixtures.corruptFiles(pictures, pictures.resolve("item-0.png"));

        Dataset<Row> files = spark.read().format("binaryFile").load(pictures.toString());
        checkPictures(classifier(weights, "content").transform(files), "path", expected, corrupt);

        Dataset<Row> structs = spark.read().format("image").option("dropInvalid", false).load(pictures.toString());
        checkPictures(classifier(weights, "image").transform(structs), "image.origin", expected, corrupt);

        SparkException failure = assertThrows(SparkException.class,
                () -> classifier(weights, "content").setMode("FAILFAST").transform(files).collectAsList());
        String message = messages(failure);
        assertTrue(message.contains("FAILFAST") && corrupt.stream().anyMatch(f -> message.contains(
                f.getFileName().toString())), "the task fails naming the file and the mode: " + message);
    }

    private static void checkPictures(Dataset<Row> out, String nameColumn, Map<String, float[]> expected,
                                      List<Path> corrupt) {
        List<Row> rows = out.selectExpr(nameColumn + " AS name", "probability", "topLabels", "error").collectAsList();
        assertEquals(expected.size() + corrupt.size(), rows.size(), "every row is kept");
        int errors = 0;
        for (Row r : rows) {
            String file = Path.of(r.getString(0).replaceFirst("^file:", "")).getFileName().toString();
            if (expected.containsKey(file)) {
                assertNull(r.get(3), file);
                assertBitIdentical(expected.get(file), r.getAs(1), file);
            } else {
                errors++;
                assertNull(r.get(1), file + " has no probabilities");
                assertNull(r.get(2), file + " has no labels");
                String error = r.getString(3);
                assertNotNull(error, file + " has an error");
                assertTrue(error.contains(file), "the error names the file: " + error);
            }
        }
        assertEquals(corrupt.size(), errors);
    }

    @Test
    void savedAndReloadedPipelinePredictsTheSame() throws IOException {
        FoveaClassifier stage = classifier(weights, "pixels").setTopK(2).setProbabilityCol("p").setBatchSize(50);
        Dataset<Row> in = spark.createDataFrame(SparkFixtures.rows(images.subList(0, 200)),
                SparkFixtures.FLOATS_SCHEMA);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(in);
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        FoveaClassifier reloaded = (FoveaClassifier) loaded.stages()[0];
        assertEquals(stage.uid(), reloaded.uid());
        assertEquals(weights.toString(), reloaded.getModelPath());
        assertEquals(50, reloaded.getBatchSize());
        assertEquals(2, reloaded.getTopK());

        Map<Integer, Row> before = byId(fitted.transform(in));
        Map<Integer, Row> after = byId(loaded.transform(in));
        for (int i = 0; i < 200; i++) {
            assertEquals(before.get(i).<Vector>getAs("p"), after.get(i).<Vector>getAs("p"), "image " + i);
            assertEquals(before.get(i).getList(before.get(i).fieldIndex("topLabels")),
                    after.get(i).getList(after.get(i).fieldIndex("topLabels")));
        }

        String single = dir.resolve("stage").toString();
        stage.write().overwrite().save(single);
        FoveaClassifier read = FoveaClassifier.load(single);
        assertEquals(stage.uid(), read.uid());
        assertEquals(stage.getModelPath(), read.getModelPath());
        assertEquals("p", read.getOrDefault(read.probabilityCol()));
        assertArrayEquals(new double[] {0.485, 0.456, 0.406}, read.getOrDefault(read.mean()));
    }

    @Test
    void wrongLengthArraysAreRowErrorsInPermissiveMode() throws IOException {
        Float[] image = new Float[784];
        for (int k = 0; k < image.length; k++) {
            image[k] = images.get(0)[k];
        }
        List<Row> rows = List.of(
                org.apache.spark.sql.RowFactory.create(0, java.util.Arrays.asList(new Float[784])),
                org.apache.spark.sql.RowFactory.create(1, java.util.Arrays.asList(new Float[700])),
                org.apache.spark.sql.RowFactory.create(2, java.util.Arrays.asList(image)));
        Dataset<Row> in = spark.createDataFrame(rows, DataTypesForTests.NULLABLE_FLOATS).coalesce(1);
        Map<Integer, Row> out = byId(classifier(weights, "pixels").transform(in));
        // A good row of an array type that allows nulls is predicted as usual (alone in its batch here).
        assertNull(out.get(2).get(out.get(2).fieldIndex("error")));
        assertBitIdentical(SparkFixtures.singleJvm(weights, images.subList(0, 1), 1)[0],
                out.get(2).getAs("probability"), "row 2");
        assertTrue(out.get(0).getString(out.get(0).fieldIndex("error")).contains("value 0 of the array is null"),
                out.get(0).toString());
        String error = out.get(1).getString(out.get(1).fieldIndex("error"));
        assertTrue(error.contains("784") && error.contains("700"), error);
    }

    @Test
    void aNamedBackendThatCannotRunFailsWithItsReason() {
        SparkException e = assertThrows(SparkException.class, () -> classifier(weights, "pixels").setBackend("nope")
                .transform(floatRows().limit(10)).collectAsList());
        assertTrue(messages(e).contains("backend 'nope' not found"), messages(e));
    }

    @Test
    void badParametersAndInputsFailBeforeAnyJob() {
        Dataset<Row> in = floatRows();
        assertMessage(() -> new FoveaClassifier().setInputCol("pixels").transform(in), "modelPath is not set");
        assertMessage(() -> classifier(dir.resolve("missing.onnx"), "pixels").transform(in),
                "missing.onnx' does not exist");
        assertMessage(() -> classifier(dir.resolve("model.bin"), "pixels").transform(in), "must be an .onnx file");
        assertMessage(() -> classifier(weights, "nope").transform(in), "input column 'nope' is not in the input");
        assertMessage(() -> classifier(weights, "id").transform(in), "has type int");
        assertMessage(() -> classifier(weights, "pixels").setBatchSize(0).transform(in), "batchSize must be at "
                + "least 1, got 0");
        assertMessage(() -> classifier(weights, "pixels").setMode("LENIENT").transform(in), "LENIENT");
        assertMessage(() -> classifier(weights, "pixels").setLabels("a", "b").transform(in),
                "2 labels given; model 'fashion-cnn' has 10 classes");
        assertMessage(() -> classifier(weights, "pixels").setProbabilityCol("id").transform(in),
                "output column 'id' already exists");
    }

    @Test
    void topListsTheLargestFirstAndTheLowerIndexAmongEquals() {
        double[] p = {0.1, Double.NaN, 0.3, 0.3, -0.0, 0.0, 0.2, 0.3};
        assertArrayEquals(new int[] {1, 2, 3, 7, 6}, PartitionPredictor.top(p, 5));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            double[] q = new double[1 + random.nextInt(40)];
            for (int j = 0; j < q.length; j++) {
                q[j] = random.nextInt(6) / 5.0;
            }
            int n = 1 + random.nextInt(q.length);
            Integer[] order = new Integer[q.length];
            for (int j = 0; j < q.length; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(q[b], q[a]) != 0 ? Double.compare(q[b], q[a])
                    : Integer.compare(a, b));
            int[] expected = new int[n];
            for (int r = 0; r < n; r++) {
                expected[r] = order[r];
            }
            assertArrayEquals(expected, PartitionPredictor.top(q, n), java.util.Arrays.toString(q) + " n=" + n);
        }
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    /** The messages of an exception and its causes. */
    static String messages(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t.getMessage()).append(" | ");
        }
        return s.toString();
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    private static float[] softmaxIfLogits(float[] y) {
        double[] p = PartitionPredictor.probabilities(y, 0, y.length);
        float[] out = new float[p.length];
        for (int j = 0; j < p.length; j++) {
            out[j] = (float) p[j];
        }
        return out;
    }

    /** Schemas only the tests need. */
    static final class DataTypesForTests {
        static final org.apache.spark.sql.types.StructType NULLABLE_FLOATS =
                org.apache.spark.sql.types.DataTypes.createStructType(List.of(
                        org.apache.spark.sql.types.DataTypes.createStructField("id",
                                org.apache.spark.sql.types.DataTypes.IntegerType, false),
                        org.apache.spark.sql.types.DataTypes.createStructField("pixels",
                                org.apache.spark.sql.types.DataTypes.createArrayType(
                                        org.apache.spark.sql.types.DataTypes.FloatType, true), false)));
    }
}
