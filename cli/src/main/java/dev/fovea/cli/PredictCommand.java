package dev.fovea.cli;

import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Prediction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea predict --weights F image.png ...} (a zoo model) or {@code fovea predict --model F.onnx image.jpg ...}
 * (an RGB classifier): the top classes of each image by name or index.
 *
 * <p>With {@code --weights}, preprocessing as the network saw its training data ({@link Images#prepare}): the image
 * is read with ImageIO (PNG, JPEG, GIF, BMP), converted to grayscale (luminance 0.299 R + 0.587 G + 0.114 B),
 * inverted when the background is light (mean of the border pixels above 0.5: Fashion-MNIST and MNIST are light
 * objects on a dark background), padded to a square with the background, resized to the model's input (28×28) by
 * area averaging, and scaled to [0, 1].
 *
 * <p>With {@code --model}, ImageNet's preprocessing ({@link Images#prepareRgb}): shorter side resized, centre crop
 * to the model's input, scaled to [0, 1], normalised with a per-channel mean and std. The output is taken as
 * probabilities when every image's values lie in [0, 1] and sum to 1 (within 1e-3), and passed through a softmax
 * otherwise (logits).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify images: prints the top classes per image, 'IMAGE: label probability, ...'.",
                "--weights F (a zoo model): grayscale, resized to 28×28, inverted when the background is light, "
                        + "scaled to [0, 1]; top 3 unless --top is given. With --pytorch ZOO_MODEL, F is a PyTorch "
                        + "state_dict for that zoo model.",
                "--model F.onnx (an RGB classifier, e.g. from torchvision): shorter side resized to --resize, centre "
                        + "crop of the model's input size, scaled to [0, 1], normalised with --mean and --std; top 5 "
                        + "unless --top is given. The output counts as probabilities when every image's values lie "
                        + "in [0, 1] and sum to 1 (within 1e-3); otherwise it is taken as logits and a softmax is "
                        + "applied."})
final class PredictCommand implements Callable<Integer> {
    /** Images per call to the model. */
    private static final int CHUNK = 8;

    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", paramLabel = "FILE", description = "Safetensors file of a zoo model.")
    Path weights;

    @Option(names = "--pytorch", paramLabel = "ZOO_MODEL", description = "With --weights: the file is a PyTorch "
            + "state_dict saved with safetensors for this zoo model (e.g. fashion-cnn), its modules in nn.Sequential "
            + "order ('0.weight', '3.bias', ...).")
    String pytorch;

    @Option(names = "--model", paramLabel = "FILE", description = "ONNX file of an RGB image classifier.")
    Path model;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one per line, in class order (default: class indices with --model).")
    Path labels;

    @Option(names = "--top", paramLabel = "K", description = "Classes printed per image (default: 5 with --model, "
            + "3 with --weights).")
    Integer top;

    @Option(names = "--resize", paramLabel = "N", description = "With --model: the shorter side's length before the "
            + "crop (default: the crop's size ÷ 0.875, 256 for 224).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "N", description = "With --model: the centre crop's size; must be the "
            + "model's input height and width (default: the model's input).")
    Integer crop;

    @Option(names = "--mean", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "With --model: per-channel mean of the [0, 1] values (default: 0.485,0.456,0.406).")
    double[] mean;

