package dev.fovea.cli;

import dev.fovea.engine.BackendUnavailableException;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code fovea} command. Exit codes: 0 success, 1 error (one-line message; stack trace with
 * {@code --verbose}), 2 usage error.
 */
@Command(name = "fovea", mixinStandardHelpOptions = true, versionProvider = Fovea.Version.class,
        description = "Convolutional neural networks on the JVM.",
        footer = {"", "In a source checkout, './fovea test' runs the test suite (mvn verify with a JDK 25)."},
        subcommands = {BackendsCommand.class, SummaryCommand.class, ConformanceCommand.class, BenchCommand.class,
                TrainCommand.class, EvaluateCommand.class, PredictCommand.class, DemoCommand.class, VisualizeCommand.class,
                SoakCommand.class, SparkPredictCommand.class, CommandLine.HelpCommand.class})
public final class Fovea implements Callable<Integer> {

    @Option(names = "--backend", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Backend to use (see 'fovea backends'); default: -Dfovea.backend, FOVEA_BACKEND, "
                    + "else the highest-priority available one. A named backend is never replaced by another.")
    String backend;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Fovea root = new Fovea();
        CommandLine cli = new CommandLine(root);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionStrategy(parsed -> {
            try {
                root.applyBackend(parsed.asCommandLineList().getLast().getCommandName());
            } catch (RuntimeException e) {
                return root.fail(e, err);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                return cli.getParameterExceptionHandler().handleParseException(pe, args);
            }
            return root.fail(e, commandLine.getErr());
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** One line for the user; the stack trace only with --verbose. */
    private int fail(Exception e, PrintWriter err) {
        err.println("fovea: " + message(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        return 1;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The backend named by {@code --backend}, else by {@code -Dfovea.backend} / {@code FOVEA_BACKEND}. */
    java.util.Optional<String> requestedBackend() {
        return backend != null ? java.util.Optional.of(backend) : Backends.requested();
    }

    /**
     * Opens the backend named by {@code --backend}, else lets {@link Engine#open()} choose: it reads
     * {@code -Dfovea.backend} / {@code FOVEA_BACKEND} itself and logs which backend and where the name came from.
     */
    Engine openEngine() {
        return openEngine(BackendOptions.defaults());
    }

    /** {@link #openEngine()} with these options. */
    Engine openEngine(BackendOptions options) {
        return backend != null ? Engine.open(backend, options) : Engine.open(options);
    }

    /**
     * Fails early when a named backend cannot be used — except for commands that report on backends themselves.
     */
    private void applyBackend(String command) {
        // spark-predict: the backend is chosen on the executors, which may have what this machine lacks (a GPU).
        if (command.equals("backends") || command.equals("conformance") || command.equals("help")
                || command.equals("spark-predict")) {
            return;
        }
        requestedBackend().ifPresent(name -> {
            boolean ok = Backends.list().stream().anyMatch(b -> b.name().equals(name) && b.availability().available());
            if (!ok) {
                // Engine.open gives the full message (reason, fix, available backends).
                Engine.open(name).close();
            }
        });
    }

    private static String message(Throwable e) {
        if (e instanceof BackendUnavailableException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof UnsupportedOperationException
                || e instanceof dev.fovea.data.FileFormatException
                || e instanceof java.io.FileNotFoundException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Fovea.class.getPackage().getImplementationVersion();
            return new String[] {"fovea " + (v == null ? "(development build)" : v),
                    "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")};
        }
    }
}
