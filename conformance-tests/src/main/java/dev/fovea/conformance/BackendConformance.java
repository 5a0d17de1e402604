package dev.fovea.conformance;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 * A failing case fails its test with the first mismatching element; an op the backend reports unsupported is
 * skipped (aborted) with the backend's reason; a backend that is present but unavailable here skips every case
 * with its probe's reason. {@code -Dfovea.conformance.filter=REGEX} runs only matching cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformance {
    /** System property selecting cases by a regular expression found in their names. */
    public static final String FILTER_PROPERTY = "fovea.conformance.filter";

    private final String backend;
    private final Supplier<Engine> opener;
    private Engine engine;

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

    /** The cases to run; by default those matching {@value #FILTER_PROPERTY}, or all. */
    protected Pattern filter() {
        String f = System.getProperty(FILTER_PROPERTY);
        return f == null || f.isBlank() ? null : Pattern.compile(f);
    }

    @TestFactory
    Stream<DynamicTest> conformance() {
        String unavailable = null;
        if (opener == null) {
            Optional<BackendInfo> info = Backends.list().stream().filter(b -> b.name().equals(backend)).findFirst();
            if (info.isEmpty()) {
                Assertions.fail("backend '" + backend + "' is not on the class path; discovered: " + Backends.list()
                        .stream().map(BackendInfo::name).collect(Collectors.joining(", ")));
            }
            if (!info.get().availability().available()) {
                unavailable = "backend '" + backend + "' is unavailable here: " + info.get().availability().describe();
            }
        }
        String skipAll = unavailable;
        return ConformanceSuite.cases(filter()).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            // The case name leads every message: some reporters show dynamic tests by index only.
            Assumptions.assumeTrue(skipAll == null, () -> c.name() + ": " + skipAll);
            switch (c.run(engine())) {
                case Outcome.Pass p -> {
                }
                case Outcome.Fail f -> Assertions.fail(f.line(c.name()) + " (backend '" + backend + "')");
                case Outcome.Skip s -> Assumptions.abort(s.line(c.name()));
            }
        }));
    }

    private synchronized Engine engine() {
        if (engine == null) {
            engine = opener != null ? opener.get() : Engine.open(backend);
        }
        return engine;
    }

    @AfterAll
    void closeEngine() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
