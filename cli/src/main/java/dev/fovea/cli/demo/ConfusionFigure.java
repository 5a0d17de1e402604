package dev.fovea.cli.demo;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * The confusion matrix as a heat map: rows are true classes, columns predicted classes, each cell shows the
 * count and is shaded by the share of its row (so every class's recall reads on the diagonal).
 */
final class ConfusionFigure {
    static final String FILE = "confusion-matrix.png";
    private static final int CELL = 56;

    private ConfusionFigure() {
    }

    static Figure write(Evaluation e, List<String> classNames, Path dir) {
        List<String> names = Evaluation.names(classNames, e.classes());
        int k = e.classes();
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics fm = sg.getFontMetrics(Render.TEXT_FONT);
        int nameW = names.stream().mapToInt(fm::stringWidth).max().orElse(40);
        String title = String.format("Confusion matrix on %,d test images (accuracy %.4f)", e.count(), e.accuracy());
        int titleW = sg.getFontMetrics(Render.TITLE).stringWidth(title);
        sg.dispose();

        int left = TileGrid.MARGIN + 24 + nameW + 10 + 64; // axis title, names, recall column
        int top = TileGrid.MARGIN + 50 + nameW + 10;       // title, rotated column names
        int width = Math.max(left + k * CELL + TileGrid.MARGIN, 2 * TileGrid.MARGIN + titleW);
        int height = top + k * CELL + 46 + TileGrid.MARGIN;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Render.graphics(img);
        g.setFont(Render.TITLE);
        g.setColor(Render.TEXT);
        g.drawString(title, TileGrid.MARGIN, TileGrid.MARGIN + 20);
        g.setFont(Render.TEXT_FONT);
        g.setColor(Render.MUTED);
        g.drawString("Rows: true class (recall at the left). Columns: predicted class. Shade: share of the row.",
                TileGrid.MARGIN, TileGrid.MARGIN + 42);

        AffineTransform base = g.getTransform();
        g.setColor(Render.TEXT);
        for (int c = 0; c < k; c++) {
            // Column names written upwards, ending just above their column.
            int x = left + c * CELL + CELL / 2 + 5;
            g.rotate(-Math.PI / 2, x, top - 8);
            g.drawString(names.get(c), x, top - 8);
            g.setTransform(base);
        }
        g.setFont(Render.LABEL_BOLD);
        g.drawString("recall", left - 64 + 4, top - 8);
        for (int r = 0; r < k; r++) {
            int y = top + r * CELL;
            long support = e.support(r);
            g.setFont(Render.TEXT_FONT);
            g.setColor(Render.TEXT);
            g.drawString(names.get(r), left - 64 - 10 - fm.stringWidth(names.get(r)), y + CELL / 2 + 5);
            double recall = e.classAccuracy(r);
            g.setFont(Render.LABEL);
            g.drawString(Double.isNaN(recall) ? "-" : String.format("%.3f", recall), left - 64 + 4, y + CELL / 2 + 5);
            for (int c = 0; c < k; c++) {
                long v = e.confusion()[r][c];
                double share = support == 0 ? 0 : v / (double) support;
                int rgb = Colormap.BLUES.rgb(share);
                g.setColor(new Color(rgb));
                g.fillRect(left + c * CELL, y, CELL, CELL);
                g.setColor(share > 0.5 ? Color.WHITE : Render.TEXT);
                g.setFont(r == c ? Render.LABEL_BOLD : Render.LABEL);
                String s = String.valueOf(v);
                FontMetrics cm = g.getFontMetrics();
                g.drawString(s, left + c * CELL + (CELL - cm.stringWidth(s)) / 2, y + CELL / 2 + 5);
            }
        }
        g.setColor(Render.FRAME);
        g.drawRect(left, top, k * CELL, k * CELL);
        g.setFont(Render.TEXT_FONT);
        g.setColor(Render.TEXT);
        String xTitle = "predicted class";
        g.drawString(xTitle, left + (k * CELL - fm.stringWidth(xTitle)) / 2, top + k * CELL + 26);
        String yTitle = "true class";
        int yx = TileGrid.MARGIN + 14;
        int yy = top + (k * CELL + fm.stringWidth(yTitle)) / 2;
        g.rotate(-Math.PI / 2, yx, yy);
        g.drawString(yTitle, yx, yy);
        g.setTransform(base);
        g.dispose();
        Render.writePng(img, dir.resolve(FILE));
        return new Figure(FILE, "Confusion matrix",
                "Row r, column c counts test images of class r predicted as c; the diagonal holds the correct "
                        + "predictions and each row's recall is at its left. Off-diagonal cells show which "
                        + "classes the model mixes up.");
    }
}
