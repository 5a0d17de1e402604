package dev.fovea.cli.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Loss and accuracy per epoch, side by side (XChart line charts), with the final values underneath. */
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
        XYChart loss = chart("Loss per epoch", "cross-entropy loss", h.epochs());
        add(loss, "train loss", epochs, h.trainLoss(), TRAIN);
        if (!h.testLoss().isEmpty()) {
            add(loss, "test loss", epochs, h.testLoss(), TEST);
        }
        XYChart acc = chart("Accuracy per epoch", "accuracy", h.epochs());
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

    private static XYChart chart(String title, String yTitle, int epochs) {
        XYChart c = new XYChartBuilder().width(CHART_W).height(CHART_H).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        XYStyler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xdddddd));
        s.setChartTitleFont(Render.TITLE);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setMarkerSize(8);
        s.setXAxisDecimalPattern("0");
        // Whole epochs only, with half an epoch of room at both ends so single points are not on the frame.
        s.setXAxisMin(0.5);
        s.setXAxisMax(epochs + 0.5);
        s.setXAxisMaxLabelCount(Math.min(epochs + 2, 16));
        s.setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-9 && x >= 1
                ? String.valueOf(Math.round(x)) : "");
        return c;
    }

    private static void add(XYChart c, String name, List<Integer> x, List<Double> y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineWidth(2.5f);
    }
}
