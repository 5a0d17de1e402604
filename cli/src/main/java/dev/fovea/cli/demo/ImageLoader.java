package dev.fovea.cli.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads an image file (PNG, JPEG, GIF, BMP: whatever ImageIO reads) and prepares it for a model input of
 * {@code channels × height × width}, the way Fashion-MNIST images look:
 * <ol>
 *   <li>transparent pixels are laid over white;</li>
 *   <li>one channel: grayscale by luminance (0.299 R + 0.587 G + 0.114 B); three channels: RGB;</li>
 *   <li>scaled to [0, 1];</li>
 *   <li>one channel only: inverted when the background is light (mean of the border pixels above 0.5), since
 *       Fashion-MNIST and MNIST show light objects on black;</li>
 *   <li>padded with the border's mean value to the input's aspect ratio, so the object is not stretched;</li>
 *   <li>resized to {@code height × width} by area averaging (each output pixel is the mean of the source area
 *       it covers).</li>
 * </ol>
 */
public final class ImageLoader {
    /** The prepared image and what was done to it. */
    public record Prepared(ImageSet image, int sourceWidth, int sourceHeight, boolean inverted) {
        /** One line for the user, e.g. {@code 640×480 → 28×28 grayscale, inverted (light background)}. */
        public String describe() {
            return sourceWidth + "×" + sourceHeight + " → " + image.width() + "×" + image.height() + " "
                    + (image.channels() == 1 ? "grayscale" : image.channels() == 3 ? "RGB" : image.channels()
                    + " channels") + (inverted ? ", inverted (light background)" : "");
        }
    }

    private ImageLoader() {
    }

    public static Prepared load(Path file, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("cannot prepare an image for " + channels + " input channels (only 1,"
                    + " grayscale, or 3, RGB)");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image file " + file + " does not exist");
        }
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        if (src == null) {
            throw new IllegalArgumentException(file + " is not an image format ImageIO reads (PNG, JPEG, GIF, BMP)");
        }
        return prepare(src, channels, height, width);
    }

    /** The steps of {@link #load} on an image already in memory. */
    public static Prepared prepare(BufferedImage src, int channels, int height, int width) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        float[][] planes = new float[channels][sw * sh];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int argb = src.getRGB(x, y);
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
            java.util.Arrays.fill(padded, bg);
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
        return new Prepared(new ImageSet(out, null, 1, channels, height, width), sw, sh, invert);
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
