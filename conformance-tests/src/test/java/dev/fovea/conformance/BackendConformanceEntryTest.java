package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit entry point's contract, by calling its test factory directly: a run that cannot start is exactly one
 * failed test, a FAIL caused by an exception carries it as the cause, and the backend is opened once.
 */
class BackendConformanceEntryTest {
    /** A one-class conformance test as a backend author writes it, with the filter a test needs. */
    private static final class Subject extends BackendConformance {
        private final Pattern filter;

        Subject(String backend, String filter) {
            super(backend);
            this.filter = ConformanceSuite.filter(filter);
        }

        Subject(String label, Supplier<Engine> opener, String filter) {
            super(label, opener);
            this.filter = ConformanceSuite.filter(filter);
        }

        @Override
        protected Pattern filter() {
            return filter;
        }

        List<DynamicTest> tests() {
            return conformance().toList();
        }
    }

    private static Throwable execute(DynamicTest t) {
        return assertThrows(Throwable.class, () -> t.getExecutable().execute(), t.getDisplayName());
    }

    @Test
    void aMissingBackendIsOneFailedTest() {
        List<DynamicTest> tests = new Subject("no-such-backend", "cifar-course/").tests();
        assertEquals(1, tests.size());
        Throwable e = assertInstanceOf(AssertionFailedError.class, execute(tests.getFirst()));
        assertTrue(e.getMessage().contains("'no-such-backend' not found on the class path or module path"),
                e.getMessage());
    }

    @Test
    void anOpenerThatThrowsIsOneFailedTestCarryingTheException() {
        IllegalStateException boom = new IllegalStateException("device lost");
        List<DynamicTest> tests = new Subject("half-done", () -> {
            throw boom;
        }, "cifar-course/").tests();
        assertEquals(1, tests.size());
        Throwable e = execute(tests.getFirst());
        assertTrue(e.getMessage().contains("backend 'half-done' failed to open") && e.getMessage().contains(
                "device lost"), e.getMessage());
        assertEquals(boom, e.getCause());
    }

    @Test
    void anUnavailableBackendSkipsEveryCaseOrIsOneFailureWhenRequired() {
        List<DynamicTest> skipped = new Subject(UnavailableProvider.NAME, "cifar-course/").tests();
        assertEquals(ConformanceSuite.cases(ConformanceSuite.filter("cifar-course/")).size(), skipped.size());
        for (DynamicTest t : skipped) {
            Throwable e = assertInstanceOf(TestAbortedException.class, execute(t));
            assertTrue(e.getMessage().contains(UnavailableProvider.REASON), e.getMessage());
        }
        System.setProperty(BackendConformance.REQUIRE_AVAILABLE_PROPERTY, "true");
        try {
            List<DynamicTest> required = new Subject(UnavailableProvider.NAME, "cifar-course/").tests();
            assertEquals(1, required.size());
            Throwable e = assertInstanceOf(AssertionFailedError.class, execute(required.getFirst()));
            assertTrue(e.getMessage().contains(UnavailableProvider.REASON), e.getMessage());
        } finally {
            System.clearProperty(BackendConformance.REQUIRE_AVAILABLE_PROPERTY);
        }
    }

    @Test
    void theSummaryNamesTheFailedCasesAndGroupsTheSkippedOnesByReason() {
        Subject unavailable = new Subject(UnavailableProvider.NAME, "cifar-course/");
        List<DynamicTest> skipped = unavailable.tests();
        skipped.forEach(BackendConformanceEntryTest::execute);
        String summary = summary(unavailable);
        assertTrue(summary.startsWith("Conformance of backend '" + UnavailableProvider.NAME + "': 0 passed, 0 failed, "
                + skipped.size() + " skipped\n"), summary);
        assertTrue(summary.contains("  SKIP " + skipped.size() + " cases: backend '" + UnavailableProvider.NAME
                + "' is unavailable here: " + UnavailableProvider.REASON), summary);
        assertTrue(summary.contains("    " + skipped.getFirst().getDisplayName() + "\n")
                && summary.contains("    ... and " + (skipped.size() - 5) + " more\n"), summary);

        String name = "backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NCHW";
        Subject broken = new Subject("broken", () -> Engine.of(
                new BrokenBackend(BrokenBackend.Bug.TRAINING_CLAIMED_FILTER_MISSING)), name);
        try {
            broken.tests().forEach(BackendConformanceEntryTest::execute);
            String failed = summary(broken);
            assertTrue(failed.startsWith("Conformance of backend 'broken': 0 passed, 1 failed, 0 skipped\n"), failed);
            assertTrue(failed.contains("  FAIL " + name + ": "), failed);
        } finally {
            broken.closeEngine();
        }
    }

    private static String summary(BackendConformance c) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        c.printSummary(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aFailureFromAnExceptionCarriesItAsTheCause() {
        String name = "backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NCHW";
        Subject s = new Subject("broken", () -> Engine.of(
                new BrokenBackend(BrokenBackend.Bug.TRAINING_CLAIMED_FILTER_MISSING)), name);
        try {
            List<DynamicTest> tests = s.tests();
            assertEquals(1, tests.size());
            Throwable e = assertInstanceOf(AssertionFailedError.class, execute(tests.getFirst()));
            assertInstanceOf(UnsupportedOperationException.class, e.getCause());
            assertTrue(e.getMessage().contains(" at dev.fovea.spi.Backend.convolutionBackwardFilter:"), e.getMessage());
        } finally {
            s.closeEngine();
        }
    }

    @Test
    void theBackendIsOpenedOnceForAllItsCases() throws Throwable {
        int opens = CountingProvider.OPENS.get();
        Subject s = new Subject(CountingProvider.NAME, "cifar-course/");
        try {
            List<DynamicTest> tests = s.tests();
            assertTrue(tests.size() > 1);
            for (DynamicTest t : tests) {
                t.getExecutable().execute();
            }
            assertEquals(opens + 1, CountingProvider.OPENS.get());
        } finally {
            s.closeEngine();
        }
    }

    @Test
    void aFilterTypedInThePropertyThatMatchesNothingIsOneFailedTest() {
        System.setProperty(BackendConformance.FILTER_PROPERTY, "no-such-case");
        try {
            List<DynamicTest> tests = new BackendConformance("reference") {
            }.conformance().toList();
            assertEquals(1, tests.size());
            Throwable e = execute(tests.getFirst());
            assertTrue(e.getMessage().contains("'no-such-case'") && e.getMessage().contains("--list"), e.getMessage());
        } finally {
            System.clearProperty(BackendConformance.FILTER_PROPERTY);
        }
    }
}
