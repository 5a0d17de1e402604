package dev.fovea.cli.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Shared fonts, colours and pixel helpers for the demo's pictures. */
final class Render {
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 19);
    static final Font TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL_BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    static final Color TEXT = new Color(0x202020);
    static final Color MUTED = new Color(0x555555);
    static final Color FRAME = new Color(0x999999);
    static final Color WRONG = new Color(0xd62728);
    static final Color RIGHT = new Color(0x1a7f37);

    private Render() {
    }

    /** White canvas graphics with antialiased text and nearest-neighbour image scaling. */
    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        return g;
    }

    /** Draws {@code src} at {@code scale}×, each source pixel a {@code scale}×{@code scale} square. */
    static void drawPixels(Graphics2D g, BufferedImage src, int x, int y, int scale) {
        Object old = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.drawImage(src, x, y, src.getWidth() * scale, src.getHeight() * scale, null);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, old);
    }

    /**
     * A {@code h}×{@code w} picture of {@code values} (row-major, starting at {@code offset}) through
     * {@code map}, with {@code lo} mapped to 0 and {@code hi} to 1. A zero range maps everything to 0.5 when
     * the map is diverging, else to 0.
     */
    static BufferedImage heatmap(float[] values, int offset, int h, int w, Colormap map, double lo, double hi) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double range = hi - lo;
        double flat = map == Colormap.DIVERGING ? 0.5 : 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = values[offset + y * w + x];
                img.setRGB(x, y, map.rgb(range > 0 ? (v - lo) / range : flat));
            }
        }
        return img;
    }

    /** A horizontal colour bar with three labels under it. */
    static void colorBar(Graphics2D g, TileGrid.ColorBar bar, int x, int y, int w, int h) {
        for (int i = 0; i < w; i++) {
            g.setColor(new Color(bar.map().rgb(i / (double) (w - 1))));
            g.fillRect(x + i, y, 1, h);
        }
        g.setColor(FRAME);
        g.drawRect(x, y, w - 1, h - 1);
        g.setFont(LABEL);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        int ty = y + h + 15;
        g.drawString(bar.left(), x, ty);
        g.drawString(bar.middle(), x + (w - fm.stringWidth(bar.middle())) / 2, ty);
        g.drawString(bar.right(), x + w - fm.stringWidth(bar.right()), ty);
    }

    /** Writes {@code img} as PNG, creating parent folders. */
    static void writePng(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(img, "png", file.toFile())) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
