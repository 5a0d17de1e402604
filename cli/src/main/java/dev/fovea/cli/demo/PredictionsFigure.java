package dev.fovea.cli.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test images with the predicted class and its probability (green when right, red when wrong) and the true
 * class; mistakes also get a red frame. {@link #writeFirst} shows the first images of the set, so the share
 * of mistakes is what the model really does; {@link #writeMistakes} shows only mistakes.
 */
final class PredictionsFigure {
    static final String FILE = "predictions.png";
    static final String MISTAKES_FILE = "mistakes.png";
    private static final int SCALE = 3;

    private PredictionsFigure() {
    }

    static Figure writeFirst(ImageSet images, Evaluation e, List<String> classNames, int count, Path dir) {
        int n = Math.min(count, images.count());
        List<Integer> which = new ArrayList<>();
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            which.add(i);
            wrong += e.isCorrect(i) ? 0 : 1;
        }
        String title = "Predictions on the first " + n + " test images: " + (n - wrong) + " right, " + wrong
                + " wrong";
        write(images, e, classNames, which, title, dir.resolve(FILE));
        return new Figure(FILE, "Predictions on test images",
                "The first " + n + " test images in order, not picked. Under each: the predicted class and its "
                        + "probability (green when right, red when wrong), then the true class. Mistakes "
                        + "have a red frame: " + wrong + " of " + n + " here.");
    }

    /** The first {@code count} misclassified images, or nothing when the model made no mistake. */
    static java.util.Optional<Figure> writeMistakes(ImageSet images, Evaluation e, List<String> classNames,
                                                    int count, Path dir) {
        List<Integer> which = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < images.count(); i++) {
            if (!e.isCorrect(i)) {
                total++;
                if (which.size() < count) {
                    which.add(i);
                }
            }
        }
        if (which.isEmpty()) {
            return java.util.Optional.empty();
        }
        String title = String.format("The first %d of %,d mistakes on %,d test images", which.size(), total,
                images.count());
        write(images, e, classNames, which, title, dir.resolve(MISTAKES_FILE));
        return java.util.Optional.of(new Figure(MISTAKES_FILE, "Mistakes",
                "The first " + which.size() + " misclassified test images (in test-set order), with the predicted "
                        + "class and probability in red and the true class below, showing which classes the "
                        + "model confuses."));
    }

    private static void write(ImageSet images, Evaluation e, List<String> classNames, List<Integer> which,
                              String title, Path file) {
        List<String> names = Evaluation.names(classNames, e.classes());
        TileGrid grid = new TileGrid(title).columns(8).scale(SCALE);
        grid.subtitle("First line: predicted class (probability), green when right, red when wrong. "
                + "Second line: true class. Mistakes have a red frame.");
        for (int i : which) {
            boolean ok = e.isCorrect(i);
            String predicted = String.format("%s %.0f%%", names.get(e.predicted()[i]), 100.0 * e.confidence()[i]);
            String truth = "true: " + names.get(e.labels()[i]);
            grid.add(new TileGrid.Tile(images.picture(i), List.of(predicted, truth),
                    ok ? Render.RIGHT : Render.WRONG, ok ? null : Render.WRONG));
        }
        Render.writePng(grid.render(), file);
    }
}
