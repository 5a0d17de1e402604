package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A present but unavailable backend: every case skipped with the probe's reason; exit 0 unless required. */
class UnavailableBackendTest {
    private static String run(boolean require, int expectedExit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConformanceRunner.run(UnavailableProvider.NAME, Pattern.compile("^seed002/"), require,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        return text;
    }

    @Test
    void skipsEveryCaseWithTheProbesReason() {
        String text = run(false, 0);
        List<String> lines = text.lines().toList();
        int cases = ConformanceSuite.cases(Pattern.compile("^seed002/")).size();
        assertTrue(lines.getFirst().contains(UnavailableProvider.REASON), text);
        assertEquals(cases, lines.stream().filter(l -> l.startsWith("SKIP seed002/")
                && l.contains(UnavailableProvider.REASON)).count(), text);
        assertEquals("0 passed, 0 failed, " + cases + " skipped", lines.getLast());
    }

    @Test
    void failsWhenAvailabilityIsRequired() {
        assertTrue(run(true, 1).contains(UnavailableProvider.REASON));
    }
}
