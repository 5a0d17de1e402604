package dev.fovea.reference;

import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;

/** The plain-Java oracle: always available, lowest priority. */
public final class ReferenceBackendProvider implements BackendProvider {
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Backend open(BackendOptions options) {
        return new ReferenceBackend();
    }
}
