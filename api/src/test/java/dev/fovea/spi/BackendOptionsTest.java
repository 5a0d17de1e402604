package dev.fovea.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The one reader of the backends' settings: typed values, and errors that name the setting and the value. */
class BackendOptionsTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void unsetMeansDefaults() {
        BackendOptions o = BackendOptions.from(new Properties(), Map.of());
        assertEquals(new BackendOptions(0), o);
        assertEquals(BackendOptions.Vector.DEFAULTS, o.vector());
        assertEquals(1024L << 20, o.cudnn().workspaceLimitBytes());
    }

    @Test
    void settingsAreTyped() {
        BackendOptions o = BackendOptions.from(props("fovea.threads", "3", "fovea.vector.bits", "128",
                "fovea.vector.im2colBelow", "8", "fovea.cudnn.device", "1", "fovea.cudnn.tf32", "true",
                "fovea.cudnn.fuse", "false", "fovea.cudnn.workspaceLimitMB", "64", "fovea.cudnn.handles", "2"),
                Map.of("FOVEA_THREADS", "5"));
        assertEquals(3, o.threads(), "the property wins over the environment");
        assertEquals(new BackendOptions.Vector(128, 8, true), o.vector());
        assertEquals(new BackendOptions.Cudnn(1, true, false, 64, 2), o.cudnn());
        assertEquals(5, BackendOptions.from(new Properties(), Map.of("FOVEA_THREADS", " 5 ")).threads());
    }

    @Test
    void badValuesNameTheSetting() {
        String[][] cases = {
            {"env", "FOVEA_THREADS", "abc", "FOVEA_THREADS=abc"},
            {"env", "FOVEA_THREADS", "1000", "from 0 to 256"},
            {"prop", "fovea.threads", "-3", "-Dfovea.threads=-3"},
            {"prop", "fovea.vector.bits", "100", "-Dfovea.vector.bits=100: expected 128, 256 or 512"},
            {"prop", "fovea.vector.bits", "wide", "-Dfovea.vector.bits=wide"},
            {"prop", "fovea.cudnn.fuse", "maybe", "-Dfovea.cudnn.fuse=maybe: expected true or false"},
            {"prop", "fovea.cudnn.device", "-1", "-Dfovea.cudnn.device=-1"},
        };
        for (String[] c : cases) {
            Properties p = c[0].equals("prop") ? props(c[1], c[2]) : new Properties();
            Map<String, String> env = c[0].equals("env") ? Map.of(c[1], c[2]) : Map.of();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BackendOptions.from(p, env), c[1] + "=" + c[2]);
            assertTrue(e.getMessage().contains(c[3]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new BackendOptions(BackendOptions.MAX_THREADS + 1));
        assertFalse(new BackendOptions(BackendOptions.MAX_THREADS).effectiveThreads() < 1);
    }
}
