package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line's contract: results on stdout, errors on stderr, literal filters, --list, --verbose. */
class ConformanceRunnerTest {
    private record Result(int exit, String out, String err) {
    }

    private static Result run(String backend, String filter, boolean verbose) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ConformanceRunner.run(backend, new ConformanceRunner.Options(filter, false, verbose),
                new PrintWriter(out), new PrintWriter(err));
        return new Result(exit, out.toString(), err.toString());
    }

    private static List<String> names(String filter) {
        return ConformanceSuite.cases(ConformanceSuite.filter(filter)).stream().map(ConformanceCase::name).toList();
    }

    @Test
    void anUnknownBackendIsOneLineOnStderrListingWhatWasFound() {
        Result r = run("no-such-backend", "cifar-course/", false);
        assertEquals(1, r.exit);
        assertEquals("", r.out);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains("'no-such-backend' not found on the class path or module path; found: ")
                && r.err.contains("reference"), r.err);
    }

    @Test
    void aFilterIsALiteralPartOfTheNameSoACopiedNameSelectsItsCase() {
        List<String> special = ConformanceSuite.cases().stream().map(ConformanceCase::name)
                .filter(n -> n.contains("(") || n.contains("^") || n.contains("..") || n.contains("=")).toList();
        assertFalse(special.isEmpty());
        for (String name : special.subList(0, Math.min(50, special.size()))) {
            List<String> selected = names(name);
            assertTrue(selected.contains(name), name + " not selected by itself: " + selected);
            assertTrue(selected.stream().allMatch(n -> n.contains(name)), name + " selected " + selected);
        }
    }

    @Test
    void aStarMatchesAnyCharacters() {
        List<String> expected = ConformanceSuite.cases().stream().map(ConformanceCase::name).filter(n -> {
            int at = n.indexOf("max-pool");
            return at >= 0 && n.indexOf("/NHWC", at + "max-pool".length()) >= 0;
        }).toList();
        assertFalse(expected.isEmpty());
        assertEquals(expected, names("max-pool*/NHWC"));
        assertEquals(ConformanceSuite.cases().size(), names("*").size());
    }

    @Test
    void aFilterMatchingNothingIsAnErrorSuggestingList() {
        Result r = run("reference", "no-such-case", false);
        assertEquals(ConformanceRunner.USAGE, r.exit);
        assertEquals("", r.out);
        assertTrue(r.err.contains("no conformance case matches the filter 'no-such-case'")
                && r.err.contains("--list"), r.err);
    }

    @Test
    void listPrintsTheSelectedCaseNames() {
        StringWriter out = new StringWriter();
        assertEquals(0, ConformanceRunner.list("cifar-course/", new PrintWriter(out), new PrintWriter(new StringWriter())));
        assertEquals(names("cifar-course/"), out.toString().lines().toList());
        StringWriter all = new StringWriter();
        assertEquals(0, ConformanceRunner.list(null, new PrintWriter(all), new PrintWriter(new StringWriter())));
        assertEquals(ConformanceSuite.cases().size(), all.toString().lines().count());
    }

    @Test
    void theBackendIsProbedAndOpenedOncePerRun() {
        int opens = CountingProvider.OPENS.get();
        Result r = run(CountingProvider.NAME, "cifar-course/", false);
        assertEquals(0, r.exit, r.out + r.err);
        assertTrue(names("cifar-course/").size() > 1);
        assertEquals(opens + 1, CountingProvider.OPENS.get());
        assertEquals(1, CountingProvider.PROBES.get(), "discovery probes each backend once per JVM");
    }

    private static final String THROWING_CASE =
            "backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NCHW";

    private static String runThrowing(boolean verbose) {
        StringWriter out = new StringWriter();
        try (Engine e = Engine.of(new BrokenBackend(BrokenBackend.Bug.TRAINING_CLAIMED_FILTER_MISSING))) {
            List<ConformanceCase> one = ConformanceSuite.cases(Pattern.compile(Pattern.quote(THROWING_CASE)));
            assertEquals(1, ConformanceRunner.run(e, one, verbose, new PrintWriter(out)));
        }
        return out.toString();
    }

    @Test
    void aFailFromAnExceptionNamesWhereItWasThrownAndVerbosePrintsTheStack() {
        String plain = runThrowing(false);
        assertTrue(plain.lines().anyMatch(l -> l.startsWith("FAIL " + THROWING_CASE + ": ")
                && l.contains("java.lang.UnsupportedOperationException")
                && l.matches(".* at dev\\.fovea\\.spi\\.Backend\\.convolutionBackwardFilter:\\d+$")), plain);
        assertFalse(plain.contains("\tat "), plain);
        String verbose = runThrowing(true);
        List<String> lines = verbose.lines().toList();
        int fail = lines.indexOf(lines.stream().filter(l -> l.startsWith("FAIL ")).findFirst().orElseThrow());
        assertTrue(lines.get(fail + 1).startsWith("java.lang.UnsupportedOperationException"), verbose);
        assertTrue(lines.get(fail + 2).startsWith("\tat dev.fovea.spi.Backend.convolutionBackwardFilter("), verbose);
    }

    private static Outcome explode() {
        throw new IllegalStateException("boom");
    }

    @Test
    void aCaseThatThrowsKeepsTheExceptionAndItsFirstFrame() {
        Outcome o = new ConformanceCase("throws", e -> explode()).run(null);
        Outcome.Fail f = assertInstanceOf(Outcome.Fail.class, o);
        assertInstanceOf(IllegalStateException.class, f.cause());
        assertTrue(f.line("throws").matches("FAIL throws: threw java\\.lang\\.IllegalStateException: boom at "
                + "dev\\.fovea\\.conformance\\.ConformanceRunnerTest\\.explode:\\d+"), f.line("throws"));
    }
}
