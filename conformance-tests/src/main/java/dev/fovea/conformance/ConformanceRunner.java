package dev.fovea.conformance;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs the suite from the command line ({@code fovea conformance --backend NAME [--filter REGEX]
 * [--require-available]}): one line per case ({@code PASS name}, {@code FAIL name: index i [pos] expected e
 * actual a}, {@code SKIP name: reason}), then {@code N passed, N failed, N skipped}.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {
    }

    /**
     * Runs every case matching {@code filter} (null: all) on the backend called {@code backend}.
     *
     * @return the exit code: 0 when nothing failed; 1 on any failure, for an unknown backend, or for a backend
     *         unavailable here when {@code requireAvailable} (otherwise its cases are skipped with the probe's
     *         reason and the code is 0)
     */
    public static int run(String backend, Pattern filter, boolean requireAvailable, PrintStream out) {
        List<BackendInfo> found = Backends.list();
        Optional<BackendInfo> info = found.stream().filter(b -> b.name().equals(backend)).findFirst();
        if (info.isEmpty()) {
            out.println("unknown backend '" + backend + "'; available backends: " + found.stream()
                    .filter(b -> b.availability().available()).map(BackendInfo::name).collect(Collectors.joining(", "))
                    + " (discovered: " + found.stream().map(BackendInfo::name).collect(Collectors.joining(", ")) + ")");
            return 1;
        }
        List<ConformanceCase> cases = ConformanceSuite.cases(filter);
        if (!info.get().availability().available()) {
            String reason = "backend '" + backend + "' is unavailable here: " + info.get().availability().describe();
            out.println(reason);
            for (ConformanceCase c : cases) {
                out.println(Outcome.skip(reason).line(c.name()));
            }
            out.println(summary(0, 0, cases.size()));
            return requireAvailable ? 1 : 0;
        }
        Engine engine;
        try {
            engine = Engine.open(backend);
        } catch (RuntimeException | LinkageError e) {
            out.println("backend '" + backend + "' reported available but failed to open: " + e);
            return 1;
        }
        try (engine) {
            return run(engine, cases, out);
        }
    }

    /** Runs {@code cases} on an already open engine (a backend under development: {@code Engine.of(backend)}). */
    public static int run(Engine engine, List<ConformanceCase> cases, PrintStream out) {
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (ConformanceCase c : cases) {
            Outcome o = c.run(engine);
            switch (o) {
                case Outcome.Pass p -> passed++;
                case Outcome.Fail f -> failed++;
                case Outcome.Skip s -> skipped++;
            }
            out.println(o.line(c.name()));
        }
        out.println(summary(passed, failed, skipped));
        return failed == 0 ? 0 : 1;
    }

    static String summary(int passed, int failed, int skipped) {
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }

    /** {@code --backend NAME [--filter REGEX] [--require-available]}; exits with {@link #run}'s code. */
    public static void main(String[] args) {
        String backend = null;
        Pattern filter = null;
        boolean require = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = i + 1 < args.length ? args[++i] : null;
                case "--filter" -> filter = i + 1 < args.length ? Pattern.compile(args[++i]) : null;
                case "--require-available" -> require = true;
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: --backend NAME [--filter REGEX] [--require-available]");
                    System.exit(2);
                }
            }
        }
        if (backend == null) {
            System.err.println("usage: --backend NAME [--filter REGEX] [--require-available]");
            System.exit(2);
        }
        System.exit(run(backend, filter, require, System.out));
    }
}
