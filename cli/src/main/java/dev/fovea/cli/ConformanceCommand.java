package dev.fovea.cli;

import dev.fovea.conformance.ConformanceRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea conformance --backend NAME}: the conformance suite, one line per case. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run the conformance suite against a backend: one line per case on standard output (PASS, "
                + "FAIL with the first mismatch or the exception and where it was thrown, SKIP with the reason), then "
                + "'N passed, N failed, N skipped'. Errors that stop the run go to standard error.",
                "Exit 1 on any failure or when the backend is not found; 2 when --filter matches no case. A backend "
                        + "that is present but unavailable here has every case skipped with its reason and exits 0, "
                        + "unless --require-available is given. --verbose prints the stack trace under each FAIL."})
final class ConformanceCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Option(names = "--filter", paramLabel = "PATTERN",
            description = "Run only the cases whose name contains PATTERN, taken literally except that * matches "
                    + "any characters (a name copied from a report selects that case).")
    String filter;

    @Option(names = "--list", description = "Print the case names (those --filter selects) instead of running them.")
    boolean list;

    @Option(names = "--require-available", description = "Fail (exit 1) when the backend is unavailable here.")
    boolean requireAvailable;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (list) {
            return ConformanceRunner.list(filter, out, err);
        }
        String backend = fovea.requestedBackend().orElse(null);
        if (backend == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "conformance needs --backend NAME (see 'fovea backends'), or --list");
        }
        return ConformanceRunner.run(backend, new ConformanceRunner.Options(filter, requireAvailable, fovea.verbose),
                out, err);
    }
}
