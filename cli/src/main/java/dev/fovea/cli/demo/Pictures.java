package dev.fovea.cli.demo;

import dev.fovea.nn.Inference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo's pictures into one folder and returns them in page order.
 *
 * <pre>{@code
 * Evaluation e = Evaluation.run(net, test, 256);
 * List<Figure> figs = Pictures.demo(dir, net, history, test, e, Datasets.FASHION_MNIST_CLASSES);
 * IndexPage.write(dir, "Fovea demo", facts, figs, blocks);
 * }</pre>
 */
public final class Pictures {
    /** Test images shown in the predictions grid. */
    public static final int GRID_IMAGES = 40;
    /** Mistakes shown in the mistakes grid. */
    public static final int MISTAKE_IMAGES = 24;

    private Pictures() {
    }

    /**
     * Everything {@code fovea demo} shows: training curves, first-layer filters, the feature maps of test image
     * 0 after each convolution and pooling layer, the pyramid overview, the first test images with their
     * predictions, the first mistakes (when there are any) and the confusion matrix.
     */
    public static List<Figure> demo(Path dir, Inference net, History history, ImageSet test, Evaluation e,
                                    List<String> classNames) {
        if (e.count() != test.count()) {
            throw new IllegalArgumentException("evaluation of " + e.count() + " images for " + test.count()
                    + " test images");
        }
        List<String> names = Evaluation.names(classNames, e.classes());
        List<Figure> figures = new ArrayList<>();
        figures.add(CurvesFigure.write(history, dir));
        String label = names.get(e.labels()[0]);
        String article = "AEIOUaeiou".indexOf(label.charAt(0)) >= 0 ? "an " : "a ";
        String what = "test image #0 (" + article + label + ", predicted " + names.get(e.predicted()[0])
                + String.format(" at %.0f%%)", 100.0 * e.confidence()[0]);
        figures.addAll(explain(dir, net, test.single(0), what));
        figures.add(PredictionsFigure.writeFirst(test, e, names, GRID_IMAGES, dir));
        PredictionsFigure.writeMistakes(test, e, names, MISTAKE_IMAGES, dir).ifPresent(figures::add);
        figures.add(ConfusionFigure.write(e, names, dir));
        return figures;
    }

    /**
     * What {@code fovea visualize} shows for any model and one image: the first convolution's filters (when the
     * model has a convolution), the feature maps after each convolution and pooling layer, and the pyramid.
     * {@code what} names the image in titles ("shoe.png").
     */
    public static List<Figure> explain(Path dir, Inference net, ImageSet image, String what) {
        List<Figure> figures = new ArrayList<>();
        if (FiltersFigure.firstConvolution(net.model()).isPresent()) {
            figures.add(FiltersFigure.write(net.model(), dir));
        }
        figures.addAll(FeatureMapsFigure.write(net, image, what, dir));
        return figures;
    }
}
