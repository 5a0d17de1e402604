package dev.fovea.cli;

import dev.fovea.cli.demo.Figure;
import dev.fovea.cli.demo.ImageSet;
import dev.fovea.cli.demo.IndexPage;
import dev.fovea.cli.demo.Pictures;
import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea visualize}: the filters and feature maps of a saved model for one image. */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = {"Draw a saved model's first-layer filters and the feature maps of one image after each "
                + "convolution and pooling layer, with an index.html.",
                "The weights file names its model. Preprocessing: grayscale (for a 1-channel model), resize to the "
                        + "model's input size, invert when the background is light, scale to [0, 1]."})
final class VisualizeCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", paramLabel = "FILE", required = true, description = "Safetensors file of a zoo model.")
    Path weights;

    @Option(names = "--image", paramLabel = "IMAGE", required = true, description = "PNG or JPEG file.")
    Path image;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "fovea-visualize",
            description = "Folder for the pictures and index.html (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Checks.inputFile("--weights", weights);
        Checks.inputFile("--image", image);
        Checks.outputFolder("--out", out);
        PrintWriter o = spec.commandLine().getOut();
        try (Model model = SafeTensors.loadModel(weights); Engine engine = fovea.openEngine();
             Inference net = model.compile(engine)) {
            var input = model.input();
            Images.Prepared prepared = Images.prepare(Images.read(image), input);
            o.println("model " + model.name() + " from " + weights + "; image " + image + ": " + prepared.describe());
            Files.createDirectories(out);
            ImageSet pictures = new ImageSet(prepared.pixels(), null, 1, prepared.channels(), prepared.height(),
                    prepared.width());
            List<Figure> figures = Pictures.explain(out, net, pictures, image.getFileName().toString());
            Path index = IndexPage.write(out, "Fovea: " + model.name() + " on " + image.getFileName(),
                    List.of("weights: " + weights, "image: " + image + " (" + prepared.describe() + ")",
                            "backend: " + engine.name()), figures, List.of());
            o.println("wrote " + figures.size() + " pictures and " + index);
        }
        return 0;
    }
}