    @Option(names = "--std", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "With --model: per-channel standard deviation (default: 0.229,0.224,0.225).")
    double[] std;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "PNG, JPEG, GIF or BMP files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new IllegalArgumentException("image file " + image + " does not exist");
            }
        }
        Path modelFile = model != null ? model : weights;
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException((model != null ? "--model" : "--weights") + " file " + modelFile
                    + " does not exist");
        }
        List<String> names = labels == null ? null : readLabels(labels);
        if (model != null) {
            return predictOnnx(names);
        }
        return predictZoo(names);
    }

    /** Usage errors (exit 2): which options go together, and numbers in range. */
    private void checkOptions() {
        if (model != null && weights != null) {
            throw usage("--model and --weights cannot be used together: --model takes an ONNX file, --weights a "
                    + "zoo model's safetensors file");
        }
        if (model == null && weights == null) {
            throw usage("give --model FILE.onnx or --weights FILE.safetensors");
        }
        if (pytorch != null && weights == null) {
            throw usage("--pytorch names the zoo model of a --weights file; it does not apply to --model");
        }
        if (pytorch != null && !ModelZoo.names().contains(pytorch)) {
            throw usage("--pytorch: unknown zoo model '" + pytorch + "'; known: " + String.join(", ", ModelZoo.names()));
        }
        if (weights != null) {
            for (String option : List.of("--resize", "--crop", "--mean", "--std")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw usage(option + " applies to --model (RGB models); --weights models are prepared as "
                            + "grayscale 28×28 images");
                }
            }
        }
        if (top != null && top < 1) {
            throw usage("--top must be at least 1, got " + top);
        }
        if (resize != null && resize < 1) {
            throw usage("--resize must be at least 1, got " + resize);
        }
        if (crop != null && crop < 1) {
            throw usage("--crop must be at least 1, got " + crop);
        }
        if (mean != null) {
            if (mean.length != 3 || !Arrays.stream(mean).allMatch(Double::isFinite)) {
                throw usage("--mean needs 3 finite values R,G,B, got " + join(mean));
            }
        }
        if (std != null) {
            if (std.length != 3 || !Arrays.stream(std).allMatch(v -> Double.isFinite(v) && v > 0)) {
                throw usage("--std needs 3 finite positive values R,G,B, got " + join(std));
            }
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String join(double[] values) {
        List<String> s = new ArrayList<>();
        for (double v : values) {
            s.add(Double.toString(v));
        }
        return String.join(",", s);
    }

    /** One label per line; blank lines at the end are ignored. */
    static List<String> readLabels(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--labels file " + file + " does not exist");
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("--labels file " + file + " has no labels (one per line)");
        }
        return lines.stream().map(String::strip).toList();
    }

    private int predictOnnx(List<String> names) throws Exception {
        try (Model m = SummaryCommand.loadOnnx(model)) {
            if (m.inputs().size() != 1 || m.input().channels() != 3) {
                throw new IllegalArgumentException("--model " + model + ": predict takes RGB classifiers (one input "
                        + "of 3 channels); this model's inputs are " + m.inputs());
            }
            Input in = m.input();
            Images.RgbOptions options = Images.RgbOptions.imagenet(in.height(), in.width());
            if (crop != null) {
                if (crop != in.height() || crop != in.width()) {
                    throw new IllegalArgumentException("--crop " + crop + " does not match the input of " + model
                            + ", " + in.height() + "×" + in.width());
                }
            }
            if (resize != null) {
                if (resize < Math.max(in.height(), in.width())) {
                    throw new IllegalArgumentException("--resize " + resize + " is smaller than the crop "
                            + in.height() + "×" + in.width() + " (the input of " + model + ")");
                }
                options = options.withResize(resize);
            }
            if (mean != null) {
                options = options.withMean(mean[0], mean[1], mean[2]);
            }
            if (std != null) {
                options = options.withStd(std[0], std[1], std[2]);
            }
            int k = classes(m, names);
            try (Engine engine = fovea.openEngine(); Inference net = m.compile(engine)) {
                int perImage = in.channels() * in.height() * in.width();
                for (int from = 0; from < images.size(); from += CHUNK) {
                    int n = Math.min(CHUNK, images.size() - from);
                    float[] x = new float[n * perImage];
                    for (int i = 0; i < n; i++) {
                        Path file = images.get(from + i);
                        java.awt.image.BufferedImage picture = Images.read(file);
                        float[] one;
                        try {
                            one = Images.input(picture, m, options);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
                        }
                        System.arraycopy(one, 0, x, i * perImage, perImage);
                    }
                    Prediction y = net.prediction(x, n);
                    float[] p = new float[n * k];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(probabilities(y.item(i)), 0, p, i * k, k);
                    }
                    Prediction probs = Prediction.of(y.shape(), p, names != null ? names : m.labels());
                    for (int i = 0; i < n; i++) {
                        printTop(images.get(from + i), probs.topK(i, top == null ? 5 : top));
                    }
                }
            }
        }
        return 0;
    }

    private int predictZoo(List<String> names) throws Exception {
        try (Model m = pytorch != null ? loadPyTorch(pytorch, weights) : SafeTensors.loadModel(weights);
             Engine engine = fovea.openEngine();
             Inference net = m.compile(engine)) {
            int h = m.input().height();
            int w = m.input().width();
            if (m.input().channels() != 1) {
                throw new IllegalArgumentException("predict --weights handles grayscale models; " + m.name()
                        + " takes " + m.input().channels() + " channels");
            }
            classes(m, names);
            float[] pixels = new float[images.size() * h * w];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(preprocess(images.get(i), h, w), 0, pixels, i * h * w, h * w);
            }
            Prediction probs = net.prediction(pixels, images.size());  // the zoo's labels, unless --labels
            if (names != null) {
                probs = probs.withLabels(names);
            }
            for (int i = 0; i < images.size(); i++) {
                printTop(images.get(i), probs.topK(i, top == null ? 3 : top));
            }
        }
        return 0;
    }

    /** The zoo model {@code name} with PyTorch's weights from {@code file} (the Sequential convention). */
    static Model loadPyTorch(String name, Path file) throws IOException {
        Model m = ModelZoo.build(name, 0);
        try {
            SafeTensors.loadPyTorch(m, file);
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The model's number of classes, checked against the labels file when there is one. */
    private int classes(Model m, List<String> names) {
        int k = Math.toIntExact(m.outputShape(1).perItem());
        if (names != null && names.size() != k) {
            throw new IllegalArgumentException("--labels file " + labels + " has " + names.size() + " labels; the "
                    + "model has " + k + " classes (one label per line, in class order)");
        }
        return k;
    }

    /**
     * {@code y} itself when it already is a probability distribution (every value in [0, 1], sum within 1e-3 of 1),
     * else its softmax.
     */
    static float[] probabilities(float[] y) {
        double sum = 0;
        boolean inUnitRange = true;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : y) {
            sum += v;
            inUnitRange &= v >= 0 && v <= 1;
            max = Math.max(max, v);
        }
        if (inUnitRange && Math.abs(sum - 1) <= 1e-3) {
            return y;
        }
        double[] e = new double[y.length];
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            e[i] = Math.exp(y[i] - max);
            total += e[i];
        }
        float[] p = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            p[i] = (float) (e[i] / total);
        }
        return p;
    }

    /** {@code IMAGE: label p, label p, ...}, most probable first. */
    private void printTop(Path image, List<Prediction.Score> best) {
        spec.commandLine().getOut().println(image + ": " + String.join(", ",
                best.stream().map(Prediction.Score::toString).toList()));
    }

    /** The documented preprocessing ({@link Images}) for a grayscale input; values in (h, w) order. */
    static float[] preprocess(Path file, int h, int w) throws IOException {
        return Images.prepare(Images.read(file), 1, h, w).pixels();
    }
}
