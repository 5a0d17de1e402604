package dev.fovea.cli.demo;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Images with optional labels, as the demo's pictures need them: {@code pixels} holds {@code count} images of
 * {@code [channels, height, width]} in logical NCHW order (for one channel that is also NHWC order), values
 * nominally in [0, 1]; {@code labels} (class indices) is null or has {@code count} entries.
 */
public record ImageSet(float[] pixels, int[] labels, int count, int channels, int height, int width) {
    public ImageSet {
        if (count <= 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image set needs positive count, channels, height, width; got "
                    + count + ", " + channels + ", " + height + ", " + width);
        }
        long want = (long) count * channels * height * width;
        if (pixels.length != want) {
            throw new IllegalArgumentException("image set of " + count + " images " + channels + "×" + height + "×"
                    + width + " needs " + want + " pixels, got " + pixels.length);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException("image set of " + count + " images has " + labels.length
                    + " labels");
        }
    }

    /** Grayscale images ({@code channels} = 1) with labels. */
    public static ImageSet gray(float[] pixels, int[] labels, int height, int width) {
        return new ImageSet(pixels, labels, pixels.length / (height * width), 1, height, width);
    }

    public int pixelsPerImage() {
        return channels * height * width;
    }

    /** The first {@code n} images (all of them when there are fewer). */
    public ImageSet first(int n) {
        int k = Math.min(n, count);
        return new ImageSet(Arrays.copyOf(pixels, k * pixelsPerImage()),
                labels == null ? null : Arrays.copyOf(labels, k), k, channels, height, width);
    }

    /** Image {@code i} alone. */
    public ImageSet single(int i) {
        int p = pixelsPerImage();
        return new ImageSet(Arrays.copyOfRange(pixels, i * p, (i + 1) * p),
                labels == null ? null : new int[] {labels[i]}, 1, channels, height, width);
    }

    /**
     * Image {@code i} as a picture at its own size: gray for one channel, RGB for three, else channel 0.
     * Values are clamped to [0, 1], so Fashion-MNIST shows as a light object on black.
     */
    public BufferedImage picture(int i) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int base = i * pixelsPerImage();
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = base + y * width + x;
                int r = byteOf(pixels[p]);
                int rgb = channels == 3 ? r << 16 | byteOf(pixels[p + plane]) << 8 | byteOf(pixels[p + 2 * plane])
                        : r << 16 | r << 8 | r;
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int byteOf(float v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
