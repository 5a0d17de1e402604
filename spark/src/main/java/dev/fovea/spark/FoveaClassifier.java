package dev.fovea.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Transformer;
import org.apache.spark.rdd.RDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that classifies images with a Fovea model: drop it into a {@code Pipeline}, or call
 * {@link #transform} on a {@code DataFrame}.
 *
 * <p>The model ({@link #modelPath()}) is an ONNX file ({@code .onnx}) or the safetensors weights of a zoo model
 * ({@code .safetensors}; the file's metadata names the model, or {@link #zooModel()} does). The input column
 * ({@link #inputCol()}) holds one of:
 * <ul>
 *   <li>Spark's {@code image} data source struct ({@code origin, height, width, nChannels, mode, data});</li>
 *   <li>the encoded bytes of a PNG, JPEG, GIF or BMP file (the {@code content} column of the {@code binaryFile}
 *       data source);</li>
 *   <li>an array of floats (or doubles) already prepared: one image's {@code C·H·W} values in the model's layout
 *       order, as {@code Inference.predict} takes them.</li>
 * </ul>
 * Pictures are prepared as {@code dev.fovea.models.Images} does: a one-channel model gets the grayscale recipe
 * ({@code Images.prepare}), a three-channel one the ImageNet recipe ({@code Images.prepareRgb}) with
 * {@link #resize()}, a centre crop of the model's input size, and {@link #mean()} / {@link #std()}.
 *
 * <p>Added columns: {@link #probabilityCol()} (an ML vector: the model's outputs when they already are
 * probabilities, else their softmax), {@link #topLabelsCol()} and {@link #topScoresCol()} (the {@link #topK()} most
 * probable classes, most probable first) and {@link #errorCol()} (null, or why the row has no prediction).
 *
 * <p>On the executors: the model is loaded once per JVM and backend (cached by path and content hash, closed when
 * the JVM ends), rows are predicted {@link #batchSize()} at a time within each partition, and the backend is
 * chosen there: {@link #backend()} names one (a task fails with its reason when that backend cannot run on the
 * executor) or, when empty, the best available one is taken (cuDNN on a GPU executor, the vector backend on a CPU
 * one). A row whose input cannot be decoded follows {@link #mode()}: {@code PERMISSIVE} gives null predictions and
 * the problem in the error column, {@code FAILFAST} fails the task with it.
 *
 * <p>{@link #transform} works on Spark's internal rows, so the input columns pass through unconverted; like
 * {@code Dataset.rdd}, it plans the input right away, which runs the input's shuffles (if any) at that point.
 */
public final class FoveaClassifier extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** The modes for undecodable rows, as Spark's readers name them. */
    public static final List<String> MODES = List.of("PERMISSIVE", "FAILFAST");

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> zooModel;
    private final Param<String> inputCol;
    private final Param<String> probabilityCol;
    private final Param<String> topLabelsCol;
    private final Param<String> topScoresCol;
    private final Param<String> errorCol;
    private final IntParam topK;
    private final StringArrayParam labels;
    private final IntParam resize;
    private final DoubleArrayParam mean;
    private final DoubleArrayParam std;
    private final IntParam batchSize;
    private final Param<String> backend;
    private final IntParam threads;
    private final Param<String> mode;

    public FoveaClassifier() {
        this(Identifiable.randomUID("foveaClassifier"));
    }

    /** With a given uid: Spark ML's readers and {@code copy} create stages this way. */
    public FoveaClassifier(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the model: an .onnx file or a zoo model's .safetensors weights");
        zooModel = new Param<>(this, "zooModel", "the zoo model the .safetensors weights belong to (empty: the "
                + "model the file's metadata names)");
        inputCol = new Param<>(this, "inputCol", "the input column: an image struct, encoded image bytes, or an "
                + "array of prepared floats");
        probabilityCol = new Param<>(this, "probabilityCol", "output column: class probabilities (ML vector)");
        topLabelsCol = new Param<>(this, "topLabelsCol", "output column: the topK most probable labels");
        topScoresCol = new Param<>(this, "topScoresCol", "output column: the probabilities of the topK labels");
        errorCol = new Param<>(this, "errorCol", "output column: null, or why the row has no prediction");
        topK = new IntParam(this, "topK", "how many classes the top columns list (at least 1)");
        labels = new StringArrayParam(this, "labels", "class names in class order (empty: the zoo model's "
                + "classes, else 'class N')");
        resize = new IntParam(this, "resize", "RGB models: the shorter side's length before the centre crop "
                + "(0: the crop's size / 0.875)");
        mean = new DoubleArrayParam(this, "mean", "RGB models: per-channel mean of the [0, 1] values (R, G, B)");
        std = new DoubleArrayParam(this, "std", "RGB models: per-channel standard deviation (R, G, B)");
        batchSize = new IntParam(this, "batchSize", "images per call to the model within a partition");
        backend = new Param<>(this, "backend", "the Fovea backend on the executors (empty: the best available one)");
        threads = new IntParam(this, "threads", "backend threads per task (0: the task's CPUs, spark.task.cpus)");
        mode = new Param<>(this, "mode", "undecodable rows: PERMISSIVE (null outputs and an error) or FAILFAST");
        setDefault(zooModel, "");
        setDefault(inputCol, "image");
        setDefault(probabilityCol, "probability");
        setDefault(topLabelsCol, "topLabels");
        setDefault(topScoresCol, "topScores");
        setDefault(errorCol, "error");
        setDefault(topK, 5);
        setDefault(labels, new String[0]);
        setDefault(resize, 0);
        setDefault(mean, new double[] {0.485, 0.456, 0.406});
        setDefault(std, new double[] {0.229, 0.224, 0.225});
        setDefault(batchSize, 64);
        setDefault(backend, "");
        setDefault(threads, 0);
        setDefault(mode, "PERMISSIVE");
    }

    @Override
    public String uid() {
        return uid;
    }

    // Param accessors: Spark ML finds a stage's params through public no-argument methods returning a Param.
    public Param<String> modelPath() { return modelPath; }
    public Param<String> zooModel() { return zooModel; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> topLabelsCol() { return topLabelsCol; }
    public Param<String> topScoresCol() { return topScoresCol; }
    public Param<String> errorCol() { return errorCol; }
    public IntParam topK() { return topK; }
    public StringArrayParam labels() { return labels; }
    public IntParam resize() { return resize; }
    public DoubleArrayParam mean() { return mean; }
    public DoubleArrayParam std() { return std; }
    public IntParam batchSize() { return batchSize; }
    public Param<String> backend() { return backend; }
    public IntParam threads() { return threads; }
    public Param<String> mode() { return mode; }

    public FoveaClassifier setModelPath(String v) { set(modelPath, v); return this; }
    public FoveaClassifier setZooModel(String v) { set(zooModel, v); return this; }
    public FoveaClassifier setInputCol(String v) { set(inputCol, v); return this; }
    public FoveaClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public FoveaClassifier setTopLabelsCol(String v) { set(topLabelsCol, v); return this; }
    public FoveaClassifier setTopScoresCol(String v) { set(topScoresCol, v); return this; }
    public FoveaClassifier setErrorCol(String v) { set(errorCol, v); return this; }
    public FoveaClassifier setTopK(int v) { set(topK, v); return this; }
    public FoveaClassifier setLabels(String... v) { set(labels, v); return this; }
    public FoveaClassifier setResize(int v) { set(resize, v); return this; }
    public FoveaClassifier setMean(double r, double g, double b) { set(mean, new double[] {r, g, b}); return this; }
    public FoveaClassifier setStd(double r, double g, double b) { set(std, new double[] {r, g, b}); return this; }
    public FoveaClassifier setBatchSize(int v) { set(batchSize, v); return this; }
    public FoveaClassifier setBackend(String v) { set(backend, v); return this; }
    public FoveaClassifier setThreads(int v) { set(threads, v); return this; }
    public FoveaClassifier setMode(String v) { set(mode, v); return this; }

    public String getModelPath() { return isDefined(modelPath) ? getOrDefault(modelPath) : null; }
    public String getInputCol() { return getOrDefault(inputCol); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public String getBackend() { return getOrDefault(backend); }
    public int getThreads() { return (Integer) getOrDefault(threads); }
    public String getMode() { return getOrDefault(mode); }
    public int getTopK() { return (Integer) getOrDefault(topK); }

    /** Reads a stage saved with {@code write().save(path)} (Spark ML's readers call this by reflection). */
    public static MLReader<FoveaClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static FoveaClassifier load(String path) {
        return read().load(path);
    }

    @Override
    public FoveaClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /**
     * The input schema plus the output columns; throws naming the parameter and the values when a parameter or
     * the input column does not fit (nothing runs before these checks pass).
     */
    @Override
    public StructType transformSchema(StructType schema) {
        checkParams();
        InputKind.of(schema, getInputCol());
        List<String> outputs = outputColumns();
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String out : outputs) {
            if (names.contains(out)) {
                throw new IllegalArgumentException("FoveaClassifier: output column '" + out + "' already exists in "
                        + "the input (columns: " + names + "); choose another name with the matching set...Col");
            }
        }
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        fields.add(DataTypes.createStructField(outputs.get(0), SQLDataTypes.VectorType(), true));
        fields.add(DataTypes.createStructField(outputs.get(1),
                DataTypes.createArrayType(DataTypes.StringType, false), true));
        fields.add(DataTypes.createStructField(outputs.get(2),
                DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        fields.add(DataTypes.createStructField(outputs.get(3), DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ModelSource source = ModelSource.resolve(getModelPath(), getOrDefault(zooModel));
        PartitionPredictor predictor = PartitionPredictor.create(source, settings(), dataset.schema(), out);
        // Spark's internal rows, not Row objects: Row conversion boxes every value of an array column twice (in and
        // out), a fifth of the tasks' CPU time with a small model. As with Dataset.rdd, the input is planned here, and
        // shuffles it needs (a repartition, say) run now; the rows themselves are read when an action runs.
        if (!(dataset.toDF() instanceof org.apache.spark.sql.classic.Dataset<Row> frame)) {
            throw new IllegalArgumentException("FoveaClassifier: the input must be a Dataset of a classic "
                    + "SparkSession (the model runs in the executors' JVMs), got " + dataset.getClass().getName());
        }
        RDD<InternalRow> rows = frame.queryExecution().toRdd().toJavaRDD().mapPartitions(predictor).rdd();
        return frame.sparkSession().internalCreateDataFrame(rows, out, false);
    }

    /** The parameters' values as the executors need them. */
    private PartitionPredictor.Settings settings() {
        double[] m = getOrDefault(mean);
        double[] s = getOrDefault(std);
        return new PartitionPredictor.Settings(getInputCol(), getTopK(), getOrDefault(labels).clone(),
                (Integer) getOrDefault(resize), m.clone(), s.clone(), getBatchSize(), getBackend(), getThreads(),
                getMode().equals("FAILFAST"));
    }

    private List<String> outputColumns() {
        return List.of(getOrDefault(probabilityCol), getOrDefault(topLabelsCol), getOrDefault(topScoresCol),
                getOrDefault(errorCol));
    }

    /** Every parameter's own rule, in one place. */
    private void checkParams() {
        String path = getModelPath();
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("FoveaClassifier: modelPath is not set; give an .onnx file or a zoo "
                    + "model's .safetensors weights with setModelPath");
        }
        require(getTopK() >= 1, "topK must be at least 1, got " + getTopK());
        require(getBatchSize() >= 1, "batchSize must be at least 1, got " + getBatchSize());
        require(getThreads() >= 0, "threads must be ≥ 0 (0: the task's CPUs), got " + getThreads());
        int r = (Integer) getOrDefault(resize);
        require(r >= 0, "resize must be ≥ 0 (0: the crop's size / 0.875), got " + r);
        require(MODES.contains(getMode()), "mode must be one of " + MODES + ", got '" + getMode() + "'");
        checkChannels("mean", getOrDefault(mean), false);
        checkChannels("std", getOrDefault(std), true);
        List<String> outputs = outputColumns();
        for (String name : outputs) {
            require(name != null && !name.isBlank(), "output column names must not be empty, got " + outputs);
        }
        require(outputs.stream().distinct().count() == outputs.size(),
                "the output columns must have different names, got " + outputs);
        require(!getInputCol().isBlank(), "inputCol must not be empty");
    }

    private static void checkChannels(String name, double[] values, boolean positive) {
        boolean ok = values.length == 3;
        for (double v : values) {
            ok &= Double.isFinite(v) && (!positive || v > 0);
        }
        require(ok, name + " needs 3 finite" + (positive ? " positive" : "") + " values (R, G, B), got "
                + Arrays.toString(values));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("FoveaClassifier: " + message);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FoveaClassifier(uid=%s, model=%s, input=%s)", uid, getModelPath(),
                getInputCol());
    }
}
