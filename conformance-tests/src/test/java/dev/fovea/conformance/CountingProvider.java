package dev.fovea.conformance;

import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import java.util.concurrent.atomic.AtomicInteger;

/** A working backend (the reference, inference only) that counts its probes and opens (test class path only). */
public final class CountingProvider implements BackendProvider {
    static final String NAME = "broken-no-training";
    static final AtomicInteger PROBES = new AtomicInteger();
    static final AtomicInteger OPENS = new AtomicInteger();

    @Override
    public String name() {
        return NAME; // BrokenBackend.Bug.NO_TRAINING's name: the backend this provider opens
    }

    @Override
    public int priority() {
        return -3;
    }

    @Override
    public Availability probe() {
        PROBES.incrementAndGet();
        return Availability.yes();
    }

    @Override
    public Backend open(BackendOptions options) {
        OPENS.incrementAndGet();
        return new BrokenBackend(BrokenBackend.Bug.NO_TRAINING);
    }
}
