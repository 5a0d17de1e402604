package dev.fovea.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.spi.BackendOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** ServiceLoader discovery and the named-backend rule: never a silent fallback. */
class DiscoveryTest {

    @Test
    void referenceIsDiscoveredAvailableWithPriorityZero() {
        List<BackendInfo> all = Backends.list();
        BackendInfo ref = all.stream().filter(b -> b.name().equals("reference")).findFirst().orElseThrow(
                () -> new AssertionError("reference backend not discovered: " + all));
        assertEquals(0, ref.priority());
        assertTrue(ref.availability().available(), ref.availability().describe());
        assertEquals("available", ref.availability().describe());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).priority() >= all.get(i).priority(), "highest priority first: " + all);
        }
    }

    @Test
    void openingTheReferenceByName() {
        try (Engine e = Engine.open("reference")) {
            assertEquals("reference", e.name());
        }
    }

    @Test
    void unknownBackendFailsListingTheFoundOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Engine.open("nope"));
        assertTrue(e.getMessage().contains("'nope' not found on the class path or module path"), e.getMessage());
        assertTrue(e.getMessage().contains("found: ") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void aNullOrBlankNameIsRefusedSayingSo() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Engine.open((String) null));
        assertTrue(npe.getMessage().contains("backend name is null"), npe.getMessage());
        assertThrows(NullPointerException.class, () -> Engine.open((BackendOptions) null));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> Engine.open(" "));
        assertTrue(blank.getMessage().contains("backend name is blank"), blank.getMessage());
    }

    @Test
    void aBackendNamedByThePropertyIsLoggedAtInfoWithItsSource() {
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
        String saved = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "reference");
        log.addHandler(handler);
        try (Engine e = Engine.open()) {
            assertEquals("reference", e.name());
        } finally {
            log.removeHandler(handler);
            restore(saved);
        }
        synchronized (logged) {
            assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.INFO
                    && new SimpleFormatter().formatMessage(r).contains("'reference'")
                    && new SimpleFormatter().formatMessage(r).contains("-D" + Backends.PROPERTY)),
                    "no INFO record naming the backend and -D" + Backends.PROPERTY + ": "
                            + logged.stream().map(r -> r.getLevel() + " " + new SimpleFormatter().formatMessage(r))
                            .toList());
        }
    }

    private static void restore(String saved) {
        if (saved == null) {
            System.clearProperty(Backends.PROPERTY);
        } else {
            System.setProperty(Backends.PROPERTY, saved);
        }
    }

    @Test
    void systemPropertyNamingAMissingBackendFails() {
        String saved = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "nope");
        try {
            assertEquals("nope", Backends.requested().orElseThrow());
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, Engine::open);
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("reference"), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, saved);
            }
        }
    }

    @Test
    void systemPropertyNamingTheReferenceIsUsed() {
        String saved = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "reference");
        try (Engine e = Engine.open()) {
            assertEquals("reference", e.name());
        } finally {
            if (saved == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, saved);
            }
        }
    }

    @Test
    void withoutAChoiceTheHighestPriorityAvailableBackendIsUsed() {
        assumeTrue(System.getProperty(Backends.PROPERTY) == null && System.getenv(Backends.ENV) == null,
                "a backend is named in this environment");
        String best = Backends.list().stream().filter(b -> b.availability().available()).findFirst().orElseThrow()
                .name();
        try (Engine e = Engine.open()) {
            assertEquals(best, e.name());
        }
    }
}
