package dev.fovea.cli;

import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Model;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea summary MODEL}: the zoo model's layers, shapes, parameters and receptive fields. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a zoo model's summary: layer, output shape, parameters, receptive field, totals.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "Zoo model: ${COMPLETION-CANDIDATES}",
            completionCandidates = ModelNames.class)
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Model m = ModelZoo.build(model, 0)) {
            spec.commandLine().getOut().print(m.summary());
        }
        return 0;
    }

    /** The zoo's names, for help texts. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelZoo.names().iterator();
        }
    }
}
