package dev.fovea.engine;

import dev.fovea.spi.Availability;

/**
 * One discovered backend: its name, priority, what its probe said, and which class provides it.
 *
 * <pre>{@code
 * for (BackendInfo b : Backends.list()) {
 *     System.out.println(b.name() + " " + b.state() + " " + b.availability().describe());
 * }
 * }</pre>
 *
 * @param name         the provider's {@code name()}; {@value #UNKNOWN_NAME} for a provider that could not be loaded
 * @param priority     the provider's {@code priority()} (0 for a provider that could not be loaded)
 * @param availability available, or why not and the fix; never available unless {@code state} is AVAILABLE
 * @param state        what discovery made of the provider
 * @param provider     the provider's class name; empty for an entry ServiceLoader could not load (the reason
 *                     then quotes ServiceLoader's message, which names the class)
 * @param error        what the provider threw while loading or probing, or null
 */
public record BackendInfo(String name, int priority, Availability availability, State state, String provider,
                          Throwable error) {
    /** The name shown for a provider whose class could not be loaded (its name is unknowable). */
    public static final String UNKNOWN_NAME = "?";

    /** What discovery made of one provider. */
    public enum State {
        /** Its probe said it can run here. */
        AVAILABLE,
        /** Its probe said it cannot run here (or the probe threw: {@code error} holds the exception). */
        UNAVAILABLE,
        /** Another provider class has the same name: neither is used until one is removed. */
        DUPLICATE,
        /** A service entry whose class could not be loaded or instantiated, or whose name() failed. */
        BROKEN
    }

    public BackendInfo {
        if (availability.available() != (state == State.AVAILABLE)) {
            throw new IllegalArgumentException("state " + state + " contradicts availability " + availability);
        }
    }

    /** A loaded provider: available or not as its probe said. */
    public BackendInfo(String name, int priority, Availability availability) {
        this(name, priority, availability, availability.available() ? State.AVAILABLE : State.UNAVAILABLE, "", null);
    }
}
