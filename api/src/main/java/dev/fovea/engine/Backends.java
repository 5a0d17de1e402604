package dev.fovea.engine;

import dev.fovea.spi.Availability;
import dev.fovea.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Discovery: every {@link BackendProvider} on the module path or class path, each probed once.
 * The choice itself is {@link Engine#open()} / {@link Engine#open(String)}.
 */
public final class Backends {
    /** System property naming the backend to use. */
    public static final String PROPERTY = "fovea.backend";
    /** Environment variable naming the backend to use (the property wins). */
    public static final String ENV = "FOVEA_BACKEND";

    private record Found(BackendProvider provider, Availability availability) {
    }

    private static volatile List<Found> found;

    private Backends() {
    }

    /** Every discovered backend, highest priority first, with its probe result. */
    public static List<BackendInfo> list() {
        return discover().stream()
                .map(f -> new BackendInfo(f.provider.name(), f.provider.priority(), f.availability))
                .toList();
    }

    /** The backend named by {@code -Dfovea.backend} or {@code FOVEA_BACKEND}, if any. */
    public static Optional<String> requested() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(ENV);
        }
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.trim());
    }

    static Optional<BackendProvider> provider(String name) {
        return discover().stream().filter(f -> f.provider.name().equals(name)).map(Found::provider).findFirst();
    }

    static Availability availability(String name) {
        return discover().stream().filter(f -> f.provider.name().equals(name)).map(Found::availability)
                .findFirst().orElseThrow();
    }

    /** Names of the available backends, for error messages. */
    static String availableNames() {
        String s = discover().stream().filter(f -> f.availability.available()).map(f -> f.provider.name())
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }

    static List<BackendProvider> availableByPriority() {
        return discover().stream().filter(f -> f.availability.available()).map(Found::provider).toList();
    }

    private static List<Found> discover() {
        List<Found> f = found;
        if (f == null) {
            synchronized (Backends.class) {
                f = found;
                if (f == null) {
                    List<Found> all = new ArrayList<>();
                    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
                        if (all.stream().noneMatch(x -> x.provider.name().equals(p.name()))) {
                            all.add(new Found(p, safeProbe(p)));
                        }
                    }
                    all.sort(Comparator.comparingInt((Found x) -> x.provider.priority()).reversed());
                    found = f = List.copyOf(all);
                }
            }
        }
        return f;
    }

    /** A probe must not take the discovery down with it. */
    private static Availability safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("probe failed: " + e, "report this as a bug of backend '" + p.name() + "'");
        }
    }
}
