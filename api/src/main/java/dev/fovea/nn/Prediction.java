package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Inference#prediction(float[], int)} returns: a model's output for a batch, with its logical shape
 * {@code [N, ...]}, the values of each item, and the class ranking a classifier's caller wants: {@link #argmax},
 * {@link #topK} with the model's {@link Model#labels() labels} when it has them.
 *
 * <pre>{@code
 * Prediction p = net.prediction(pixels, 2);          // shape [2, 10]
 * int best = p.argmax(0);                             // the first image's class
 * for (Prediction.Score s : p.topK(1, 3)) {           // the second image's three most likely classes
 *     System.out.println(s.label() + " " + s.value());
 * }
 * }</pre>
 *
 * <p>Values are in logical row-major order ({@code [N, C, H, W]} for a 4-D output, whatever the model's
 * layout); an item's values are its {@code shape().perItem()} numbers, and a class index counts over them.
 * Ranking puts larger values first, the smaller index first among equal ones, and NaN last. Immutable and
 * safe to share between threads.
 */
public final class Prediction {
    private final Shape shape;
    private final float[] values;
    private final List<String> labels;

    /**
     * One ranked class.
     *
     * @param index the class's index among the item's values
     * @param label the class's label, or {@code "class i"} when the model has none
     * @param value the item's value for the class
     */
    public record Score(int index, String label, float value) {
        /** Checks that the label is present. */
        public Score {
            Objects.requireNonNull(label, "label");
        }

        /** {@code label value} with three decimals, as {@code fovea predict} prints it. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.3f", label, value);
        }
    }

    private Prediction(Shape shape, float[] values, List<String> labels) {
        this.shape = shape;
        this.values = values;
        this.labels = labels;
    }

    /**
     * A result of {@code shape} (batch first) holding {@code values} in logical row-major order (copied), with
     * class {@code labels} (one per value of an item) or an empty list.
     */
    public static Prediction of(Shape shape, float[] values, List<String> labels) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(labels, "labels");
        if (shape.rank() < 2) {
            throw new IllegalArgumentException("a prediction's shape has a batch axis and at least one more, got "
                    + shape);
        }
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.elementCount() + " values, got "
                    + values.length);
        }
        return new Prediction(shape, values.clone(), checkLabels(labels, shape.perItem()));
    }

    private static List<String> checkLabels(List<String> labels, long classes) {
        for (int i = 0; i < labels.size(); i++) {
            Objects.requireNonNull(labels.get(i), "label " + i);
        }
        if (!labels.isEmpty() && labels.size() != classes) {
            throw new IllegalArgumentException(labels.size() + " labels for " + classes + " values per item (one"
                    + " label per class, in class order)");
        }
        return List.copyOf(labels);
    }

    /** This result with other class labels (one per value of an item), or none with an empty list. */
    public Prediction withLabels(List<String> labels) {
        Objects.requireNonNull(labels, "labels");
        return new Prediction(shape, values, checkLabels(labels, shape.perItem()));
    }

    /** The logical shape, batch first: {@code [N, classes]} for a classifier. */
    public Shape shape() {
        return shape;
    }

    /** The number of items {@code N}. */
    public int batch() {
        return shape.n();
    }

    /** Values per item (a classifier's number of classes). */
    public int classes() {
        return Math.toIntExact(shape.perItem());
    }

    /** The class names, one per value of an item; empty when the model has none. */
    public List<String> labels() {
        return labels;
    }

    /** Every value, item after item, in logical order (a copy). */
    public float[] values() {
        return values.clone();
    }

    /** The values of item {@code item} (a copy). */
    public float[] item(int item) {
        checkItem(item);
        int k = classes();
        return Arrays.copyOfRange(values, item * k, (item + 1) * k);
    }

    /** Value {@code index} of item {@code item}. */
    public float get(int item, int index) {
        checkItem(item);
        Objects.checkIndex(index, classes());
        return values[item * classes() + index];
    }

    /** The index of item {@code item}'s largest value (the first of equal ones; NaN only if all are NaN). */
    public int argmax(int item) {
        return ranking(item, 1)[0];
    }

    /** {@link #argmax(int)} of every item. */
    public int[] argmax() {
        int[] out = new int[batch()];
        for (int i = 0; i < out.length; i++) {
            out[i] = argmax(i);
        }
        return out;
    }

    /**
     * Item {@code item}'s {@code k} largest values, largest first (fewer when the item has fewer values), each
     * with its index and label.
     */
    public List<Score> topK(int item, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topK needs k >= 1, got " + k);
        }
        List<Score> out = new ArrayList<>();
        int base = item * classes();
        for (int index : ranking(item, k)) {
            out.add(new Score(index, labels.isEmpty() ? "class " + index : labels.get(index), values[base + index]));
        }
        return out;
    }

    /** The first {@code k} indices of the item's values in ranking order. */
    private int[] ranking(int item, int k) {
        checkItem(item);
        int n = classes();
        int base = item * n;
        int[] out = new int[Math.min(k, n)];
        boolean[] used = new boolean[n];
        for (int r = 0; r < out.length; r++) {
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (!used[j] && (best < 0 || ranksBefore(values[base + j], values[base + best]))) {
                    best = j;
                }
            }
            used[best] = true;
            out[r] = best;
        }
        return out;
    }

    /** Whether {@code a} ranks strictly before {@code b}: larger first, NaN after every number. */
    private static boolean ranksBefore(float a, float b) {
        if (Float.isNaN(a)) {
            return false;
        }
        return Float.isNaN(b) || a > b;
    }

    private void checkItem(int item) {
        if (item < 0 || item >= batch()) {
            throw new IndexOutOfBoundsException("item " + item + " of a batch of " + batch());
        }
    }

    @Override
    public String toString() {
        return "Prediction " + shape + (labels.isEmpty() ? "" : " with " + labels.size() + " labels");
    }
}
