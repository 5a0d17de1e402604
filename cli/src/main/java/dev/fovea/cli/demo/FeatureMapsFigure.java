package dev.fovea.cli.demo;

import dev.fovea.nn.Inference;
import dev.fovea.nn.LayerInfo;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one image looks like inside the network: for every top-level convolution and (non-global) pooling
 * layer, a grid of its output channels; and one overview ("pyramid") with the most active channel of each
 * layer drawn at a common scale, so the maps visibly shrink layer by layer.
 */
final class FeatureMapsFigure {
    static final String PYRAMID_FILE = "feature-pyramid.png";
    /** At most this many channels per layer grid. */
    static final int MAX_CHANNELS = 64;
    /** Screen pixels a map tile should span. */
    private static final int TILE = 80;

    private FeatureMapsFigure() {
    }

    /** The layers whose outputs are drawn: top-level convolutions and spatial pooling layers. */
    static List<LayerInfo> drawnLayers(List<LayerInfo> layers) {
        return layers.stream().filter(l -> l.depth() == 0 && (l.type().endsWith("Conv2D")
                || l.type().endsWith("Pooling2D") && !l.type().startsWith("Global"))).toList();
    }

    /**
     * Writes one picture per drawn layer and the pyramid for {@code image} (a one-image set); {@code what}
     * describes the image ("test image #0, a Sneaker, predicted Sneaker").
     */
    static List<Figure> write(Inference net, ImageSet image, String what, Path dir) {
        List<LayerInfo> layers = drawnLayers(net.model().layers());
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("model '" + net.model().name()
                    + "' has no convolution or pooling layer to show feature maps of");
        }
        List<Figure> figures = new ArrayList<>();
        try (TensorScope scope = new TensorScope()) {
            Tensor x = scope.fromArray(image.pixels(), Shape.nchw(1, image.channels(), image.height(),
                    image.width()), Layout.NCHW);
            Map<String, Tensor> trace = net.trace(x, scope);
            BufferedImage input = image.picture(0);
            int inputScale = Math.max(1, Math.round(112f / Math.max(image.height(), image.width())));
            List<BufferedImage> strongest = new ArrayList<>();
            List<String> strongestLabels = new ArrayList<>();
            int index = 1;
            int previous = -1;
            int previousChannels = -1;
            for (LayerInfo layer : layers) {
                Tensor t = trace.get(layer.name());
                Maps maps = Maps.of(t);
                String file = String.format(Locale.ROOT, "feature-maps-%02d-%s.png", index++, safe(layer.name()));
                figures.add(writeLayer(layer, maps, input, inputScale, what, dir.resolve(file), file));
                // Pooling keeps channels: follow the same channel the layer before showed, so the panels
                // tell one map's story.
                int best = layer.type().endsWith("Pooling2D") && maps.c == previousChannels ? previous
                        : maps.mostActive();
                previous = best;
                previousChannels = maps.c;
                strongest.add(maps.tile(best));
                strongestLabels.add(layer.name() + " · " + maps.h + "×" + maps.w + "×" + maps.c + " · ch " + best);
            }
            figures.add(writePyramid(input, strongest, strongestLabels, what, dir));
        }
        return figures;
    }

    private static Figure writeLayer(LayerInfo layer, Maps maps, BufferedImage input, int inputScale, String what,
                                     Path file, String name) {
        int shown = Math.min(maps.c, MAX_CHANNELS);
        int scale = Math.max(1, Math.round(TILE / (float) Math.max(maps.h, maps.w)));
        TileGrid grid = new TileGrid(layer.name() + " (" + layer.type() + "): " + maps.h + "×" + maps.w + "×"
                + maps.c + " feature maps").columns(8).scale(scale).header(input, inputScale, "input");
        grid.subtitle(what);
        grid.subtitle((shown < maps.c ? "First " + shown + " of " + maps.c + " channels. " : "")
                + (maps.signed ? "Each map scaled to its own largest |value| (under it)."
                        : "Each map scaled from 0 to its own maximum (under it); all-zero maps are dead for this "
                        + "image."));
        for (int ch = 0; ch < shown; ch++) {
            grid.add(new TileGrid.Tile(maps.tile(ch), List.of("ch " + ch, String.format("%.2f", maps.max[ch])),
                    Render.TEXT, null));
        }
        grid.colorBar(maps.signed ? new TileGrid.ColorBar(Colormap.DIVERGING, "−max", "0", "+max")
                : new TileGrid.ColorBar(Colormap.VIRIDIS, "0", "", "max"));
        Render.writePng(grid.render(), file);
        return new Figure(name, "Feature maps after " + layer.name() + " (" + layer.type() + ")",
                "The " + maps.c + " channels " + layer.name() + " outputs for " + what + ", each " + maps.h + "×"
                        + maps.w + (shown < maps.c ? " (first " + shown + " shown)" : "") + ". Bright areas are "
                        + "where that channel's filter found its pattern"
                        + (maps.signed ? "; blue is negative, red positive." : "; dark maps did not respond."));
    }

    private static Figure writePyramid(BufferedImage input, List<BufferedImage> maps, List<String> labels,
                                       String what, Path dir) {
        // One common scale: every layer's map is drawn at the same screen pixels per value as the input.
        int scale = Math.max(1, Math.round(168f / Math.max(input.getWidth(), input.getHeight())));
        List<BufferedImage> panels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        panels.add(input);
        names.add("input · " + input.getHeight() + "×" + input.getWidth());
        panels.addAll(maps);
        names.addAll(labels);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics fm = sg.getFontMetrics(Render.LABEL);
        int gap = 24;
        int width = 2 * TileGrid.MARGIN;
        int[] cellW = new int[panels.size()];
        for (int i = 0; i < panels.size(); i++) {
            cellW[i] = Math.max(panels.get(i).getWidth() * scale, fm.stringWidth(names.get(i)));
            width += cellW[i] + (i > 0 ? gap : 0);
        }
        String title = "Shapes shrinking through the network";
        String sub = "The most active channel of each convolution and pooling layer for " + what
                + ", all at " + scale + " screen pixels per value.";
        width = Math.max(width, 2 * TileGrid.MARGIN + sg.getFontMetrics(Render.TEXT_FONT).stringWidth(sub));
        sg.dispose();
        int maxH = input.getHeight() * scale;
        for (BufferedImage p : maps) {
            maxH = Math.max(maxH, p.getHeight() * scale);
        }
        int top = TileGrid.MARGIN + 56;
        int height = top + maxH + 40;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Render.graphics(img);
        g.setFont(Render.TITLE);
        g.setColor(Render.TEXT);
        g.drawString(title, TileGrid.MARGIN, TileGrid.MARGIN + 20);
        g.setFont(Render.TEXT_FONT);
        g.setColor(Render.MUTED);
        g.drawString(sub, TileGrid.MARGIN, TileGrid.MARGIN + 44);
        int x = TileGrid.MARGIN;
        g.setFont(Render.LABEL);
        for (int i = 0; i < panels.size(); i++) {
            BufferedImage p = panels.get(i);
            int pw = p.getWidth() * scale;
            int ph = p.getHeight() * scale;
            int px = x + (cellW[i] - pw) / 2;
            int py = top + (maxH - ph); // bottom-aligned, so the shrinking reads like steps
            Render.drawPixels(g, p, px, py, scale);
            g.setColor(Render.FRAME);
            g.drawRect(px - 1, py - 1, pw + 1, ph + 1);
            g.setColor(Render.TEXT);
            g.drawString(names.get(i), x + (cellW[i] - fm.stringWidth(names.get(i))) / 2, top + maxH + 22);
            if (i + 1 < panels.size()) {
                g.setColor(Render.MUTED);
                int ay = top + maxH - 10;
                g.drawString("→", x + cellW[i] + gap / 2 - 6, ay);
            }
            x += cellW[i] + gap;
        }
        g.setColor(Color.BLACK);
        g.dispose();
        Render.writePng(img, dir.resolve(PYRAMID_FILE));
        return new Figure(PYRAMID_FILE, "Shapes shrinking through the network",
                "The input and, for each convolution, its most active channel (largest sum; a pooling layer shows "
                        + "the same channel as the layer before it) for "
                        + what + ", all drawn at the same scale: each 3×3 valid convolution trims a pixel at every "
                        + "border and each 2×2 pooling halves the size, while the channel count grows.");
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** One layer's output for one image, channel-major, with per-channel ranges. */
    private static final class Maps {
        final int c;
        final int h;
        final int w;
        final float[] values;
        final float[] max;
        final float[] sum;
        final boolean signed;

        private Maps(int c, int h, int w, float[] values, float[] max, float[] sum, boolean signed) {
            this.c = c;
            this.h = h;
            this.w = w;
            this.values = values;
            this.max = max;
            this.sum = sum;
            this.signed = signed;
        }

        static Maps of(Tensor t) {
            int c = t.shape().c();
            int h = t.shape().h();
            int w = t.shape().w();
            float[] v = new float[c * h * w];
            float[] max = new float[c];
            float[] sum = new float[c];
            boolean signed = false;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float a = t.get(0, ch, y, x);
                        v[(ch * h + y) * w + x] = a;
                        max[ch] = Math.max(max[ch], Math.abs(a));
                        sum[ch] += a;
                        signed |= a < 0;
                    }
                }
            }
            return new Maps(c, h, w, v, max, sum, signed);
        }

        BufferedImage tile(int ch) {
            double m = max[ch];
            return signed ? Render.heatmap(values, ch * h * w, h, w, Colormap.DIVERGING, -m, m)
                    : Render.heatmap(values, ch * h * w, h, w, Colormap.VIRIDIS, 0, m);
        }

        int mostActive() {
            int best = 0;
            for (int ch = 1; ch < c; ch++) {
                if (sum[ch] > sum[best]) {
                    best = ch;
                }
            }
            return best;
        }
    }
}
