package dev.fovea.cli;

import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea summary MODEL}: a zoo model's or an ONNX file's layers, shapes, parameters and receptive fields. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a model's summary: layer, output shape, parameters, receptive field, totals.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "Zoo model (${COMPLETION-CANDIDATES}), or an ONNX file: a name "
            + "ending in .onnx, or any existing file.", completionCandidates = ModelNames.class)
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Model m = isFile(model) ? loadOnnx(Path.of(model)) : ModelZoo.build(model, 0)) {
            spec.commandLine().getOut().print(m.summary());
        }
        return 0;
    }

    /** Whether {@code model} names a file rather than a zoo model: it ends in .onnx or is an existing file. */
    static boolean isFile(String model) {
        return model.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx") || Files.isRegularFile(Path.of(model));
    }

    /** {@link Onnx#load}, failing with the file's name when it is missing. */
    static Model loadOnnx(Path file) throws java.io.IOException {
        Checks.inputFile("model", file);
        return Onnx.load(file);
    }

    /** The zoo's names, for help texts. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelZoo.names().iterator();
        }
    }
}
