package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code fovea soak}: a few seconds of it prints every measure each interval and the trends. */
class SoakCommandTest {
    @Test
    void aShortSoakReportsEveryMeasureAndItsTrend() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(new String[] {"soak", "--minutes", "0.05", "--interval", "1", "--threads", "1"},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        String o = out.toString();
        for (String w : new String[] {"rss MB", "heap MB", "direct MB", "threads", "fds", "trend per minute", "/min",
            "predict calls"}) {
            assertTrue(o.contains(w), "missing '" + w + "' in:\n" + o);
        }
        assertTrue(o.lines().filter(l -> l.matches("\\s+\\d+\\.\\d\\d\\s+.*")).count() >= 2, o);
    }

    @Test
    void badSettingsAreRefusedBeforeAnyWork() {
        for (String[] args : new String[][] {{"soak", "--minutes", "0"}, {"soak", "--minutes", "NaN"},
            {"soak", "--interval", "0"}, {"soak", "--threads", "-3"}}) {
            StringWriter err = new StringWriter();
            int code = Fovea.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
            assertEquals(1, code, String.join(" ", args));
            assertTrue(err.toString().contains(args[1]), err.toString());
        }
    }
}
