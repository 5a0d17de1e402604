package dev.fovea.spi;

/** Whether a backend runs a given op descriptor, and if not, why (shown when conformance cases skip). */
public record Support(boolean supported, String reason) {
    public static final Support YES = new Support(true, "");

    public static Support no(String reason) {
        return new Support(false, reason);
    }
}
