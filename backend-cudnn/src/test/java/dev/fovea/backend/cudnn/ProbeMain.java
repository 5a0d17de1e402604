package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.spi.Availability;

/** Run in a child JVM by {@link ForkedProbeTest}: prints whether native code ran before the probe, and its result. */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        CudnnBackendProvider p = new CudnnBackendProvider();
        System.out.println("name=" + p.name() + " priority=" + p.priority());
        System.out.println("loaded-before-probe=" + Cudnn.installed());
        Availability a = p.probe();
        System.out.println("available=" + a.available());
        System.out.println("describe=" + a.describe());
        System.out.println("loaded-after-probe=" + Cudnn.installed());
    }
}
