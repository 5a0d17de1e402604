package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import java.io.PrintWriter;
import java.util.List;

/**
 * Runs the suite from the command line ({@code fovea conformance --backend NAME [--filter PATTERN]
 * [--require-available] [--verbose]}, or {@code --list}): one line per case on {@code out} ({@code PASS name},
 * {@code FAIL name: index i [pos] expected e actual a}, {@code SKIP name: reason}), then
 * {@code N passed, N failed, N skipped}. Errors that stop the run (an unknown backend, a filter matching nothing)
 * are one line on {@code err}.
 */
public final class ConformanceRunner {
    /** Exit code of a run with a failed case, or one that could not start. */
    public static final int FAILED = 1;
    /** Exit code of a usage error: a filter that matches no case. */
    public static final int USAGE = 2;

    private static final String PREFIX = "fovea conformance: ";
    private static final String USAGE_LINE = "usage: --backend NAME [--filter PATTERN] [--require-available]"
            + " [--verbose] | --list [--filter PATTERN]";

    /**
     * How to run.
     *
     * @param filter           a literal part of the case names to run, {@code *} matching any characters; null: all
     * @param requireAvailable a backend unavailable here is an error, not a run with every case skipped
     * @param verbose          print the stack trace of each exception behind a FAIL (and of an error)
     */
    public record Options(String filter, boolean requireAvailable, boolean verbose) {
        /** Every case, unavailable allowed, no stack traces. */
        public static Options defaults() {
            return new Options(null, false, false);
        }
    }

    private ConformanceRunner() {
    }

    /**
     * Runs the cases {@code options} select on the backend called {@code backend}, found, probed and opened once.
     *
     * @return 0 when nothing failed; {@value #FAILED} on any failure, for a backend that is not found or does not
     *         open, or for one unavailable here when {@code requireAvailable} (otherwise its cases are skipped with
     *         the probe's reason and the code is 0); {@value #USAGE} for a filter matching no case
     */
    public static int run(String backend, Options options, PrintWriter out, PrintWriter err) {
        List<ConformanceCase> cases = ConformanceSuite.cases(ConformanceSuite.filter(options.filter()));
        if (cases.isEmpty()) {
            err.println(PREFIX + ConformanceSuite.noMatch(options.filter()));
            return USAGE;
        }
        switch (UnderTest.find(backend)) {
            case UnderTest.Failed f -> {
                err.println(PREFIX + f.message());
                if (options.verbose()) {
                    f.cause().printStackTrace(err);
                }
                return FAILED;
            }
            case UnderTest.Unavailable u -> {
                if (options.requireAvailable()) {
                    err.println(PREFIX + u.reason() + " (--require-available)");
                    return FAILED;
                }
                err.println(PREFIX + u.reason() + "; every case is skipped");
                for (ConformanceCase c : cases) {
                    out.println(Outcome.skip(u.reason()).line(c.name()));
                }
                out.println(summary(0, 0, cases.size()));
                return 0;
            }
            case UnderTest.Open o -> {
                try (Engine engine = o.engine()) {
                    return run(engine, cases, options.verbose(), out);
                }
            }
        }
    }

    /** Prints the names of the cases {@code filter} selects (null: all), one per line. */
    public static int list(String filter, PrintWriter out, PrintWriter err) {
        List<ConformanceCase> cases = ConformanceSuite.cases(ConformanceSuite.filter(filter));
        if (cases.isEmpty()) {
            err.println(PREFIX + ConformanceSuite.noMatch(filter));
            return USAGE;
        }
        cases.forEach(c -> out.println(c.name()));
        return 0;
    }

    /** Runs {@code cases} on an already open engine (a backend under development: {@code Engine.of(backend)}). */
    public static int run(Engine engine, List<ConformanceCase> cases, PrintWriter out) {
        return run(engine, cases, false, out);
    }

    /** As {@link #run(Engine, List, PrintWriter)}; {@code verbose} adds the stack trace under each FAIL it has. */
    public static int run(Engine engine, List<ConformanceCase> cases, boolean verbose, PrintWriter out) {
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (ConformanceCase c : cases) {
            Outcome o = c.run(engine);
            out.println(o.line(c.name()));
            switch (o) {
                case Outcome.Pass p -> passed++;
                case Outcome.Fail f -> {
                    failed++;
                    if (verbose && f.cause() != null) {
                        f.cause().printStackTrace(out); // under its FAIL line, so the two stay together
                    }
                }
                case Outcome.Skip s -> skipped++;
            }
        }
        out.println(summary(passed, failed, skipped));
        return failed == 0 ? 0 : FAILED;
    }

    static String summary(int passed, int failed, int skipped) {
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }

    /** {@code --backend NAME [--filter PATTERN] [--require-available] [--verbose]} or {@code --list}. */
    public static void main(String[] args) {
        String backend = null;
        String filter = null;
        boolean require = false;
        boolean verbose = false;
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = i + 1 < args.length ? args[++i] : null;
                case "--filter" -> filter = i + 1 < args.length ? args[++i] : null;
                case "--require-available" -> require = true;
                case "--verbose" -> verbose = true;
                case "--list" -> list = true;
                default -> {
                    System.err.println(PREFIX + "unknown argument " + args[i] + "; " + USAGE_LINE);
                    System.exit(USAGE);
                }
            }
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (list) {
            System.exit(list(filter, out, err));
        }
        if (backend == null) {
            err.println(PREFIX + USAGE_LINE);
            System.exit(USAGE);
        }
        System.exit(run(backend, new Options(filter, require, verbose), out, err));
    }
}
