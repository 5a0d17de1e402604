package dev.fovea.cli;

import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea predict --weights F image.png ...}: the top 3 classes of each image by name.
 *
 * <p>Preprocessing, as the network saw its training data: the image is read with ImageIO (PNG, JPEG, GIF, BMP),
 * converted to grayscale (luminance 0.299 R + 0.587 G + 0.114 B), resized to the model's input (28×28) with
 * bilinear interpolation, inverted when the background is light (mean of the border pixels above 0.5: Fashion-MNIST
 * and MNIST are light objects on a dark background), and scaled to [0, 1].
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

    /** The documented preprocessing; values in the model's (h, w) order. */
    static float[] preprocess(Path file, int h, int w) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image " + file + " does not exist");
        }
        BufferedImage src = ImageIO.read(file.toFile());
        if (src == null) {
            throw new IllegalArgumentException("image " + file + " is not in a format ImageIO reads (PNG, JPEG, GIF, BMP)");
        }
        // Grayscale by luminance first, then resize the gray image.
        BufferedImage gray = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                int rgb = src.getRGB(x, y);
                double a = ((rgb >>> 24) & 0xff) / 255.0;
                // Transparent pixels count as white paper.
                double lum = 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
                int v = (int) Math.round(lum * a + 255 * (1 - a));
                gray.getRaster().setSample(x, y, 0, v);
            }
        }
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(gray, 0, 0, w, h, null);
        g.dispose();
        float[] v = new float[h * w];
        double border = 0;
        int borderCount = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[y * w + x] = small.getRaster().getSample(x, y, 0) / 255f;
                if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
                    border += v[y * w + x];
                    borderCount++;
                }
            }
        }
        if (border / borderCount > 0.5) {
            for (int i = 0; i < v.length; i++) {
                v[i] = 1 - v[i];
            }
        }
        return v;
    }
}
