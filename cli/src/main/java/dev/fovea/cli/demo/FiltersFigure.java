package dev.fovea.cli.demo;

import dev.fovea.nn.LayerInfo;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The first convolution's learned filters as a grid. One input channel: each filter in blue (negative) –
 * white (zero) – red (positive), scaled to its own largest |weight|. Three input channels: each filter as a
 * colour picture, min–max scaled per filter. Otherwise the mean over input channels, like one channel.
 */
final class FiltersFigure {
    static final String FILE = "filters.png";
    /** Screen pixels a tile should span, whatever the kernel size. */
    private static final int TILE = 60;

    private FiltersFigure() {
    }

    /** The first top-level convolution, if the model has one. */
    static Optional<LayerInfo> firstConvolution(Model model) {
        return model.layers().stream().filter(l -> l.depth() == 0 && l.type().endsWith("Conv2D")).findFirst();
    }

    static Figure write(Model model, Path dir) {
        LayerInfo layer = firstConvolution(model).orElseThrow(() -> new IllegalArgumentException(
                "model '" + model.name() + "' has no convolution layer whose filters could be drawn"));
        Tensor kernel = model.namedWeights().get(layer.name() + ".kernel");
        int[] d = kernel.shape().dims(); // [K, C/groups, kH, kW]
        int k = d[0];
        int c = d[1];
        int kh = d[2];
        int kw = d[3];
        float[] w = model.getWeights(layer.name()).getFirst();
        int scale = Math.max(1, Math.round(TILE / (float) Math.max(kh, kw)));
        String how;
        TileGrid grid = new TileGrid("Learned filters of " + layer.name() + " (" + layer.type() + "): " + k
                + " filters, " + kh + "×" + kw + (c > 1 ? "×" + c : ""))
                .columns(Math.max(Math.min(k, 6), (int) Math.ceil(Math.sqrt(k)))).scale(scale);
        if (c == 3) {
            how = "Each filter's three input channels as red, green and blue, min–max scaled per filter.";
            for (int f = 0; f < k; f++) {
                grid.add(new TileGrid.Tile(rgbFilter(w, f, kh, kw), String.format("#%d", f)));
            }
        } else {
            how = c == 1 ? "Each filter scaled to its own largest |weight| (the number under it)."
                    : "Each filter averaged over its " + c + " input channels, scaled to its own largest |weight|.";
            int plane = kh * kw;
            for (int f = 0; f < k; f++) {
                float[] mean = new float[plane];
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < plane; i++) {
                        mean[i] += w[(f * c + ch) * plane + i] / c;
                    }
                }
                double m = 0;
                for (float v : mean) {
                    m = Math.max(m, Math.abs(v));
                }
                BufferedImage tile = Render.heatmap(mean, 0, kh, kw, Colormap.DIVERGING, -m, m);
                grid.add(new TileGrid.Tile(tile, java.util.List.of("#" + f, String.format("%.2f", m)),
                        Render.TEXT, null));
            }
            grid.colorBar(new TileGrid.ColorBar(Colormap.DIVERGING, "−max", "0", "+max"));
        }
        grid.subtitle(how);
        grid.subtitle("Upscaled " + scale + "× with nearest-neighbour: one square per weight.");
        Render.writePng(grid.render(), dir.resolve(FILE));
        return new Figure(FILE, "Learned filters of the first convolution",
                "The " + k + " " + kh + "×" + kw + " kernels of " + layer.name() + ", one square per weight. "
                        + (c == 3 ? how : "Blue weights are negative, red positive, white near zero; " + how)
                        + " A filter responds most where the image looks like it: a red band beside a blue band "
                        + "detects a brightness edge along them, an all-red filter a bright blob.");
    }

    private static BufferedImage rgbFilter(float[] w, int f, int kh, int kw) {
        int plane = kh * kw;
        int base = f * 3 * plane;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < 3 * plane; i++) {
            lo = Math.min(lo, w[base + i]);
            hi = Math.max(hi, w[base + i]);
        }
        float range = hi > lo ? hi - lo : 1;
        BufferedImage img = new BufferedImage(kw, kh, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                int p = y * kw + x;
                int r = Math.round((w[base + p] - lo) / range * 255);
                int g = Math.round((w[base + plane + p] - lo) / range * 255);
                int b = Math.round((w[base + 2 * plane + p] - lo) / range * 255);
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }
}
