package dev.fovea.data;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled images held as unsigned bytes (0–255), each item in (h, w, c) order; batches are made on demand as
 * float tensors {@code value = (byte / 255 − mean) / std} — by default {@code mean 0, std 1}, i.e. [0, 1].
 * Immutable; {@link #normalized} and {@link #head} return new views over the same bytes.
 */
public final class Dataset {
    private final String name;
    private final int height;
    private final int width;
    private final int channels;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classes;
    private final int first;
    private final int size;
    private final float mean;
    private final float std;

    private Dataset(String name, int height, int width, int channels, byte[] pixels, int[] labels, List<String> classes,
                    int first, int size, float mean, float std) {
        this.name = name;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.pixels = pixels;
        this.labels = labels;
        this.classes = List.copyOf(classes);
        this.first = first;
        this.size = size;
        this.mean = mean;
        this.std = std;
    }

    /**
     * A data set over {@code pixels} ({@code labels.length} items of {@code height·width·channels} bytes each,
     * (h, w, c) order) with labels in {@code [0, classes.size())}.
     */
    public static Dataset of(String name, int height, int width, int channels, byte[] pixels, int[] labels,
                             List<String> classes) {
        long per = (long) height * width * channels;
        if (height <= 0 || width <= 0 || channels <= 0 || pixels.length != per * labels.length) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes do not hold " + labels.length
                    + " images of " + height + "×" + width + "×" + channels);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of item " + i + " is outside [0, "
                        + classes.size() + ")");
            }
        }
        return new Dataset(name, height, width, channels, pixels, labels, classes, 0, labels.length, 0, 1);
    }

    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** Class names by label. */
    public List<String> classes() {
        return classes;
    }

    public int label(int i) {
        return labels[first + check(i)];
    }

    /** The same items, batches normalized as {@code (byte / 255 − mean) / std}. */
    public Dataset normalized(double mean, double std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("std " + std + " must be > 0");
        }
        return new Dataset(name, height, width, channels, pixels, labels, classes, first, size, (float) mean,
                (float) std);
    }

    /** The first {@code n} items. */
    public Dataset head(int n) {
        if (n <= 0 || n > size) {
            throw new IllegalArgumentException(name + ": head(" + n + ") of " + size + " items");
        }
        return new Dataset(name, height, width, channels, pixels, labels, classes, first, n, mean, std);
    }

    /** Item {@code i}'s values in (h, w, c) order, normalized. */
    public float[] image(int i) {
        int per = height * width * channels;
        float[] out = new float[per];
        int base = (first + check(i)) * per;
        for (int k = 0; k < per; k++) {
            out[k] = ((pixels[base + k] & 0xff) / 255f - mean) / std;
        }
        return out;
    }

    /**
     * Items {@code order[from .. from + count)} as a host tensor {@code [count, C, H, W]} in NHWC (the models'
     * input copies it to their own layout).
     */
    public Tensor batch(int[] order, int from, int count, TensorScope scope) {
        int per = height * width * channels;
        float[] values = new float[count * per];
        for (int b = 0; b < count; b++) {
            int base = (first + check(order[from + b])) * per;
            for (int k = 0; k < per; k++) {
                values[b * per + k] = ((pixels[base + k] & 0xff) / 255f - mean) / std;
            }
        }
        return scope.fromArray(values, Shape.of(count, channels, height, width), Layout.NHWC);
    }

    /** The labels of items {@code order[from .. from + count)}. */
    public int[] labels(int[] order, int from, int count) {
        int[] out = new int[count];
        for (int b = 0; b < count; b++) {
            out[b] = labels[first + check(order[from + b])];
        }
        return out;
    }

    /** {@code 0, 1, ..., size − 1}. */
    public int[] identityOrder() {
        int[] o = new int[size];
        Arrays.setAll(o, i -> i);
        return o;
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(name + ": item " + i + " outside [0, " + size + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return name + " (" + size + " images " + height + "×" + width + "×" + channels + ", " + classes.size()
                + " classes)";
    }
}
