package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.engine.Engine;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Model;
import dev.fovea.train.Evaluation;
import dev.fovea.train.Loss;
import dev.fovea.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea evaluate --weights F}: test loss and accuracy of saved weights on the test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate saved weights (from 'fovea train --out') on the test images; ends with"
                + " 'test accuracy: 0.xxxx'.")
final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", paramLabel = "FILE", required = true, description = "Safetensors file of a zoo model.")
    Path weights;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        Checks c = new Checks(spec);
        c.between("--batch", batch, 1, TrainCommand.MAX_BATCH);
        Checks.inputFile("--weights", weights);
        data.check(c);
        Dataset test = data.load().test();
        try (Model m = SafeTensors.loadModel(weights); Engine engine = fovea.openEngine()) {
            Evaluation e = Trainer.evaluate(m, engine, Loss.softmaxCrossEntropy(), test, batch);
            var out = spec.commandLine().getOut();
            out.printf("%s on %s (%,d images), backend %s: loss %.4f, %.0f images/s%n", m.name(), test.name(),
                    e.count(), engine.name(), e.loss(), e.count() / e.seconds());
            out.printf("test accuracy: %.4f%n", e.accuracy());
        }
        return 0;
    }
}
