package dev.fovea.spi;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader}. Register it both in
 * {@code module-info.java} ({@code provides dev.fovea.spi.BackendProvider with ...}) and in
 * {@code META-INF/services/dev.fovea.spi.BackendProvider}, so module-path, class-path and fat-jar users find it.
 *
 * <p>Implementations must have a public no-argument constructor that does no work: loading native libraries
 * or touching incubator modules belongs in {@link #probe()}, which must never throw or crash the JVM.
 */
public interface BackendProvider {
    /** Short lowercase name users select with {@code --backend NAME} / {@code -Dfovea.backend=NAME}. */
    String name();

    /** Higher wins when no backend is named; the reference backend has 0. */
    int priority();

    /** Checks, without side effects a user would notice, whether {@link #open} can work here, and why not. */
    Availability probe();

    /** Opens the backend. Called only after {@link #probe()} reported it available. */
    Backend open(BackendOptions options);
}
