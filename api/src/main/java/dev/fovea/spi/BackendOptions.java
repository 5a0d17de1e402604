package dev.fovea.spi;

/**
 * Settings handed to {@link BackendProvider#open}.
 *
 * @param threads worker threads for CPU backends; 0 means all available cores
 */
public record BackendOptions(int threads) {
    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be ≥ 0 (0 = all cores)");
        }
    }

    /** All cores, or {@code -Dfovea.threads} / {@code FOVEA_THREADS} when set. */
    public static BackendOptions defaults() {
        String property = System.getProperty("fovea.threads");
        String setting = property != null ? "-Dfovea.threads" : "FOVEA_THREADS";
        String t = property != null ? property : System.getenv("FOVEA_THREADS");
        return new BackendOptions(t == null || t.isBlank() ? 0 : parseThreads(setting, t));
    }

    /** A thread count from a setting, or an error naming the setting and the value. */
    static int parseThreads(String setting, String value) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + "=" + value + " is not a thread count: give a whole number"
                    + " ≥ 0 (0 = all cores)");
        }
        if (n < 0) {
            throw new IllegalArgumentException(setting + "=" + value + " is negative: give a whole number ≥ 0 (0 = all"
                    + " cores)");
        }
        return n;
    }

    /** The thread count to use: {@link #threads()} or, when 0, the available processors. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
