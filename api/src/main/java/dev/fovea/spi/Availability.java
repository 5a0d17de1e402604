package dev.fovea.spi;

/**
 * What {@link BackendProvider#probe()} found: available, or unavailable with the reason and the fix a user
 * can apply, e.g. reason {@code "jdk.incubator.vector is not readable"}, fix
 * {@code "add --add-modules jdk.incubator.vector to the JVM flags"}.
 */
public record Availability(boolean available, String reason, String fix) {
    public static Availability yes() {
        return new Availability(true, "", "");
    }

    public static Availability no(String reason, String fix) {
        return new Availability(false, reason, fix == null ? "" : fix);
    }

    /** {@code reason; fix: fix}, or {@code available}. */
    public String describe() {
        return available ? "available" : reason + (fix.isEmpty() ? "" : "; fix: " + fix);
    }
}
