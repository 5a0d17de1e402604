package dev.fovea.spi;

import java.util.Map;
import java.util.Properties;

/**
 * Settings handed to {@link BackendProvider#open}: the worker threads every CPU backend takes, and typed options
 * per backend. {@link #defaults()} is the one place the {@code fovea.*} system properties and {@code FOVEA_*}
 * environment variables of the backends are read; a value that does not parse fails there, naming the setting.
 *
 * <pre>{@code
 * Engine.open("vector", new BackendOptions(2));                                   // 2 workers, defaults otherwise
 * new BackendOptions(0, new BackendOptions.Vector(128, 2), BackendOptions.Cudnn.DEFAULTS);
 * }</pre>
 *
 * @param threads worker threads for CPU backends; 0 means all available cores, at most {@link #MAX_THREADS}
 * @param vector  the Vector API backend's options
 * @param cudnn   the cuDNN backend's options
 */
public record BackendOptions(int threads, Vector vector, Cudnn cudnn) {
    /** The most worker threads a CPU backend accepts: far above any core count worth splitting one batch over. */
    public static final int MAX_THREADS = 256;

    public BackendOptions {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads " + threads + " must be from 0 (all cores) to " + MAX_THREADS);
        }
        if (vector == null || cudnn == null) {
            throw new IllegalArgumentException("vector and cudnn options must not be null (use their DEFAULTS)");
        }
    }

    /** {@code threads} workers, every backend's own options at their defaults. */
    public BackendOptions(int threads) {
        this(threads, Vector.DEFAULTS, Cudnn.DEFAULTS);
    }

    /**
     * The Vector API backend's options.
     *
     * @param bits        vector width forced on the kernels (128, 256 or 512; never above the CPU's), or 0 for the
     *                    CPU's preferred width ({@code -Dfovea.vector.bits}); read once per JVM, when the kernels load
     * @param im2colBelow convolutions whose contiguous input runs are shorter than this many floats gather im2col
     *                    rows first ({@code -Dfovea.vector.im2colBelow}, default 2)
     * @param winograd    stride-1 3×3 convolutions that qualify run by Winograd's F(4×4, 3×3)
     *                    ({@code -Dfovea.vector.winograd}, default true)
     */
    public record Vector(int bits, int im2colBelow, boolean winograd) {
        public static final Vector DEFAULTS = new Vector(0, 2, true);

        /** The options set by {@code -Dfovea.vector.*} in {@code properties}; defaults for the rest. */
        public static Vector from(Properties properties) {
            String bits = properties.getProperty("fovea.vector.bits");
            long b;
            try {
                b = number(properties, "fovea.vector.bits", DEFAULTS.bits(), 0, Integer.MAX_VALUE);
            } catch (IllegalArgumentException e) {
                b = -1;
            }
            if (b != 0 && b != 128 && b != 256 && b != 512) {
                throw new IllegalArgumentException("-Dfovea.vector.bits=" + bits + ": expected 128, 256 or 512");
            }
            return new Vector((int) b, (int) number(properties, "fovea.vector.im2colBelow", DEFAULTS.im2colBelow(), 0,
                    Integer.MAX_VALUE), flag(properties, "fovea.vector.winograd", DEFAULTS.winograd()));
        }

        public Vector {
            if (bits != 0 && bits != 128 && bits != 256 && bits != 512) {
                throw new IllegalArgumentException("vector bits " + bits + ": expected 128, 256 or 512 (0: the CPU's)");
            }
            if (im2colBelow < 0) {
                throw new IllegalArgumentException("im2colBelow " + im2colBelow + " must be ≥ 0");
            }
        }
    }

    /**
     * The cuDNN backend's options.
     *
     * @param device             CUDA device index ({@code -Dfovea.cudnn.device}, default 0)
     * @param tf32               allow TF32 tensor-core math ({@code -Dfovea.cudnn.tf32}, default false)
     * @param fuse               run convolution + bias + activation as one cuDNN call where it can
     *                           ({@code -Dfovea.cudnn.fuse}, default true)
     * @param workspaceLimitMB   the most workspace one convolution algorithm may take
     *                           ({@code -Dfovea.cudnn.workspaceLimitMB}, default 1024)
     * @param handles            the most cuDNN handles used at once ({@code -Dfovea.cudnn.handles}); 0 sizes the pool
     *                           from the free device memory and the CPUs
     */
    public record Cudnn(int device, boolean tf32, boolean fuse, long workspaceLimitMB, int handles) {
        public static final Cudnn DEFAULTS = new Cudnn(0, false, true, 1024, 0);

        /** The options set by {@code -Dfovea.cudnn.*} in {@code properties}; defaults for the rest. */
        public static Cudnn from(Properties properties) {
            return new Cudnn((int) number(properties, "fovea.cudnn.device", DEFAULTS.device(), 0, Integer.MAX_VALUE),
                    flag(properties, "fovea.cudnn.tf32", DEFAULTS.tf32()),
                    flag(properties, "fovea.cudnn.fuse", DEFAULTS.fuse()),
                    number(properties, "fovea.cudnn.workspaceLimitMB", DEFAULTS.workspaceLimitMB(), 0,
                            Long.MAX_VALUE >> 20),
                    (int) number(properties, "fovea.cudnn.handles", DEFAULTS.handles(), 0, Integer.MAX_VALUE));
        }

        public Cudnn {
            if (device < 0) {
                throw new IllegalArgumentException("CUDA device " + device + " must be ≥ 0");
            }
            if (workspaceLimitMB < 0 || workspaceLimitMB > (Long.MAX_VALUE >> 20)) {
                throw new IllegalArgumentException("workspaceLimitMB " + workspaceLimitMB + " out of range");
            }
            if (handles < 0) {
                throw new IllegalArgumentException("handles " + handles + " must be ≥ 0 (0: sized automatically)");
            }
        }

        /** {@link #workspaceLimitMB()} in bytes. */
        public long workspaceLimitBytes() {
            return workspaceLimitMB << 20;
        }
    }

    /**
     * The options set in this JVM: {@code -Dfovea.threads} (or {@code FOVEA_THREADS}), {@code -Dfovea.vector.*},
     * {@code -Dfovea.cudnn.*}; defaults for everything unset.
     */
    public static BackendOptions defaults() {
        return from(System.getProperties(), System.getenv());
    }

    /** {@link #defaults()} from these properties and environment (for tests). */
    public static BackendOptions from(Properties properties, Map<String, String> environment) {
        String threads = properties.getProperty("fovea.threads");
        String threadsSetting = "-Dfovea.threads";
        if (threads == null) {
            threads = environment.get("FOVEA_THREADS");
            threadsSetting = "FOVEA_THREADS";
        }
        int t = threads == null || threads.isBlank() ? 0
                : (int) parse(threadsSetting, threads, 0, MAX_THREADS, " (0 = all cores)");
        return new BackendOptions(t, Vector.from(properties), Cudnn.from(properties));
    }

    /** The thread count to use: {@link #threads()} or, when 0, the available processors. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    private static long number(Properties p, String name, long fallback, long min, long max) {
        String v = p.getProperty(name);
        return v == null || v.isBlank() ? fallback : parse("-D" + name, v, min, max, "");
    }

    private static long parse(String setting, String value, long min, long max, String note) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + "=" + value + ": expected a whole number from " + min
                    + " to " + max + note);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(setting + "=" + value + ": expected a whole number from " + min
                    + " to " + max + note);
        }
        return n;
    }

    private static boolean flag(Properties p, String name, boolean fallback) {
        String v = p.getProperty(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("-D" + name + "=" + v + ": expected true or false");
        };
    }
}
