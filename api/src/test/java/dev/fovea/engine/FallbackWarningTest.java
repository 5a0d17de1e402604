package dev.fovea.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic choice falling back to the reference backend because a faster one cannot run (the vector
 * backend without its JVM flag) is a WARNING with that backend's reason and fix; a routine choice is DEBUG.
 */
class FallbackWarningTest {
    @TempDir
    Path dir;

    @Test
    void fallingBackToTheReferenceWarnsWithTheReasonAndTheFix() throws IOException {
        List<LogRecord> logged = openLogging(List.of(TestProviders.FastButUnavailable.class.getName()), "reference");
        List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size(), "one warning: " + describe(logged));
        String message = new SimpleFormatter().formatMessage(warnings.getFirst());
        assertTrue(message.contains("reference backend") && message.contains(Engine.REFERENCE_SPEED)
                        && message.contains("'test-fast-unavailable'")
                        && message.contains(TestProviders.FastButUnavailable.REASON)
                        && message.contains(TestProviders.FastButUnavailable.FIX), message);
    }

    @Test
    void aRoutineChoiceLogsNothingAboveDebug() throws IOException {
        // Only providers below the reference: it is the best backend, nothing faster was lost.
        List<LogRecord> logged = openLogging(List.of(TestProviders.Fine.class.getName()), "reference");
        assertTrue(logged.stream().allMatch(r -> r.getLevel().intValue() < Level.INFO.intValue()), describe(logged));
        assertTrue(logged.stream().anyMatch(r -> new SimpleFormatter().formatMessage(r).contains("'reference'")),
                "the choice is still logged at DEBUG: " + describe(logged));
    }

    /** Discovers the reference backend plus {@code providers}, opens the best one and returns what was logged. */
    private List<LogRecord> openLogging(List<String> providers, String expected) throws IOException {
        Path services = dir.resolve("META-INF/services/" + BackendProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, providers);
        List<LogRecord> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("dev.fovea.engine");
        Level saved = log.getLevel();
        log.setLevel(Level.ALL);
        log.addHandler(handler);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
             Engine e = Engine.openBest(Backends.load(loader), BackendOptions.defaults())) {
            assertEquals(expected, e.name());
        } finally {
            log.removeHandler(handler);
            log.setLevel(saved);
        }
        synchronized (logged) {
            return List.copyOf(logged);
        }
    }

    private static String describe(List<LogRecord> logged) {
        return logged.stream().map(r -> r.getLevel() + " " + new SimpleFormatter().formatMessage(r)).toList().toString();
    }
}
