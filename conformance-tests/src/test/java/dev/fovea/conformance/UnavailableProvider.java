package dev.fovea.conformance;

import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;

/** A backend that is present but never available here, like cuDNN without a GPU (test class path only). */
public final class UnavailableProvider implements BackendProvider {
    static final String NAME = "conformance-test-unavailable";
    static final String REASON = "no test device attached";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public Availability probe() {
        return Availability.no(REASON, "attach one");
    }

    @Override
    public Backend open(BackendOptions options) {
        throw new IllegalStateException("never available");
    }
}
