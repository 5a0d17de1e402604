package dev.fovea.cli.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays small images out in a labelled grid: a title and subtitle, the tiles (each upscaled with
 * nearest-neighbour so every source pixel stays a crisp square) with one or more label lines under each, an
 * optional colour bar, and caption lines at the bottom. Fonts are 13–20 px so the picture reads at 100% zoom.
 */
final class TileGrid {
    /** One cell: a source image drawn at {@code scale}× and its label lines (first line may be coloured). */
    record Tile(BufferedImage image, List<String> labels, Color labelColor, Color border) {
        Tile(BufferedImage image, String label) {
            this(image, List.of(label), Render.TEXT, null);
        }
    }

    /** A colour bar: the map from 0 to 1, with text at its left end, middle and right end. */
    record ColorBar(Colormap map, String left, String middle, String right) {
    }

    static final int MARGIN = 16;
    private static final int GAP = 10;
    private static final int LINE = 17;
    private static final int BORDER = 3;

    private final String title;
    private final List<String> subtitle = new ArrayList<>();
    private final List<String> caption = new ArrayList<>();
    private final List<Tile> tiles = new ArrayList<>();
    private BufferedImage header;
    private String headerLabel;
    private int headerScale = 1;
    private ColorBar colorBar;
    private int columns = 8;
    private int scale = 1;

    TileGrid(String title) {
        this.title = title;
    }

    TileGrid subtitle(String line) {
        subtitle.add(line);
        return this;
    }

    TileGrid caption(String line) {
        caption.add(line);
        return this;
    }

    TileGrid columns(int columns) {
        this.columns = Math.max(1, columns);
        return this;
    }

    /** Integer upscaling factor for every tile (nearest-neighbour). */
    TileGrid scale(int scale) {
        this.scale = Math.max(1, scale);
        return this;
    }

    /** A picture shown at the top left beside the title (e.g. the input image the maps come from). */
    TileGrid header(BufferedImage image, int scale, String label) {
        this.header = image;
        this.headerScale = Math.max(1, scale);
        this.headerLabel = label;
        return this;
    }

    TileGrid colorBar(ColorBar bar) {
        this.colorBar = bar;
        return this;
    }

    TileGrid add(Tile tile) {
        tiles.add(tile);
        return this;
    }

    BufferedImage render() {
        if (tiles.isEmpty()) {
            throw new IllegalStateException("no tiles for '" + title + "'");
        }
        int tileW = tiles.stream().mapToInt(t -> t.image().getWidth()).max().orElseThrow() * scale;
        int tileH = tiles.stream().mapToInt(t -> t.image().getHeight()).max().orElseThrow() * scale;
        int labelLines = tiles.stream().mapToInt(t -> t.labels().size()).max().orElse(0);
        // Measure text with a scratch graphics so cells are wide enough for their longest label.
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics labelFm = sg.getFontMetrics(Render.LABEL);
        FontMetrics titleFm = sg.getFontMetrics(Render.TITLE);
        FontMetrics textFm = sg.getFontMetrics(Render.TEXT_FONT);
        int labelW = 0;
        for (Tile t : tiles) {
            for (String l : t.labels()) {
                labelW = Math.max(labelW, labelFm.stringWidth(l));
            }
        }
        int cellW = Math.max(tileW + 2 * BORDER, labelW + 4);
        int cellH = tileH + 2 * BORDER + labelLines * LINE + 4;
        int cols = Math.min(columns, tiles.size());
        int rows = Math.ceilDiv(tiles.size(), cols);
        int gridW = cols * cellW + (cols - 1) * GAP;

        int headerW = header == null ? 0 : header.getWidth() * headerScale + GAP + 8;
        int headerH = header == null ? 0 : header.getHeight() * headerScale + LINE + 4;
        int textW = titleFm.stringWidth(title);
        for (String s : subtitle) {
            textW = Math.max(textW, textFm.stringWidth(s));
        }
        for (String s : caption) {
            textW = Math.max(textW, textFm.stringWidth(s));
        }
        sg.dispose();

        int width = 2 * MARGIN + Math.max(gridW, headerW + textW);
        int top = MARGIN + Math.max(headerH, 26 + subtitle.size() * (LINE + 2)) + GAP;
        int barH = colorBar == null ? 0 : 14 + LINE + GAP + 4;
        int height = top + rows * cellH + (rows - 1) * GAP + GAP + barH + caption.size() * (LINE + 2) + MARGIN;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Render.graphics(img);
        int tx = MARGIN;
        if (header != null) {
            Render.drawPixels(g, header, MARGIN, MARGIN, headerScale);
            g.setColor(Render.FRAME);
            g.drawRect(MARGIN - 1, MARGIN - 1, header.getWidth() * headerScale + 1,
                    header.getHeight() * headerScale + 1);
            g.setFont(Render.LABEL);
            g.setColor(Render.TEXT);
            g.drawString(headerLabel, MARGIN, MARGIN + header.getHeight() * headerScale + LINE);
            tx += headerW;
        }
        g.setFont(Render.TITLE);
        g.setColor(Render.TEXT);
        g.drawString(title, tx, MARGIN + 20);
        g.setFont(Render.TEXT_FONT);
        int y = MARGIN + 26;
        for (String s : subtitle) {
            y += LINE + 2;
            g.setColor(Render.MUTED);
            g.drawString(s, tx, y - 4);
        }

        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            int cx = MARGIN + (i % cols) * (cellW + GAP);
            int cy = top + (i / cols) * (cellH + GAP);
            int ix = cx + (cellW - tileW) / 2;
            int iy = cy + BORDER;
            Render.drawPixels(g, t.image(), ix, iy, scale);
            if (t.border() != null) {
                g.setColor(t.border());
                g.setStroke(new BasicStroke(BORDER));
                g.drawRect(ix - BORDER / 2 - 1, iy - BORDER / 2 - 1, tileW + BORDER, tileH + BORDER);
                g.setStroke(new BasicStroke(1));
            }
            g.setFont(Render.LABEL);
            int ly = iy + tileH + BORDER + LINE - 3;
            for (int k = 0; k < t.labels().size(); k++) {
                String l = t.labels().get(k);
                g.setColor(k == 0 ? t.labelColor() : Render.MUTED);
                g.drawString(l, cx + (cellW - labelFm.stringWidth(l)) / 2, ly + k * LINE);
            }
        }

        y = top + rows * cellH + (rows - 1) * GAP + GAP;
        if (colorBar != null) {
            Render.colorBar(g, colorBar, MARGIN, y, 256, 14);
            y += barH;
        }
        g.setFont(Render.TEXT_FONT);
        g.setColor(Render.TEXT);
        for (String s : caption) {
            y += LINE + 2;
            g.drawString(s, MARGIN, y - 4);
        }
        g.dispose();
        return img;
    }
}
