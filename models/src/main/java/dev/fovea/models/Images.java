package dev.fovea.models;

import dev.fovea.data.FileFormatException;
import dev.fovea.data.InputFiles;
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
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.util.Iterator;

/**
 * Turns pictures into model inputs. {@link #prepare} does it the way the zoo's Fashion-MNIST and MNIST models saw
 * their training data (what {@code fovea predict --weights} and {@code fovea visualize} do):
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
 * {@link #prepareRgb} does it the way ImageNet classifiers (torchvision's, and most others) saw theirs (what
 * {@code fovea predict --model} does), each step set by an {@link RgbOptions}:
 * <ol>
 *   <li>transparent pixels are laid over white;</li>
 *   <li>the shorter side is resized to {@link RgbOptions#resize()} (default 256), the longer one in proportion
 *       (rounded down), with a bilinear filter widened by the shrink factor when shrinking (an antialiased
 *       average, not a sampling of four pixels): the weights of PIL's and so torchvision's {@code Resize}, computed
 *       in floating point without rounding to 8 bits;</li>
 *   <li>the centre {@code cropHeight × cropWidth} (default 224 × 224) is cut out, its offset
 *       {@code (resized − crop) / 2} rounded half to even;</li>
 *   <li>scaled to [0, 1], then normalised per channel: {@code (v − mean[c]) / std[c]} (default ImageNet's
 *       mean 0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225 for R, G, B).</li>
 * </ol>
 *
 * <pre>{@code
 * try (Model model = SafeTensors.loadModel(Path.of("fashion.safetensors"));
 *      Engine engine = Engine.open(); Inference net = model.compile(engine)) {
 *     float[] x = Images.input(Images.read(Path.of("shoe.png")), model);   // one image, in the model's layout
 *     float[] probabilities = net.predict(x, 1);
 * }
 * }</pre>
 *
 * <pre>{@code
 * try (Model model = Onnx.load(Path.of("resnet18.onnx")); Engine engine = Engine.open();
 *      Inference net = model.compile(engine)) {
 *     float[] x = Images.input(Images.read(Path.of("cat.jpg")), model, Images.RgbOptions.imagenet());
 *     float[] logits = net.predict(x, 1);
 * }
 * }</pre>
 */
public final class Images {
    /**
     * A prepared image: {@code pixels} holds {@code [channels, height, width]} in logical (planar, CHW) order,
     * values in [0, 1] ({@link #prepare}) or normalised with the options' mean and std ({@link #prepareRgb}); the
     * array is this record's own (a new one per call).
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

    /** The default of {@link #maxPixels()}: 50 million pixels (200 MB decoded as ARGB). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** The system property that sets {@link #maxPixels()}. */
    public static final String MAX_PIXELS_PROPERTY = "fovea.image.maxPixels";

    /**
     * The largest image {@link #read(Path)} decodes, in pixels (width × height): {@code -Dfovea.image.maxPixels=N}, or
     * {@value #DEFAULT_MAX_PIXELS}. A few hundred KB of PNG can announce gigabytes of pixels.
     */
    public static long maxPixels() {
        String v = System.getProperty(MAX_PIXELS_PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_MAX_PIXELS;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + MAX_PIXELS_PROPERTY + "=" + v + " is not a positive pixel count");
    }

