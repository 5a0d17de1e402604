package dev.fovea.cli.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss and accuracy per epoch, side by side, with the final values underneath. XChart category charts drawn as
 * lines: epochs are whole numbers, so each is a category and the axis never shows fractional epochs.
 */
final class CurvesFigure {
    static final String FILE = "training-curves.png";
    private static final int CHART_W = 620;
    private static final int CHART_H = 440;
    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color TEST = new Color(0xff7f0e);

    private CurvesFigure() {
    }

    static Figure write(History h, Path dir) {
        List<Integer> epochs = IntStream.rangeClosed(1, h.epochs()).boxed().toList();
        CategoryChart loss = chart("Loss per epoch", "cross-entropy loss");
        add(loss, "train loss", epochs, h.trainLoss(), TRAIN);
        if (!h.testLoss().isEmpty()) {
            add(loss, "test loss", epochs, h.testLoss(), TEST);
        }
        CategoryChart acc = chart("Accuracy per epoch", "accuracy");
        add(acc, "train accuracy", epochs, h.trainAccuracy(), TRAIN);
        if (!h.testAccuracy().isEmpty()) {
            add(acc, "test accuracy", epochs, h.testAccuracy(), TEST);
        }
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);

        String summary = String.format("After %d epoch%s: train loss %.4f, train accuracy %.4f", h.epochs(),
                h.epochs() == 1 ? "" : "s", h.trainLoss().getLast(), h.trainAccuracy().getLast())
                + (h.testLoss().isEmpty() ? "" : String.format(", test loss %.4f", h.testLoss().getLast()))
                + (h.testAccuracy().isEmpty() ? "" : String.format(", test accuracy %.4f",
                        h.testAccuracy().getLast()));
        int width = 2 * CHART_W;
        int height = CHART_H + 40;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Render.graphics(img);
        loss.paint(g, CHART_W, CHART_H);
        g.translate(CHART_W, 0);
        acc.paint(g, CHART_W, CHART_H);
        g.translate(-CHART_W, 0);
        g.setFont(Render.TEXT_FONT);
        g.setColor(Render.TEXT);
        g.drawString(summary, TileGrid.MARGIN, CHART_H + 24);
        g.dispose();
        Render.writePng(img, dir.resolve(FILE));
        return new Figure(FILE, "Training curves",
                "Loss (left) and accuracy (right) after each epoch: train values are averages over the epoch's "
                        + "batches" + (h.testAccuracy().isEmpty() ? "" : ", test values are measured on the test "
                        + "set at the end of each epoch") + ". " + summary + ".");
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(CHART_W).height(CHART_H).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        CategoryStyler s = c.getStyler();
        s.setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        s.setOverlapped(true); // train and test points of one epoch at the same x
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xdddddd));
        s.setChartTitleFont(Render.TITLE);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setMarkerSize(8);
        return c;
    }

    private static void add(CategoryChart c, String name, List<Integer> x, List<Double> y, Color color) {
        CategorySeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineWidth(2.5f);
    }
}
