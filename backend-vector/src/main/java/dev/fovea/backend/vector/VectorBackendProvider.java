package dev.fovea.backend.vector;

import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Provider of the SIMD CPU backend ({@code "vector"}, priority 100: chosen over the reference backend).
 *
 * <p>This class must load on a JVM started without {@code jdk.incubator.vector}: it references no vector type;
 * {@link #probe()} checks the module and the JIT before anything touches the Vector API.
 */
public final class VectorBackendProvider implements BackendProvider {
    public static final String NAME = "vector";
    static final String MODULE = "jdk.incubator.vector";
    static final String MODULE_FIX = "add --add-modules jdk.incubator.vector to the JVM flags";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability probe() {
        try {
            if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
                return Availability.no(MODULE + " is not in the boot layer, so the Vector API is not readable",
                        MODULE_FIX);
            }
            Module self = VectorBackendProvider.class.getModule();
            Module vector = ModuleLayer.boot().findModule(MODULE).get();
            if (self.isNamed() && !self.canRead(vector)) {
                return Availability.no(MODULE + " is not readable by " + self.getName(), MODULE_FIX);
            }
            String noC2 = missingC2();
            if (noC2 != null) {
                return Availability.no("the JVM runs without the C2 compiler (" + noC2
                        + "), so Vector API code would run in its slow Java fallback",
                        "remove " + noC2 + " from the JVM flags, or use the reference backend (--backend reference)");
            }
            return Availability.yes();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("probe failed: " + e, MODULE_FIX);
        }
    }

    /** The flag that keeps C2 away, or null when C2 compiles hot code. */
    static String missingC2() {
        String info = System.getProperty("java.vm.info", "").toLowerCase(Locale.ROOT);
        if (info.contains("interpreted mode")) {
            return "-Xint";
        }
        // The VM's own view covers flags from JAVA_TOOL_OPTIONS and ergonomics (emulated client) as well.
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs != null) {
                if (parseLevel(hs.getVMOption("TieredStopAtLevel").getValue()) < 4
                        && "true".equals(hs.getVMOption("TieredCompilation").getValue())) {
                    return "-XX:TieredStopAtLevel=" + hs.getVMOption("TieredStopAtLevel").getValue();
                }
                if ("false".equals(hs.getVMOption("UseCompiler").getValue())) {
                    return "-XX:-UseCompiler";
                }
                return null;
            }
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or management unavailable: fall back to the command line.
        }
        List<String> args;
        try {
            args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (RuntimeException | LinkageError e) {
            args = List.of();
        }
        String found = null;
        for (String a : args) {
            if (a.equals("-Xint") || a.equals("-XX:-UseCompiler")) {
                found = a;
            } else if (a.startsWith("-XX:TieredStopAtLevel=")) {
                found = parseLevel(a.substring(a.indexOf('=') + 1)) < 4 ? a : null;
            }
        }
        return found;
    }

    private static int parseLevel(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 4;
        }
    }

    @Override
    public Backend open(BackendOptions options) {
        return new VectorBackend(options.effectiveThreads());
    }
}
