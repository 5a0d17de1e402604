package dev.fovea.spi;

/**
 * Settings handed to {@link BackendProvider#open}.
 *
 * @param threads worker threads for CPU backends; 0 means all available cores
 */
public record BackendOptions(int threads) {
    /** The most worker threads a CPU backend accepts: far above any core count worth splitting one batch over. */
    public static final int MAX_THREADS = 256;

    public BackendOptions {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads " + threads + " must be from 0 (all cores) to " + MAX_THREADS);
        }
    }

    /** All cores, or {@code -Dfovea.threads} / {@code FOVEA_THREADS} when set. */
    public static BackendOptions defaults() {
        String t = System.getProperty("fovea.threads", System.getenv("FOVEA_THREADS"));
        return new BackendOptions(t == null || t.isBlank() ? 0 : Integer.parseInt(t.trim()));
    }

    /** The thread count to use: {@link #threads()} or, when 0, the available processors. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
