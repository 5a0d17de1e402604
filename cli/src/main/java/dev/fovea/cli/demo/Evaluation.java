package dev.fovea.cli.demo;

import dev.fovea.nn.Inference;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;

/**
 * A model's predictions on labelled images: predicted class and its probability per image, accuracy overall
 * and per class, and the confusion matrix ({@code confusion[true][predicted]}).
 *
 * <pre>{@code
 * Evaluation e = Evaluation.run(net, testImages, 256);
 * System.out.print(Report.text(e, Datasets.FASHION_MNIST_CLASSES));
 * }</pre>
 */
public record Evaluation(int[] labels, int[] predicted, float[] confidence, int classes, long[][] confusion) {

    /**
     * Runs {@code net} on every image in batches of {@code batch}. The model's output must be {@code [N, K]}
     * class scores; when a row is not already a probability distribution it is passed through softmax for the
     * confidence (the predicted class is the argmax either way).
     */
    public static Evaluation run(Inference net, ImageSet images, int batch) {
        if (images.labels() == null) {
            throw new IllegalArgumentException("evaluation needs labelled images");
        }
        Shape want = net.model().inputShape(1);
        if (want.rank() != 4 || want.c() != images.channels() || want.h() != images.height()
                || want.w() != images.width()) {
            throw new IllegalArgumentException("model '" + net.model().name() + "' takes " + want + " per image, "
                    + "the images are [1, " + images.channels() + ", " + images.height() + ", " + images.width() + "]");
        }
        Shape out = net.model().outputShape(1);
        if (out.rank() != 2) {
            throw new IllegalArgumentException("model '" + net.model().name() + "' outputs " + out
                    + "; evaluation needs class scores [N, K]");
        }
        int k = out.dim(1);
        int n = images.count();
        int[] predicted = new int[n];
        float[] confidence = new float[n];
        int per = images.pixelsPerImage();
        float[] row = new float[k];
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            float[] chunk = new float[b * per];
            System.arraycopy(images.pixels(), start * per, chunk, 0, b * per);
            try (TensorScope scope = new TensorScope()) {
                Tensor x = scope.fromArray(chunk, Shape.nchw(b, images.channels(), images.height(),
                        images.width()), Layout.NCHW);
                Tensor y = net.predict(x, scope);
                for (int i = 0; i < b; i++) {
                    for (int c = 0; c < k; c++) {
                        row[c] = y.get(i, c);
                    }
                    int best = argmax(row);
                    predicted[start + i] = best;
                    confidence[start + i] = probabilities(row)[best];
                }
            }
        }
        int classes = Math.max(k, maxLabel(images.labels()) + 1);
        long[][] confusion = new long[classes][classes];
        for (int i = 0; i < n; i++) {
            confusion[images.labels()[i]][predicted[i]]++;
        }
        return new Evaluation(images.labels().clone(), predicted, confidence, classes, confusion);
    }

    public int count() {
        return labels.length;
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < classes; i++) {
            c += confusion[i][i];
        }
        return c;
    }

    public double accuracy() {
        return correct() / (double) count();
    }

    /** Test images whose true class is {@code c}. */
    public long support(int c) {
        long s = 0;
        for (long v : confusion[c]) {
            s += v;
        }
        return s;
    }

    /** Recall of class {@code c}: the share of its images predicted as {@code c}; NaN when it has none. */
    public double classAccuracy(int c) {
        long s = support(c);
        return s == 0 ? Double.NaN : confusion[c][c] / (double) s;
    }

    public boolean isCorrect(int i) {
        return labels[i] == predicted[i];
    }

    /** Class names for every index, falling back to the index itself past the given list. */
    static List<String> names(List<String> classNames, int classes) {
        return java.util.stream.IntStream.range(0, classes)
                .mapToObj(i -> i < classNames.size() ? classNames.get(i) : "class " + i).toList();
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code v} itself when it is already a distribution (softmax output), else its softmax. */
    static float[] probabilities(float[] v) {
        double sum = 0;
        boolean nonNegative = true;
        for (float x : v) {
            sum += x;
            nonNegative &= x >= 0;
        }
        if (nonNegative && Math.abs(sum - 1) < 1e-3) {
            return v.clone();
        }
        float max = v[argmax(v)];
        double z = 0;
        float[] p = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            p[i] = (float) Math.exp(v[i] - max);
            z += p[i];
        }
        for (int i = 0; i < v.length; i++) {
            p[i] /= (float) z;
        }
        return p;
    }

    private static int maxLabel(int[] labels) {
        int m = 0;
        for (int l : labels) {
            if (l < 0) {
                throw new IllegalArgumentException("negative label " + l);
            }
            m = Math.max(m, l);
        }
        return m;
    }
}
