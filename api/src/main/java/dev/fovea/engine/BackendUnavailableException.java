package dev.fovea.engine;

/**
 * A named backend is missing or unavailable here. The message gives the probe's reason and fix and lists the
 * backends that are available; Fovea never silently substitutes another backend for a named one.
 */
public final class BackendUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
