package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A present but unavailable backend on the command line: the reason once on stderr and every case skipped with it
 * on stdout (exit 0), or, when availability is required, the one line on stderr and nothing else (exit 1).
 */
class UnavailableBackendTest {
    private record Result(int exit, String out, String err) {
    }

    private static Result run(boolean require) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ConformanceRunner.run(UnavailableProvider.NAME,
                new ConformanceRunner.Options("cifar-course/", require, false), new PrintWriter(out), new PrintWriter(err));
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void skipsEveryCaseWithTheProbesReason() {
        Result r = run(false);
        assertEquals(0, r.exit, r.err);
        List<String> lines = r.out.lines().toList();
        int cases = ConformanceSuite.cases(ConformanceSuite.filter("cifar-course/")).size();
        assertEquals(cases, lines.stream().filter(l -> l.startsWith("SKIP cifar-course/")
                && l.contains(UnavailableProvider.REASON)).count(), r.out);
        assertEquals("0 passed, 0 failed, " + cases + " skipped", lines.getLast());
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains(UnavailableProvider.REASON), r.err);
    }

    @Test
    void failsWithOneLineOnStderrWhenAvailabilityIsRequired() {
        Result r = run(true);
        assertEquals(1, r.exit);
        assertEquals("", r.out);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains(UnavailableProvider.REASON), r.err);
    }
}
