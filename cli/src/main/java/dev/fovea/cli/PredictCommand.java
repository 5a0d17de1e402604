package dev.fovea.cli;

import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea predict --weights F image.png ...}: the top 3 classes of each image by name.
 *
 * <p>Preprocessing, as the network saw its training data ({@link Images}): the image is read with ImageIO
 * (PNG, JPEG, GIF, BMP), converted to grayscale (luminance 0.299 R + 0.587 G + 0.114 B), inverted when the
 * background is light (mean of the border pixels above 0.5: Fashion-MNIST and MNIST are light objects on a dark
 * background), padded to a square with the background, resized to the model's input (28×28) by area averaging,
 * and scaled to [0, 1].
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify images with saved weights; prints the top 3 classes per image.",
                "Preprocessing: grayscale, resize to 28×28, invert when the background is light, scale to [0, 1]."})
final class PredictCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", paramLabel = "FILE", required = true, description = "Safetensors file of a zoo model.")
    Path weights;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "PNG or JPEG files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        try (Model m = SafeTensors.loadModel(weights); Engine engine = fovea.openEngine();
             Inference net = m.compile(engine)) {
            int h = m.input().height();
            int w = m.input().width();
            if (m.input().channels() != 1) {
                throw new IllegalArgumentException("predict handles grayscale models; " + m.name() + " takes "
                        + m.input().channels() + " channels");
            }
            List<String> classes = m.name().startsWith("fashion") ? Datasets.FASHION_MNIST_CLASSES
                    : Datasets.MNIST_CLASSES;
            float[] pixels = new float[images.size() * h * w];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(preprocess(images.get(i), h, w), 0, pixels, i * h * w, h * w);
            }
            float[] probs = net.predict(pixels, images.size());
            int k = Math.toIntExact(m.outputShape(1).perItem());
            var out = spec.commandLine().getOut();
            for (int i = 0; i < images.size(); i++) {
                List<String> top = new ArrayList<>();
                boolean[] used = new boolean[k];
                for (int r = 0; r < Math.min(3, k); r++) {
                    int best = -1;
                    for (int j = 0; j < k; j++) {
                        if (!used[j] && (best < 0 || probs[i * k + j] > probs[i * k + best])) {
                            best = j;
                        }
                    }
                    used[best] = true;
                    String name = best < classes.size() ? classes.get(best) : Integer.toString(best);
                    top.add(String.format("%s %.3f", name, probs[i * k + best]));
                }
                out.println(images.get(i) + ": " + String.join(", ", top));
            }
        }
        return 0;
    }

    /** The documented preprocessing ({@link Images}) for a grayscale input; values in (h, w) order. */
    static float[] preprocess(Path file, int h, int w) throws IOException {
        return Images.prepare(Images.read(file), 1, h, w).pixels();
    }
}
