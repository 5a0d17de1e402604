package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Discovery: registered, preferred over the reference backend, and a clear refusal when it cannot run. */
class ProviderTest {
    @Test
    void isDiscoveredAvailableAndPreferred() {
        BackendInfo vector = Backends.list().stream().filter(b -> b.name().equals("vector")).findFirst()
                .orElseThrow();
        assertTrue(vector.availability().available(), vector.availability().describe());
        assertEquals(100, vector.priority());
        assertNull(VectorBackendProvider.missingC2());
        try (Engine engine = Engine.open(new dev.fovea.spi.BackendOptions(1))) {
            if (Backends.requested().isEmpty()) {
                assertEquals("vector", engine.name());
            }
        }
    }

    @Test
    void withoutTheModuleItIsUnavailableWithTheFix() throws Exception {
        String line = probeInChildJvm(List.of());
        assertTrue(line.startsWith("vector|false|"), line);
        assertTrue(line.contains("--add-modules jdk.incubator.vector"), line);
    }

    @Test
    void withoutC2ItIsUnavailable() throws Exception {
        String line = probeInChildJvm(List.of("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1"));
        assertTrue(line.startsWith("vector|false|"), line);
        assertTrue(line.contains("C2"), line);
        String interpreted = probeInChildJvm(List.of("--add-modules", "jdk.incubator.vector", "-Xint"));
        assertTrue(interpreted.startsWith("vector|false|"), interpreted);
    }

    @Test
    void withTheModuleAndC2ItIsAvailable() throws Exception {
        String line = probeInChildJvm(List.of("--add-modules", "jdk.incubator.vector"));
        assertTrue(line.startsWith("vector|true|"), line);
    }

    /** The vector backend's line from {@link ProbeMain} in a fresh JVM with {@code flags}. */
    private static String probeInChildJvm(List<String> flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ProbeMain.class.getName());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), out);
        return out.lines().filter(l -> l.startsWith("vector|")).findFirst()
                .orElseThrow(() -> new AssertionError("vector backend not listed: " + out));
    }
}
