package dev.fovea.models;

import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Layout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Turns pictures into model inputs the way the zoo's Fashion-MNIST and MNIST models saw their training data
 * (what {@code fovea predict} and {@code fovea visualize} do):
 * <ol>
 *   <li>transparent pixels are laid over white;</li>
 *   <li>one channel: grayscale by luminance (0.299 R + 0.587 G + 0.114 B); three channels: RGB;</li>
 *   <li>scaled to [0, 1];</li>
 *   <li>one channel only: inverted when the background is light (mean of the border pixels above 0.5), since
 *       Fashion-MNIST and MNIST show light objects on black;</li>
 *   <li>padded with the border's mean value to the input's aspect ratio, so the object is not stretched;</li>
 *   <li>resized to the input's height × width by area averaging (each output pixel is the mean of the source
 *       area it covers).</li>
 * </ol>
 *
 * <pre>{@code
 * try (Model model = SafeTensors.loadModel(Path.of("fashion.safetensors"));
 *      Engine engine = Engine.open(); Inference net = model.compile(engine)) {
 *     float[] x = Images.input(Images.read(Path.of("shoe.png")), model);   // one image, in the model's layout
 *     float[] probabilities = net.predict(x, 1);
 * }
 * }</pre>
 */
public final class Images {
    /**
     * A prepared image: {@code pixels} holds {@code [channels, height, width]} in logical (planar, CHW) order,
     * values in [0, 1]; the array is this record's own (a new one per {@link #prepare}).
     *
     * @param inverted whether the grayscale image was inverted because its background was light
     */
    public record Prepared(float[] pixels, int channels, int height, int width, int sourceWidth, int sourceHeight,
                           boolean inverted) {
        /** The pixels in {@code layout}'s storage order: planar for NCHW, interleaved (HWC) for NHWC. */
        public float[] pixels(Layout layout) {
            Objects.requireNonNull(layout, "layout");
            if (layout == Layout.NCHW || channels == 1) {
                return pixels.clone();
            }
            float[] out = new float[pixels.length];
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    out[i * channels + c] = pixels[c * plane + i];
                }
            }
            return out;
        }

        /** One line for the user, e.g. {@code 640×480 → 28×28 grayscale, inverted (light background)}. */
        public String describe() {
            return sourceWidth + "×" + sourceHeight + " → " + width + "×" + height + " "
                    + (channels == 1 ? "grayscale" : "RGB") + (inverted ? ", inverted (light background)" : "");
        }
    }

    private Images() {
    }

    /** Reads a PNG, JPEG, GIF or BMP file (whatever {@link ImageIO} reads); throws naming the file otherwise. */
    public static BufferedImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image file " + file + " does not exist");
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IllegalArgumentException(file + " is not an image format ImageIO reads (PNG, JPEG, GIF, BMP)");
        }
        return image;
    }

    /**
     * {@code image} prepared for {@code model}'s input, in the model's layout order: the {@code x} of
     * {@code inference.predict(x, 1)}. Concatenate several for a batch.
     */
    public static float[] input(BufferedImage image, Model model) {
        Objects.requireNonNull(model, "model");
        return prepare(image, model.input()).pixels(model.layout());
    }

    /** {@code image} prepared for an input of {@code input}'s channels (1 or 3), height and width. */
    public static Prepared prepare(BufferedImage image, Input input) {
        Objects.requireNonNull(input, "input");
        return prepare(image, input.channels(), input.height(), input.width());
    }

    /** {@code image} prepared for {@code channels} (1: grayscale, 3: RGB) × {@code height} × {@code width}. */
    public static Prepared prepare(BufferedImage image, int channels, int height, int width) {
        Objects.requireNonNull(image, "image");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("cannot prepare an image for " + channels + " input channels (only 1,"
                    + " grayscale, or 3, RGB)");
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("cannot prepare an image for an input of " + height + "×" + width
                    + " pixels (height × width must be positive)");
        }
        int sw = image.getWidth();
        int sh = image.getHeight();
        float[][] planes = new float[channels][sw * sh];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int argb = image.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double r = over(argb >> 16 & 0xff, a);
                double g = over(argb >> 8 & 0xff, a);
                double b = over(argb & 0xff, a);
                if (channels == 1) {
                    planes[0][y * sw + x] = (float) (0.299 * r + 0.587 * g + 0.114 * b);
                } else {
                    planes[0][y * sw + x] = (float) r;
                    planes[1][y * sw + x] = (float) g;
                    planes[2][y * sw + x] = (float) b;
                }
            }
        }
        boolean invert = channels == 1 && borderMean(planes[0], sw, sh) > 0.5;
        if (invert) {
            for (int i = 0; i < planes[0].length; i++) {
                planes[0][i] = 1 - planes[0][i];
            }
        }
        // Pad to the target aspect ratio, centred, with the border colour.
        int pw = sw;
        int ph = sh;
        if ((long) sw * height > (long) sh * width) {
            ph = (int) Math.round((double) sw * height / width);
        } else {
            pw = (int) Math.round((double) sh * width / height);
        }
        float[] out = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            float bg = borderMean(planes[c], sw, sh);
            float[] padded = new float[pw * ph];
            Arrays.fill(padded, bg);
            int ox = (pw - sw) / 2;
            int oy = (ph - sh) / 2;
            for (int y = 0; y < sh; y++) {
                System.arraycopy(planes[c], y * sw, padded, (y + oy) * pw + ox, sw);
            }
            float[] r = resize(padded, pw, ph, width, height);
            System.arraycopy(r, 0, out, c * height * width, r.length);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0, Math.min(1, out[i]));
        }
        return new Prepared(out, channels, height, width, sw, sh, invert);
    }

    private static double over(int channel, double alpha) {
        return (channel / 255.0) * alpha + (1 - alpha);
    }

    private static float borderMean(float[] p, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int x = 0; x < w; x++) {
            sum += p[x] + p[(h - 1) * w + x];
            n += 2;
        }
        for (int y = 1; y < h - 1; y++) {
            sum += p[y * w] + p[y * w + w - 1];
            n += 2;
        }
        return (float) (sum / n);
    }

    /** Area-average resampling of a {@code sw×sh} plane to {@code dw×dh}. */
    static float[] resize(float[] src, int sw, int sh, int dw, int dh) {
        float[] dst = new float[dw * dh];
        double fx = (double) sw / dw;
        double fy = (double) sh / dh;
        for (int y = 0; y < dh; y++) {
            double y0 = y * fy;
            double y1 = y0 + fy;
            for (int x = 0; x < dw; x++) {
                double x0 = x * fx;
                double x1 = x0 + fx;
                double sum = 0;
                double area = 0;
                for (int sy = (int) y0; sy < Math.min(sh, Math.ceil(y1)); sy++) {
                    double wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
                    for (int sx = (int) x0; sx < Math.min(sw, Math.ceil(x1)); sx++) {
                        double wgt = wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
                        sum += wgt * src[sy * sw + sx];
                        area += wgt;
                    }
                }
                dst[y * dw + x] = (float) (sum / area);
            }
        }
        return dst;
    }
}
