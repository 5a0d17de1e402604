package dev.fovea.models;

import dev.fovea.data.Dataset;
import dev.fovea.nn.Input;
import dev.fovea.tensor.Layout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A labelled image folder as a {@link Dataset}: one sub-folder per class, named after it (classes in name order),
 * holding PNG, JPEG, GIF or BMP files. Each picture is prepared for the model's input: RGB inputs as
 * {@link Images#prepareRgb} does (shorter side resized, centre crop), grayscale ones as {@link Images#prepare};
 * values in [0, 1], normalized by the returned data set with ImageNet's mean and standard deviation averaged over
 * the three channels (0.449, 0.226) for RGB, none for grayscale.
 */
public final class ImageFolder {
    /** ImageNet's mean and std, averaged over R, G and B (a data set normalizes all channels alike). */
    public static final double RGB_MEAN = 0.449;
    public static final double RGB_STD = 0.226;

    private ImageFolder() {
    }

    /** Loads every picture under {@code dir}'s class folders, prepared for {@code input}. */
    public static Dataset load(Path dir, Input input) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist or is not a directory");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classDirs.size() < 2) {
            throw new IllegalArgumentException("image folder " + dir + " has " + classDirs.size() + " class"
                    + " sub-folders; it needs one per class, at least 2");
        }
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("image folder " + dir + ": the model's input has " + c
                    + " channels; only 1 (grayscale) and 3 (RGB) are read from pictures");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path cd : classDirs) {
            int label = classes.size();
            classes.add(cd.getFileName().toString());
            try (Stream<Path> s = Files.list(cd)) {
                for (Path f : s.filter(ImageFolder::isPicture).sorted().toList()) {
                    files.add(f);
                    labels.add(label);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("image folder " + dir + " holds no PNG, JPEG, GIF or BMP files in its"
                    + " class folders " + classes);
        }
        int per = h * w * c;
        byte[] pixels = new byte[files.size() * per];
        Images.RgbOptions rgb = Images.RgbOptions.imagenet(h, w).withMean(0, 0, 0).withStd(1, 1, 1);
        for (int i = 0; i < files.size(); i++) {
            BufferedImage image = Images.read(files.get(i));
            float[] hwc = c == 3 ? Images.prepareRgb(image, rgb).pixels(Layout.NHWC)
                    : Images.prepare(image, 1, h, w).pixels(Layout.NHWC);
            for (int k = 0; k < per; k++) {
                pixels[i * per + k] = (byte) Math.round(Math.max(0, Math.min(1, hwc[k])) * 255);
            }
        }
        Dataset d = Dataset.of(dir.getFileName().toString(), h, w, c, pixels,
                labels.stream().mapToInt(Integer::intValue).toArray(), classes);
        return c == 3 ? d.normalized(RGB_MEAN, RGB_STD) : d;
    }

    private static boolean isPicture(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(f) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")
                || n.endsWith(".gif") || n.endsWith(".bmp"));
    }
}
