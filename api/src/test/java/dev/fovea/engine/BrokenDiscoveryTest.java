package dev.fovea.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.BackendInfo.State;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery against a services file with broken entries (a class that does not exist, a probe that throws, two
 * classes with one name, a misnamed backend, a name() that throws): every entry is listed, none is thrown out of
 * the iteration, and the healthy ones still work.
 */
class BrokenDiscoveryTest {
    private static final String MISSING = "dev.fovea.engine.NoSuchProvider";

    @TempDir
    static Path dir;
    private static URLClassLoader loader;
    private static Backends found;
    private static final List<LogRecord> LOGGED = new ArrayList<>();
    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (LOGGED) {
                LOGGED.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void discover() throws IOException {
        Path services = dir.resolve("META-INF/services/" + BackendProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, List.of(
                MISSING,
                TestProviders.ThrowingProbe.class.getName(),
                TestProviders.TwinA.class.getName(),
                TestProviders.TwinB.class.getName(),
                TestProviders.Misnamed.class.getName(),
                TestProviders.NameThrows.class.getName(),
                TestProviders.ConstructorThrows.class.getName(),
                TestProviders.Fine.class.getName()));
        loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, BrokenDiscoveryTest.class.getClassLoader());
        Logger.getLogger("dev.fovea.engine").addHandler(HANDLER);
        found = Backends.load(loader);
    }

    @AfterAll
    static void close() throws IOException {
        Logger.getLogger("dev.fovea.engine").removeHandler(HANDLER);
        loader.close();
    }

    private static List<BackendInfo> named(String name) {
        return found.infos().stream().filter(b -> b.name().equals(name)).toList();
    }

    @Test
    void aMissingClassIsListedAsBrokenWithItsReasonAndLoggedAsAWarning() {
        List<BackendInfo> broken = found.infos().stream()
                .filter(b -> b.state() == State.BROKEN && b.availability().reason().contains(MISSING)).toList();
        assertEquals(1, broken.size(), found.infos().toString());
        assertEquals(BackendInfo.UNKNOWN_NAME, broken.getFirst().name());
        assertTrue(broken.getFirst().availability().fix().contains("META-INF/services"),
                broken.getFirst().availability().fix());
        synchronized (LOGGED) {
            assertTrue(LOGGED.stream().anyMatch(r -> r.getLevel() == Level.WARNING && r.getMessage().contains(MISSING)),
                    "no WARNING naming " + MISSING);
        }
    }

    @Test
    void aConstructorThatThrowsIsListedAsBrokenWithTheCause() {
        BackendInfo b = found.infos().stream().filter(i -> i.state() == State.BROKEN
                && i.availability().reason().contains(TestProviders.ConstructorThrows.class.getName()))
                .findFirst().orElseThrow(() -> new AssertionError(found.infos().toString()));
        assertTrue(b.availability().reason().contains("native library missing"), b.availability().reason());
        assertInstanceOf(IllegalStateException.class, b.error().getCause());
    }

    @Test
    void theEntriesAfterABrokenOneAreStillFound() {
        assertEquals(State.AVAILABLE, named("test-fine").getFirst().state());
        assertEquals(State.AVAILABLE, named("reference").getFirst().state());
        try (Engine e = Engine.open(found, "test-fine", BackendOptions.defaults())) {
            assertEquals("test-fine", e.name());
        }
    }

    @Test
    void aThrowingProbeMakesItsBackendUnavailableWithTheException() {
        BackendInfo b = named("test-probe-throws").getFirst();
        assertEquals(State.UNAVAILABLE, b.state());
        assertInstanceOf(IllegalStateException.class, b.error());
        assertEquals(TestProviders.PROBE_MESSAGE, b.error().getMessage());
        assertTrue(b.availability().reason().contains(TestProviders.PROBE_MESSAGE)
                && b.availability().reason().contains(TestProviders.ThrowingProbe.class.getName() + ".probe:"),
                b.availability().reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Engine.open(found, "test-probe-throws", BackendOptions.defaults()));
        assertTrue(e.getMessage().contains(TestProviders.PROBE_MESSAGE), e.getMessage());
    }

    @Test
    void twoProvidersOfOneNameAreBothListedAndNeitherIsUsed() {
        List<BackendInfo> twins = named("test-twin");
        assertEquals(2, twins.size(), found.infos().toString());
        assertTrue(twins.stream().allMatch(b -> b.state() == State.DUPLICATE), twins.toString());
        assertEquals(List.of(TestProviders.TwinA.class.getName(), TestProviders.TwinB.class.getName()),
                twins.stream().map(BackendInfo::provider).toList());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Engine.open(found, "test-twin", BackendOptions.defaults()));
        assertTrue(e.getMessage().contains(TestProviders.TwinA.class.getName())
                && e.getMessage().contains(TestProviders.TwinB.class.getName()), e.getMessage());
        assertTrue(found.availableByPriority().stream().noneMatch(f -> f.name().equals("test-twin")));
    }

    @Test
    void aBackendWhoseNameDiffersFromItsProvidersIsClosedAndRefused() {
        int closedBefore = TestProviders.Misnamed.CLOSED.get();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Engine.open(found, "test-misnamed", BackendOptions.defaults()));
        assertTrue(e.getMessage().contains("'test-misnamed'") && e.getMessage().contains("'something-else'")
                && e.getMessage().contains(TestProviders.Misnamed.class.getName()), e.getMessage());
        assertEquals(closedBefore + 1, TestProviders.Misnamed.CLOSED.get(), "the misnamed backend was not closed");
    }

    @Test
    void aNameThatThrowsIsListedAsBrokenUnderItsClass() {
        BackendInfo b = found.infos().stream()
                .filter(i -> i.provider().equals(TestProviders.NameThrows.class.getName())).findFirst().orElseThrow();
        assertEquals(State.BROKEN, b.state());
        assertInstanceOf(UnsupportedOperationException.class, b.error());
        assertTrue(b.availability().reason().contains("no name yet"), b.availability().reason());
    }

    @Test
    void notFoundNamesWhereItLookedAndWhatItFound() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Engine.open(found, "nope", BackendOptions.defaults()));
        assertTrue(e.getMessage().startsWith("backend 'nope' not found on the class path or module path; found: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("test-fine") && e.getMessage().contains("test-twin (duplicate)")
                && e.getMessage().contains("test-probe-throws (unavailable)"), e.getMessage());
    }

    @Test
    void workingEntriesComeFirstByPriorityThenBrokenOnes() {
        List<BackendInfo> all = found.infos();
        int firstBroken = all.indexOf(all.stream().filter(b -> b.name().equals(BackendInfo.UNKNOWN_NAME))
                .findFirst().orElseThrow());
        for (int i = firstBroken; i < all.size(); i++) {
            assertEquals(State.BROKEN, all.get(i).state(), all.toString());
        }
        assertNull(named("test-fine").getFirst().error());
    }
}
