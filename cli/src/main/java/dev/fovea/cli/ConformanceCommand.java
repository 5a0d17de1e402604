package dev.fovea.cli;

import dev.fovea.conformance.ConformanceRunner;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea conformance --backend NAME}: the conformance suite, one line per case. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run the conformance suite against a backend: one line per case (PASS, FAIL with the first "
                + "mismatch, SKIP with the reason), then 'N passed, N failed, N skipped'.",
                "Exit 1 on any failure. A backend that is present but unavailable here has every case skipped "
                        + "with its reason and exits 0, unless --require-available is given."})
final class ConformanceCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Run only the cases whose name matches REGEX.")
    String filter;

    @Option(names = "--require-available", description = "Fail (exit 1) when the backend is unavailable here.")
    boolean requireAvailable;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String backend = fovea.requestedBackend().orElse(null);
        if (backend == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "conformance needs --backend NAME (see 'fovea backends')");
        }
        spec.commandLine().getOut().flush();
        return ConformanceRunner.run(backend, filter == null ? null : Pattern.compile(filter), requireAvailable,
                System.out);
    }
}
