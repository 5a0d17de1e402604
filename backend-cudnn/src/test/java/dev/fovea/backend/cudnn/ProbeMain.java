package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.spi.Availability;

/**
 * Run in a child JVM by {@link ForkedProbeTest} and by gpu-check.sh: prints where the libraries were found (no
 * native code), whether native code ran before the probe, and the probe's result.
 */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        java.util.Map<String, String> env = System.getenv();
        String home = System.getProperty("user.home");
        java.nio.file.Path homeDir = home == null ? null : java.nio.file.Path.of(home);
        CudnnLibraries.Located l = CudnnLibraries.locate(CudnnLibraries.configured(env), env, homeDir);
        System.out.println("located=" + l.location().map(Object::toString).orElse("no: " + l.problem()));
        l.location().ifPresent(where -> {
            CudnnLibraries.RuntimeFiles r = CudnnLibraries.locateRuntime(where,
                    CudnnLibraries.systemLibraryDirs(env, homeDir));
            System.out.println("runtime-dependencies=" + (r.complete() ? r.files() : r.problem()));
        });
        CudnnBackendProvider p = new CudnnBackendProvider();
        System.out.println("name=" + p.name() + " priority=" + p.priority());
        System.out.println("loaded-before-probe=" + Cudnn.installed());
        Availability a = p.probe();
        System.out.println("available=" + a.available());
        System.out.println("describe=" + a.describe());
        System.out.println("loaded-after-probe=" + Cudnn.installed());
    }
}
