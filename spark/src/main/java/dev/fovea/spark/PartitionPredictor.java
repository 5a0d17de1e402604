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
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * What runs on the executors: reads a partition's rows, predicts them {@code batchSize} at a time with this JVM's
 * cached model, and returns each row with the output columns added, in the input's order.
 */
final class PartitionPredictor implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    /** Turns a probability vector into its column value. */
    @SuppressWarnings("unchecked")
    private static final UserDefinedType<Vector> VECTOR = (UserDefinedType<Vector>) SQLDataTypes.VectorType();

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
    /** Array input: whether the column's type allows null elements (then each is checked). */
    private final boolean containsNull;
    /** Image struct input: the places of {@link InputKind#IMAGE_FIELDS} in the struct. */
    private final int[] imageFields;
    /** The model's input: channels, height, width. */
    private final int channels;
    private final int height;
    private final int width;
    private final int perItem;
    private final String[] classNames;

    private PartitionPredictor(ModelSource source, Settings settings, InputKind kind, int inputIndex, int pathIndex,
                               boolean containsNull, int[] imageFields, Input input, int perItem,
                               String[] classNames) {
        this.channels = input.channels();
        this.height = input.height();
        this.width = input.width();
        this.source = source;
        this.settings = settings;
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
        this.containsNull = containsNull;
        this.imageFields = imageFields;
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
        int input = inputSchema.fieldIndex(settings.inputCol());
        boolean containsNull = inputSchema.fields()[input].dataType() instanceof ArrayType a && a.containsNull();
        int[] imageFields = new int[0];
        if (kind == InputKind.IMAGE_STRUCT) {
            StructType image = (StructType) inputSchema.fields()[input].dataType();
            imageFields = InputKind.IMAGE_FIELDS.stream().mapToInt(image::fieldIndex).toArray();
        }
        return new PartitionPredictor(source, settings, kind, input, path, containsNull, imageFields, in,
                model.perItem(), names);
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
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        TaskContext task = TaskContext.get();
        int threads = settings.threads() > 0 ? settings.threads() : task != null ? task.cpus() : 1;
        ExecutorModels.Loaded loaded = ExecutorModels.get(new ExecutorModels.Key(source, settings.backend(), threads));
        int partition = task != null ? task.partitionId() : 0;
        return new Batches(rows, loaded.model(), loaded.inference(), partition);
    }

    /**
     * The output rows, made one batch of input rows at a time. Rows stay in Spark's internal form throughout: the
     * input columns pass through as they are and array values are read without boxing, because at about 0.1 ms per
     * image for a small model every microsecond of per-row work shows in the throughput.
     */
    private final class Batches implements Iterator<InternalRow> {
        private final Iterator<InternalRow> rows;
        private final Model model;
        private final dev.fovea.nn.Inference inference;
        private final int partition;
        private final Images.RgbOptions rgb;
        /** The class names as Spark strings, made once per partition. */
        private final UTF8String[] names;
        // Reused for every batch of the partition.
        private final float[] x;
        private final InternalRow[] batch;
        private final String[] errors;
        private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
        private long rowNumber;

        Batches(Iterator<InternalRow> rows, Model model, dev.fovea.nn.Inference inference, int partition) {
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
            names = new UTF8String[classNames.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = UTF8String.fromString(classNames[i]);
            }
            x = new float[settings.batchSize() * perItem];
            batch = new InternalRow[settings.batchSize()];
            errors = new String[settings.batchSize()];
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && rows.hasNext()) {
                nextBatch();
            }
            return !ready.isEmpty();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.removeFirst();
        }

        private void nextBatch() {
            int size = 0;
            int good = 0;
            while (size < batch.length && rows.hasNext()) {
                // Spark may reuse the row object for the next row: keep a copy.
                InternalRow row = rows.next().copy();
                String error;
                try {
                    read(row, good * perItem);
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
                batch[size] = row;
                errors[size] = error;
                size++;
                rowNumber++;
            }
            float[] y = good == 0 ? new float[0]
                    : inference.predict(good == batch.length ? x : Arrays.copyOf(x, good * perItem), good);
            int k = classNames.length;
            int g = 0;
            for (int i = 0; i < size; i++) {
                if (errors[i] != null) {
                    ready.add(withOutputs(batch[i], null, null, null, UTF8String.fromString(errors[i])));
                } else {
                    double[] p = probabilities(y, g * k, k);
                    g++;
                    int[] top = top(p, Math.min(settings.topK(), k));
                    UTF8String[] labels = new UTF8String[top.length];
                    double[] scores = new double[top.length];
                    for (int r = 0; r < top.length; r++) {
                        labels[r] = names[top[r]];
                        scores[r] = p[top[r]];
                    }
                    ready.add(withOutputs(batch[i], VECTOR.serialize(Vectors.dense(p)), new GenericArrayData(labels),
                            UnsafeArrayData.fromPrimitiveArray(scores), null));
                }
                batch[i] = null;
            }
        }

        /**
         * Writes the row's input, as the model takes it, into {@code x} from {@code at}; throws
         * {@link UndecodableRow} saying what is wrong.
         */
        private void read(InternalRow row, int at) {
            if (row.isNullAt(inputIndex)) {
                throw new UndecodableRow("the input is null");
            }
            switch (kind) {
                case FLOATS, DOUBLES -> prepared(row.getArray(inputIndex), at);
                case ENCODED -> System.arraycopy(prepare(Pictures.decode(row.getBinary(inputIndex))), 0, x, at,
                        perItem);
                case IMAGE_STRUCT -> System.arraycopy(prepare(picture(row.getStruct(inputIndex,
                        imageFields.length))), 0, x, at, perItem);
            }
        }

        /** Copies an array of prepared values into {@code x}, element by element: nothing boxed or allocated. */
        private void prepared(ArrayData array, int at) {
            int n = array.numElements();
            if (n != perItem) {
                throw new UndecodableRow("model '" + model.name() + "' takes " + perItem + " values per image ("
                        + channels + "×" + height + "×" + width + "), the array has " + n);
            }
            if (containsNull) {
                for (int i = 0; i < n; i++) {
                    if (array.isNullAt(i)) {
                        throw new UndecodableRow("value " + i + " of the array is null");
                    }
                }
            }
            if (kind == InputKind.FLOATS) {
                for (int i = 0; i < n; i++) {
                    x[at + i] = array.getFloat(i);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    x[at + i] = (float) array.getDouble(i);
                }
            }
        }

        private BufferedImage picture(InternalRow image) {
            return Pictures.fromImageStruct(image.getInt(imageFields[1]), image.getInt(imageFields[2]),
                    image.getInt(imageFields[3]), image.isNullAt(imageFields[5]) ? null
                            : image.getBinary(imageFields[5]));
        }

        private float[] prepare(BufferedImage picture) {
            try {
                return rgb == null ? Images.input(picture, model) : Images.input(picture, model, rgb);
            } catch (IllegalArgumentException e) {
                throw new UndecodableRow(e.getMessage());
            }
        }

        /** Names the row in messages: its file, its image's origin, or its place in the partition. */
        private String describe(InternalRow row) {
            if (pathIndex >= 0 && !row.isNullAt(pathIndex)) {
                return row.getUTF8String(pathIndex).toString();
            }
            if (kind == InputKind.IMAGE_STRUCT && !row.isNullAt(inputIndex)) {
                InternalRow image = row.getStruct(inputIndex, imageFields.length);
                if (!image.isNullAt(imageFields[0])) {
                    String origin = image.getUTF8String(imageFields[0]).toString();
                    if (!origin.isEmpty()) {
                        return origin;
                    }
                }
            }
            return "row " + rowNumber + " of partition " + partition;
        }
    }

    /** The input row with the four output columns after it, in Spark's internal form. */
    private static InternalRow withOutputs(InternalRow row, Object probability, ArrayData labels,
                                           ArrayData scores, UTF8String error) {
        return new JoinedRow(row, new GenericInternalRow(new Object[] {probability, labels, scores, error}));
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
        int[] best = new int[n];
        if (n <= 16) {
            // A few passes over the classes: no sort, nothing boxed (topK is usually small, classes up to 1,000s).
            boolean[] taken = new boolean[p.length];
            for (int r = 0; r < n; r++) {
                int b = -1;
                for (int j = 0; j < p.length; j++) {
                    if (!taken[j] && (b < 0 || Double.compare(p[j], p[b]) > 0)) {
                        b = j;
                    }
                }
                taken[b] = true;
                best[r] = b;
            }
            return best;
        }
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(p[b], p[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
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
