package dev.fovea.spark;

import dev.fovea.data.Datasets;
import dev.fovea.models.Images;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What runs on the executors: reads a partition's rows, predicts them {@code batchSize} at a time with this JVM's
 * cached model, and returns each row with the output columns added, in the input's order.
 */
final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /**
     * The transformer's parameters, as the executors need them.
     *
     * @param labels   class names ("" entries never; empty array: the default names)
     * @param resize   RGB models: the shorter side before the crop (0: the crop / 0.875)
     * @param threads  backend threads per task (0: the task's CPUs)
     * @param failFast whether an undecodable row fails the task (FAILFAST) or gets an error (PERMISSIVE)
     */
    record Settings(String inputCol, int topK, String[] labels, int resize, double[] mean, double[] std,
                    int batchSize, String backend, int threads, boolean failFast) implements Serializable {
    }

    private final ModelSource source;
    private final Settings settings;
    private final InputKind kind;
    private final int inputIndex;
    /** The column naming a row in messages: binaryFile's {@code path}, or -1 (then the image's origin or row number). */
    private final int pathIndex;
    /** The model's input: channels, height, width. */
    private final int channels;
    private final int height;
    private final int width;
    private final int perItem;
    private final String[] classNames;

    private PartitionPredictor(ModelSource source, Settings settings, InputKind kind, int inputIndex, int pathIndex,
                               Input input, int perItem, String[] classNames) {
        this.channels = input.channels();
        this.height = input.height();
        this.width = input.width();
        this.source = source;
        this.settings = settings;
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
        this.perItem = perItem;
        this.classNames = classNames;
    }

    /**
     * On the driver: reads the model once to check it against the input and the parameters (one input; 1 or 3
     * channels for pictures; as many labels as classes; a resize that holds the crop), before any task starts.
     */
    static PartitionPredictor create(ModelSource source, Settings settings, StructType inputSchema,
                                     StructType outputSchema) {
        InputKind kind = InputKind.of(inputSchema, settings.inputCol());
        ModelFacts model = ModelFacts.of(source);
        String what = "FoveaClassifier: model " + source.path() + " ('" + model.name() + "')";
        if (model.inputs().size() != 1) {
            throw new IllegalArgumentException(what + " has " + model.inputs().size() + " inputs " + model.inputs()
                    + "; the classifier feeds one image per row");
        }
        Input in = model.inputs().getFirst();
        if (kind != InputKind.FLOATS && kind != InputKind.DOUBLES && in.channels() != 1 && in.channels() != 3) {
            throw new IllegalArgumentException(what + " takes " + in.channels() + " channels; pictures can be "
                    + "prepared for 1 (grayscale) or 3 (RGB); give prepared values as an array column instead");
        }
        if (in.channels() == 3 && settings.resize() != 0 && settings.resize() < Math.max(in.height(), in.width())) {
            throw new IllegalArgumentException("FoveaClassifier: resize " + settings.resize() + " is smaller "
                    + "than the crop " + in.height() + "×" + in.width() + " (the input of " + source.path() + ")");
        }
        String[] names = classNames(model.name(), settings.labels(), model.classes());
        int path = Arrays.asList(inputSchema.fieldNames()).indexOf("path");
        if (path >= 0 && !inputSchema.fields()[path].dataType().equals(DataTypes.StringType)) {
            path = -1;
        }
        return new PartitionPredictor(source, settings, kind, inputSchema.fieldIndex(settings.inputCol()), path,
                in, model.perItem(), names);
    }

    /** What the driver needs to know of a model file, read once per file content (a transform per job). */
    record ModelFacts(String name, List<Input> inputs, int classes, int perItem) {
        /** Guarded by the class. */
        private static final java.util.Map<ModelSource, ModelFacts> KNOWN = new java.util.HashMap<>();

        static synchronized ModelFacts of(ModelSource source) {
            ModelFacts facts = KNOWN.get(source);
            if (facts != null) {
                return facts;
            }
            try (Model model = source.load(ModelSource.locate(source.path()))) {
                facts = new ModelFacts(model.name(), List.copyOf(model.inputs()),
                        Math.toIntExact(model.outputShape(1).perItem()),
                        Math.toIntExact(model.inputShape(1).perItem()));
            } catch (IOException e) {
                throw new IllegalArgumentException("FoveaClassifier: cannot read model " + source.path() + ": "
                        + e.getMessage(), e);
            }
            KNOWN.put(source, facts);
            return facts;
        }
    }

    /** The given labels (as many as classes), else the zoo's class names for Fashion-MNIST and MNIST models. */
    private static String[] classNames(String model, String[] labels, int classes) {
        if (labels.length > 0) {
            if (labels.length != classes) {
                throw new IllegalArgumentException("FoveaClassifier: " + labels.length + " labels given; model '"
                        + model + "' has " + classes + " classes (one label per class, in class order)");
            }
            return labels.clone();
        }
        List<String> known = model.startsWith("fashion") ? Datasets.FASHION_MNIST_CLASSES
                : model.startsWith("mnist") ? Datasets.MNIST_CLASSES : null;
        String[] names = new String[classes];
        for (int i = 0; i < classes; i++) {
            names[i] = known != null && known.size() == classes ? known.get(i) : "class " + i;
        }
        return names;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        TaskContext task = TaskContext.get();
        int threads = settings.threads() > 0 ? settings.threads() : task != null ? task.cpus() : 1;
        ExecutorModels.Loaded loaded = ExecutorModels.get(new ExecutorModels.Key(source, settings.backend(), threads));
        int partition = task != null ? task.partitionId() : 0;
        return new Batches(rows, loaded.model(), loaded.inference(), partition);
    }

    /** The output rows, made one batch of input rows at a time. */
    private final class Batches implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final Model model;
        private final dev.fovea.nn.Inference inference;
        private final int partition;
        private final Images.RgbOptions rgb;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private long rowNumber;

        Batches(Iterator<Row> rows, Model model, dev.fovea.nn.Inference inference, int partition) {
            this.rows = rows;
            this.model = model;
            this.inference = inference;
            this.partition = partition;
            if (channels == 3) {
                Images.RgbOptions o = Images.RgbOptions.imagenet(height, width);
                if (settings.resize() > 0) {
                    o = o.withResize(settings.resize());
                }
                double[] m = settings.mean();
                double[] s = settings.std();
                rgb = o.withMean(m[0], m[1], m[2]).withStd(s[0], s[1], s[2]);
            } else {
                rgb = null;
            }
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && rows.hasNext()) {
                nextBatch();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.removeFirst();
        }

        private void nextBatch() {
            List<Row> batch = new ArrayList<>(settings.batchSize());
            List<String> errors = new ArrayList<>(settings.batchSize());
            float[] x = new float[settings.batchSize() * perItem];
            int good = 0;
            while (batch.size() < settings.batchSize() && rows.hasNext()) {
                Row row = rows.next();
                String error;
                try {
                    float[] values = values(row);
                    System.arraycopy(values, 0, x, good * perItem, perItem);
                    good++;
                    error = null;
                } catch (UndecodableRow e) {
                    error = describe(row) + ": " + e.getMessage();
                    if (settings.failFast()) {
                        throw new IllegalArgumentException("FoveaClassifier: malformed input in column '"
                                + settings.inputCol() + "', " + error + " (mode FAILFAST; with mode PERMISSIVE the "
                                + "row gets null outputs and this message in the error column)");
                    }
                }
                batch.add(row);
                errors.add(error);
                rowNumber++;
            }
            float[] y = good == 0 ? new float[0]
                    : inference.predict(good == settings.batchSize() ? x : Arrays.copyOf(x, good * perItem), good);
            int k = classNames.length;
            int g = 0;
            for (int i = 0; i < batch.size(); i++) {
                Row row = batch.get(i);
                if (errors.get(i) != null) {
                    ready.add(withOutputs(row, null, null, null, errors.get(i)));
                    continue;
                }
                double[] p = probabilities(y, g * k, k);
                g++;
                int[] top = top(p, Math.min(settings.topK(), k));
                String[] labels = new String[top.length];
                double[] scores = new double[top.length];
                for (int r = 0; r < top.length; r++) {
                    labels[r] = classNames[top[r]];
                    scores[r] = p[top[r]];
                }
                ready.add(withOutputs(row, Vectors.dense(p), labels, scores, null));
            }
        }

        /** The row's input as the model takes it; throws {@link UndecodableRow} saying what is wrong. */
        private float[] values(Row row) {
            if (row.isNullAt(inputIndex)) {
                throw new UndecodableRow("the input is null");
            }
            return switch (kind) {
                case FLOATS, DOUBLES -> prepared(row.getList(inputIndex));
                case ENCODED -> prepare(Pictures.decode((byte[]) row.get(inputIndex)));
                case IMAGE_STRUCT -> prepare(Pictures.fromImageStruct(row.getStruct(inputIndex)));
            };
        }

        private float[] prepared(List<Object> list) {
            if (list.size() != perItem) {
                throw new UndecodableRow("model '" + model.name() + "' takes " + perItem + " values per image ("
                        + channels + "×" + height + "×" + width + "), the array has " + list.size());
            }
            float[] v = new float[perItem];
            // By iterator: the list wraps a Scala sequence, whose get(i) need not take constant time.
            int i = 0;
            for (Object o : list) {
                if (o == null) {
                    throw new UndecodableRow("value " + i + " of the array is null");
                }
                v[i++] = ((Number) o).floatValue();
            }
            return v;
        }

        private float[] prepare(BufferedImage picture) {
            try {
                return rgb == null ? Images.input(picture, model) : Images.input(picture, model, rgb);
            } catch (IllegalArgumentException e) {
                throw new UndecodableRow(e.getMessage());
            }
        }

        /** Names the row in messages: its file, its image's origin, or its place in the partition. */
        private String describe(Row row) {
            if (pathIndex >= 0 && !row.isNullAt(pathIndex)) {
                return row.getString(pathIndex);
            }
            if (kind == InputKind.IMAGE_STRUCT && !row.isNullAt(inputIndex)) {
                String origin = row.getStruct(inputIndex).getAs("origin");
                if (origin != null && !origin.isEmpty()) {
                    return origin;
                }
            }
            return "row " + rowNumber + " of partition " + partition;
        }
    }

    private static Row withOutputs(Row row, Object probability, String[] labels, double[] scores, String error) {
        int n = row.length();
        Object[] values = new Object[n + 4];
        for (int i = 0; i < n; i++) {
            values[i] = row.get(i);
        }
        values[n] = probability;
        values[n + 1] = labels;
        values[n + 2] = scores;
        values[n + 3] = error;
        return RowFactory.create(values);
    }

    /**
     * The model's outputs when they already are a probability distribution (each in [0, 1], sum within 1e-3 of
     * 1), else their softmax; as doubles (exact copies of the floats in the first case).
     */
    static double[] probabilities(float[] y, int from, int k) {
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        boolean unit = true;
        for (int j = 0; j < k; j++) {
            float v = y[from + j];
            sum += v;
            unit &= v >= 0 && v <= 1;
            max = Math.max(max, v);
        }
        double[] p = new double[k];
        if (unit && Math.abs(sum - 1) <= 1e-3) {
            for (int j = 0; j < k; j++) {
                p[j] = y[from + j];
            }
            return p;
        }
        double total = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(y[from + j] - max);
            total += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= total;
        }
        return p;
    }

    /** The indices of the {@code n} largest values, largest first (the lower index first among equals). */
    static int[] top(double[] p, int n) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(p[b], p[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] best = new int[n];
        for (int i = 0; i < n; i++) {
            best[i] = order[i];
        }
        return best;
    }

    /** A row whose input cannot become the model's input; the message says why. */
    static final class UndecodableRow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UndecodableRow(String message) {
            super(message, null, false, false);
        }
    }
}
