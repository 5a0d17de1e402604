package dev.fovea.spi;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader}. Register it both in
 * {@code module-info.java} ({@code provides dev.fovea.spi.BackendProvider with ...}) and in
 * {@code META-INF/services/dev.fovea.spi.BackendProvider}, so module-path, class-path and fat-jar users find it.
 *
 * <pre>{@code
 * public final class MineProvider implements BackendProvider {
 *     public String name() { return "mine"; }
 *     public int priority() { return 50; }           // above the reference (0), below vector (100)
 *     public Availability probe() { return Availability.yes(); }
 *     public Backend open(BackendOptions options) { return new MineBackend(); }   // MineBackend.name() is "mine"
 * }
 * }</pre>
 *
 * <p>Implementations must have a public no-argument constructor that does no work: loading native libraries
 * or touching incubator modules belongs in {@link #probe()}. Discovery survives a misbehaving provider: a class
 * that cannot be loaded is listed as broken, a probe that throws leaves the backend unavailable with the exception,
 * and two providers with one name are both listed and neither is used ({@code fovea backends} shows all three).
 */
public interface BackendProvider {
    /**
     * Short lowercase name users select with {@code --backend NAME} / {@code -Dfovea.backend=NAME}; unique among
     * the providers on the class path. The {@link Backend} that {@link #open} returns must report the same
     * {@link Backend#name()} (the engine refuses, and closes, one that does not).
     */
    String name();

    /**
     * Rank among available backends when the user names none: the highest wins. The bundled values are
     * {@code reference} 0 (always available, the slowest), {@code vector} 100 (SIMD on the CPU) and {@code cudnn}
     * 200 (GPU). Pick above 200 for a device backend that should beat cuDNN where both run, 101–199 for a CPU
     * backend faster than {@code vector}, 1–99 for one between the reference and {@code vector}, and a negative
     * value for an experimental backend that should run only when named (the reference, at 0, is always preferred
     * to it). Avoid a value another backend uses: ties fall to discovery order, which is unspecified.
     */
    int priority();

    /**
     * Checks, without side effects a user would notice, whether {@link #open} can work here, and why not
     * ({@link Availability#no(String, String)} with the reason and the fix). Called once per JVM, at discovery.
     * Should not throw: one that does is reported as a bug of this backend, and the backend as unavailable.
     */
    Availability probe();

    /** Opens the backend. Called only after {@link #probe()} reported it available. */
    Backend open(BackendOptions options);
}