    /**
     * Reads a PNG, JPEG, GIF or BMP file (whatever {@link ImageIO} reads), refusing images over {@link #maxPixels()}
     * from their header, before decoding; throws naming the file otherwise.
     */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, maxPixels());
    }

    /**
     * As {@link #read(Path)} with an explicit limit. The width and height come from the format's header (ImageIO's
     * reader), so an oversized image costs no memory.
     *
     * @throws java.io.FileNotFoundException the file is missing, a directory or unreadable
     * @throws FileFormatException            not an image format ImageIO reads, or its data is corrupt (the message
     *                                        names the file)
     * @throws IOException                    the image is over {@code maxPixels} (the message names the file)
     */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        Objects.requireNonNull(file, "file");
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        InputFiles.require("image", file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator()
                    : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new FileFormatException(file + ": not an image format ImageIO reads (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toUpperCase(java.util.Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                long pixels = (long) width * height;
                if (pixels > maxPixels) {
                    throw new IOException(file + ": the " + format + " image is " + width + "×" + height + " = "
                            + pixels + " pixels, over the limit of " + maxPixels + " (set -D" + MAX_PIXELS_PROPERTY
                            + " to allow more)");
                }
                return reader.read(0);
            } catch (IOException | RuntimeException e) {
                if (String.valueOf(e.getMessage()).startsWith(file.toString())) {
                    throw e;
                }
                throw new FileFormatException(file + ": corrupt or unreadable " + format + " image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
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

    /**
     * How {@link #prepareRgb} prepares a picture for an RGB model: the length the shorter side is resized to, the
     * centre crop's height and width (the model's input), and the per-channel mean and standard deviation (R, G, B)
     * the [0, 1] values are normalised with. {@link #imagenet()} gives the usual ImageNet settings; the
     * {@code with...} methods change one of them.
     *
     * @param resize     the shorter side's length after resizing; the resized picture must hold the crop
     * @param cropHeight the centre crop's height (the model's input height)
     * @param cropWidth  the centre crop's width (the model's input width)
     * @param mean       three finite values, subtracted from R, G and B
     * @param std        three finite positive values, dividing R, G and B
     */
    public record RgbOptions(int resize, int cropHeight, int cropWidth, double[] mean, double[] std) {
        /** ImageNet's per-channel mean and standard deviation (R, G, B), as torchvision's models were trained. */
        private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
        private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

        public RgbOptions {
            Objects.requireNonNull(mean, "mean");
            Objects.requireNonNull(std, "std");
            if (cropHeight <= 0 || cropWidth <= 0) {
                throw new IllegalArgumentException("crop " + cropHeight + "×" + cropWidth
                        + " must be positive (height × width)");
            }
            if (resize <= 0) {
                throw new IllegalArgumentException("resize " + resize + " must be positive (the shorter side's length)");
            }
            if (mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values each (R, G, B), got "
                        + Arrays.toString(mean) + " and " + Arrays.toString(std));
            }
            for (int c = 0; c < 3; c++) {
                if (!Double.isFinite(mean[c])) {
                    throw new IllegalArgumentException("mean " + Arrays.toString(mean) + ": every value must be finite");
                }
                if (!Double.isFinite(std[c]) || std[c] <= 0) {
                    throw new IllegalArgumentException("std " + Arrays.toString(std)
                            + ": every value must be finite and positive");
                }
            }
            mean = mean.clone();
            std = std.clone();
        }

        /** Shorter side to 256, centre 224 × 224, ImageNet's mean and std. */
        public static RgbOptions imagenet() {
            return new RgbOptions(256, 224, 224, IMAGENET_MEAN, IMAGENET_STD);
        }

        /**
         * ImageNet's settings for an input of {@code height × width}: the crop is the input, the shorter side is
         * resized to the crop's larger side ÷ 0.875, rounded (256 for 224, 342 for 299, as torchvision does).
         */
        public static RgbOptions imagenet(int height, int width) {
            int resize = (int) Math.round(Math.max(height, width) / 0.875);
            return new RgbOptions(resize, height, width, IMAGENET_MEAN, IMAGENET_STD);
        }

        public RgbOptions withResize(int shorterSide) {
            return new RgbOptions(shorterSide, cropHeight, cropWidth, mean, std);
        }

        public RgbOptions withCrop(int height, int width) {
            return new RgbOptions(resize, height, width, mean, std);
        }

        public RgbOptions withMean(double r, double g, double b) {
            return new RgbOptions(resize, cropHeight, cropWidth, new double[] {r, g, b}, std);
        }

        public RgbOptions withStd(double r, double g, double b) {
            return new RgbOptions(resize, cropHeight, cropWidth, mean, new double[] {r, g, b});
        }

        /** The mean (R, G, B); a copy. */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** The standard deviation (R, G, B); a copy. */
        @Override
        public double[] std() {
            return std.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RgbOptions other && resize == other.resize && cropHeight == other.cropHeight
                    && cropWidth == other.cropWidth && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
        }

        @Override
        public int hashCode() {
            return Objects.hash(resize, cropHeight, cropWidth, Arrays.hashCode(mean), Arrays.hashCode(std));
        }

        @Override
        public String toString() {
            return "RgbOptions[resize=" + resize + ", crop=" + cropHeight + "×" + cropWidth + ", mean="
                    + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
        }
    }

    /**
     * {@code image} prepared for {@code model}'s RGB input as {@code options} say (see {@link #prepareRgb}), in the
     * model's layout order: the {@code x} of {@code inference.predict(x, 1)}. The options' crop must be the model's
     * input height × width.
     */
    public static float[] input(BufferedImage image, Model model, RgbOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        Input in = model.input();
        if (in.channels() != 3) {
            throw new IllegalArgumentException("model '" + model.name() + "' takes " + in.channels()
                    + " input channels; RGB preprocessing needs 3");
        }
        if (in.height() != options.cropHeight() || in.width() != options.cropWidth()) {
            throw new IllegalArgumentException("crop " + options.cropHeight() + "×" + options.cropWidth()
                    + " does not match the input of model '" + model.name() + "', " + in.height() + "×" + in.width());
        }
        return prepareRgb(image, options).pixels(model.layout());
    }

    /**
     * {@code image} prepared the ImageNet way (see the class comment): shorter side resized to
     * {@code options.resize()}, centre crop, scaled to [0, 1] and normalised; {@code [3, cropHeight, cropWidth]}.
     */
    public static Prepared prepareRgb(BufferedImage image, RgbOptions options) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(options, "options");
        int sw = image.getWidth();
        int sh = image.getHeight();
        // The resized size: the shorter side becomes `resize`, the longer one keeps the aspect ratio, rounded down.
        int rw;
        int rh;
        if (sw <= sh) {
            rw = options.resize();
            rh = (int) ((long) options.resize() * sh / sw);
        } else {
            rh = options.resize();
            rw = (int) ((long) options.resize() * sw / sh);
        }
        int ch = options.cropHeight();
        int cw = options.cropWidth();
        if (rw < cw || rh < ch) {
            throw new IllegalArgumentException("the " + sw + "×" + sh + " picture resized to " + rw + "×" + rh
                    + " (shorter side " + options.resize() + ") is smaller than the crop " + cw + "×" + ch
                    + " (width × height): resize must be at least the crop's larger side");
        }
        int top = (int) Math.rint((rh - ch) / 2.0);
        int left = (int) Math.rint((rw - cw) / 2.0);
        // Only the resized pixels inside the crop are computed: columns left..left+cw-1, rows top..top+ch-1.
        Taps across = taps(sw, rw, left, cw);
        Taps down = taps(sh, rh, top, ch);
        double[] mean = options.mean();
        double[] std = options.std();
        int[] argb = image.getRGB(0, 0, sw, sh, null, 0, sw);
        float[] out = new float[3 * ch * cw];
        float[] rows = new float[sh * cw];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            // Horizontal pass over every source row, for the crop's columns.
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < cw; x++) {
                    double sum = 0;
                    int[] index = across.index()[x];
                    double[] weight = across.weight()[x];
                    for (int t = 0; t < index.length; t++) {
                        int p = argb[y * sw + index[t]];
                        sum += weight[t] * over(p >> shift & 0xff, (p >>> 24) / 255.0);
                    }
                    rows[y * cw + x] = (float) sum;
                }
            }
            // Vertical pass for the crop's rows, then the normalisation.
            for (int y = 0; y < ch; y++) {
                int[] index = down.index()[y];
                double[] weight = down.weight()[y];
                for (int x = 0; x < cw; x++) {
                    double sum = 0;
                    for (int t = 0; t < index.length; t++) {
                        sum += weight[t] * rows[index[t] * cw + x];
                    }
                    out[(c * ch + y) * cw + x] = (float) ((sum - mean[c]) / std[c]);
                }
            }
        }
        return new Prepared(out, 3, ch, cw, sw, sh, false);
    }

    /** For each of {@code count} output positions from {@code first}: the source positions it reads and their weights. */
    private record Taps(int[][] index, double[][] weight) {
    }

    /**
     * Resampling weights along one axis of {@code src} pixels resized to {@code dst}, for output positions
     * {@code first .. first + count - 1}: a triangle (bilinear) filter, widened by the shrink factor when shrinking,
     * as PIL's and so torchvision's bilinear resize computes them. Output pixel {@code x} is centred at
     * {@code c = (x + 0.5) · s} in source coordinates ({@code s = src / dst}); source pixel {@code i}, centred at
     * {@code i + 0.5}, weighs {@code max(0, 1 − |i + 0.5 − c| / max(s, 1))}; the weights of the pixels inside the
     * picture are scaled to sum to 1. Enlarging, this is bilinear interpolation between the two nearest pixel
     * centres (the edge pixels repeated outward); shrinking, a weighted average over the span of {@code 2s} source
     * pixels around {@code c}, so every source pixel counts (no aliasing).
     */
    private static Taps taps(int src, int dst, int first, int count) {
        int[][] index = new int[count][];
        double[][] weight = new double[count][];
        double scale = (double) src / dst;
        double width = Math.max(scale, 1);
        for (int o = 0; o < count; o++) {
            double centre = (first + o + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - width));
            int hi = Math.min(src, (int) Math.ceil(centre + width));
            int[] is = new int[hi - lo];
            double[] ws = new double[hi - lo];
            int n = 0;
            double total = 0;
            for (int i = lo; i < hi; i++) {
                double w = 1 - Math.abs(i + 0.5 - centre) / width;
                if (w > 0) {
                    is[n] = i;
                    ws[n] = w;
                    total += w;
                    n++;
                }
            }
            index[o] = Arrays.copyOf(is, n);
            weight[o] = new double[n];
            for (int t = 0; t < n; t++) {
                weight[o][t] = ws[t] / total;
            }
        }
        return new Taps(index, weight);
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
