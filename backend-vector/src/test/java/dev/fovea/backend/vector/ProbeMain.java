package dev.fovea.backend.vector;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;

/** Run in a child JVM by {@link ProviderTest}: prints each discovered backend and its probe result. */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        for (BackendInfo info : Backends.list()) {
            System.out.println(info.name() + "|" + info.availability().available() + "|"
                    + info.availability().describe());
        }
    }
}
