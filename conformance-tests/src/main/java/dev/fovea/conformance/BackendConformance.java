package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole conformance suite as JUnit 5 dynamic tests. A backend author writes one class:
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformance {
 *     MyBackendConformanceTest() {
 *         super("mine");   // the provider's name
 *     }
 * }
 * }</pre>
 *
 * The backend is found, probed and opened once for the class. A failing case fails its test with the first
 * mismatching element (and, when the backend threw, that exception as the cause); an op the backend reports
 * unsupported is skipped (aborted) with the backend's reason; a backend that is present but unavailable here skips
 * every case with its probe's reason, or is one failed test with {@code -D}{@value #REQUIRE_AVAILABLE_PROPERTY}
 * {@code =true}. A backend that is not found or does not open is one failed test, not one per case.
 * {@code -D}{@value #FILTER_PROPERTY}{@code =PATTERN} runs only the cases whose name contains PATTERN ({@code *}
 * matching any characters).
 *
 * <p>After the cases the class prints a summary to standard output: the counts, every failed case by name with
 * its first mismatch, and the skipped cases grouped by reason. Build tools that list dynamic tests by index
 * ({@code conformance()[97]}) keep the names and the reasons on the console this way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformance {
    /** System property selecting cases: a literal part of their names, {@code *} matching any characters. */
    public static final String FILTER_PROPERTY = "fovea.conformance.filter";
    /** System property: {@code true} makes a backend unavailable here one failed test instead of skipped cases. */
    public static final String REQUIRE_AVAILABLE_PROPERTY = "fovea.conformance.requireAvailable";

    private final String backend;
    private final Supplier<Engine> opener;
    private Engine engine;
    /** What the cases did, for the summary; guarded by itself (a launcher may run dynamic tests concurrently). */
    private final Tally tally = new Tally();

    /** Tests the discovered backend called {@code backend}. */
    protected BackendConformance(String backend) {
        this.backend = backend;
        this.opener = null;
    }

    /**
     * Tests an engine built by {@code opener}, e.g. {@code () -> Engine.of(new MyBackend())} for a backend that is
     * not registered yet; {@code label} names it in messages.
     */
    protected BackendConformance(String label, Supplier<Engine> opener) {
        this.backend = label;
        this.opener = opener;
    }

    /**
     * The cases to run: those whose name contains a match of the returned pattern (null: all). By default
     * {@value #FILTER_PROPERTY} read as {@link ConformanceSuite#filter(String)} does; override for any regular
     * expression, e.g. {@code ^(?!backward/)} for the inference cases alone.
     */
    protected Pattern filter() {
        return ConformanceSuite.filter(System.getProperty(FILTER_PROPERTY));
    }

    @TestFactory
    Stream<DynamicTest> conformance() {
        Pattern filter = filter();
        List<ConformanceCase> cases = ConformanceSuite.cases(filter);
        if (cases.isEmpty()) {
            String property = System.getProperty(FILTER_PROPERTY);
            Pattern fromProperty = ConformanceSuite.filter(property);
            boolean typed = fromProperty != null && fromProperty.pattern().equals(filter.pattern());
            return failure("filter", ConformanceSuite.noMatch(typed ? property.strip() : filter.pattern()), null);
        }
        UnderTest subject = opener != null ? UnderTest.open(backend, opener) : UnderTest.find(backend);
        return switch (subject) {
            case UnderTest.Failed f -> failure("backend '" + backend + "'", f.message(), f.cause());
            case UnderTest.Unavailable u -> Boolean.getBoolean(REQUIRE_AVAILABLE_PROPERTY)
                    ? failure("backend '" + backend + "'", u.reason() + " (-D" + REQUIRE_AVAILABLE_PROPERTY + "=true)",
                            null)
                    // The case name leads every message: some reporters show dynamic tests by index only.
                    : cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                        tally.add(c.name(), Outcome.skip(u.reason()));
                        Assumptions.abort(c.name() + ": " + u.reason());
                    }));
            case UnderTest.Open o -> {
                engine = o.engine();
                Engine e = engine;
                yield cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> report(c, c.run(e))));
            }
        };
    }

    private void report(ConformanceCase c, Outcome outcome) {
        tally.add(c.name(), outcome);
        switch (outcome) {
            case Outcome.Pass p -> {
            }
            case Outcome.Fail f -> Assertions.fail(f.line(c.name()) + " (backend '" + backend + "')", f.cause());
            case Outcome.Skip s -> Assumptions.abort(s.line(c.name()));
        }
    }

    /** The run cannot start: one failed test that says why, instead of one failure per case. */
    private static Stream<DynamicTest> failure(String name, String message, Throwable cause) {
        return Stream.of(DynamicTest.dynamicTest(name, () -> Assertions.fail(message, cause)));
    }

    @AfterAll
    void closeEngine() {
        printSummary(System.out);
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /** The summary of the cases run so far (nothing when none ran). */
    void printSummary(PrintStream out) {
        tally.print(out, backend);
    }

    /** Counts, failures and skip reasons of one run, printed as the summary. */
    static final class Tally {
        /** Beyond this many, failures and skip reasons are counted, not listed: the summary stays readable. */
        private static final int LISTED = 20;
        private static final int NAMES_PER_REASON = 5;
        private int passed;
        private final List<String> failures = new ArrayList<>();
        private final Map<String, List<String>> skippedByReason = new LinkedHashMap<>();

        synchronized void add(String name, Outcome outcome) {
            switch (outcome) {
                case Outcome.Pass p -> passed++;
                case Outcome.Fail f -> failures.add(f.line(name));
                case Outcome.Skip s -> skippedByReason.computeIfAbsent(s.reason(), r -> new ArrayList<>()).add(name);
            }
        }

        synchronized void print(PrintStream out, String backend) {
            int skipped = skippedByReason.values().stream().mapToInt(List::size).sum();
            if (passed + failures.size() + skipped == 0) {
                return;
            }
            StringBuilder b = new StringBuilder();
            b.append("Conformance of backend '").append(backend).append("': ").append(passed).append(" passed, ")
                    .append(failures.size()).append(" failed, ").append(skipped).append(" skipped\n");
            failures.stream().limit(LISTED).forEach(f -> b.append("  ").append(f).append('\n'));
            if (failures.size() > LISTED) {
                b.append("  ... and ").append(failures.size() - LISTED).append(" more failures\n");
            }
            int groups = 0;
            for (var e : skippedByReason.entrySet()) {
                List<String> names = e.getValue();
                if (++groups > LISTED) {
                    b.append("  ... and ").append(skippedByReason.size() - LISTED)
                            .append(" more skip reasons (the test reports list every case)\n");
                    break;
                }
                if (names.size() == 1) {
                    b.append("  SKIP ").append(names.getFirst()).append(": ").append(e.getKey()).append('\n');
                    continue;
                }
                b.append("  SKIP ").append(names.size()).append(" cases: ").append(e.getKey()).append('\n');
                names.stream().limit(NAMES_PER_REASON).forEach(n -> b.append("    ").append(n).append('\n'));
                if (names.size() > NAMES_PER_REASON) {
                    b.append("    ... and ").append(names.size() - NAMES_PER_REASON).append(" more\n");
                }
            }
            out.print(b);
            out.flush();
        }
    }
}
