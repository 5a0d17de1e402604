package dev.fovea.engine;

import dev.fovea.engine.BackendInfo.State;
import dev.fovea.spi.Availability;
import dev.fovea.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Discovery: every {@link BackendProvider} on the module path or class path, each probed once. The choice itself
 * is {@link Engine#open()} / {@link Engine#open(String)}.
 *
 * <p>Discovery never throws because of one provider: an entry whose class cannot be loaded is listed as
 * {@link State#BROKEN} with ServiceLoader's reason (and logged as a warning), a probe that throws makes its
 * backend {@link State#UNAVAILABLE} with the exception, and two provider classes with the same name are both
 * listed as {@link State#DUPLICATE}, neither usable, until one is removed.
 *
 * <pre>{@code
 * Backends.list().forEach(b -> System.out.println(b.name() + ": " + b.availability().describe()));
 * }</pre>
 */
public final class Backends {
    /** System property naming the backend to use. */
    public static final String PROPERTY = "fovea.backend";
    /** Environment variable naming the backend to use (the property wins). */
    public static final String ENV = "FOVEA_BACKEND";

    private static final System.Logger LOG = System.getLogger("dev.fovea.engine");
    private static final String SERVICE_FILE = "META-INF/services/" + BackendProvider.class.getName();
    /** A loader that fails the same way forever must not hang discovery. */
    private static final int MAX_BROKEN = 64;

    /** One discovered provider; {@code provider} is null for a broken entry. */
    record Found(BackendProvider provider, BackendInfo info) {
        String name() {
            return info.name();
        }
    }

    /** A backend named by the environment, and where the name came from ({@code -Dfovea.backend} or the variable). */
    record Request(String name, String source) {
    }

    private static volatile Backends defaults;

    private final List<Found> found;

    private Backends(List<Found> found) {
        this.found = found;
    }

    /** Every discovered backend, highest priority first (broken entries last), with its probe result. */
    public static List<BackendInfo> list() {
        return defaults().infos();
    }

    /** The backend named by {@code -Dfovea.backend} or {@code FOVEA_BACKEND}, if any. */
    public static Optional<String> requested() {
        return request().map(Request::name);
    }

    static Optional<Request> request() {
        String name = System.getProperty(PROPERTY);
        if (name != null && !name.isBlank()) {
            return Optional.of(new Request(name.trim(), "-D" + PROPERTY));
        }
        name = System.getenv(ENV);
        if (name != null && !name.isBlank()) {
            return Optional.of(new Request(name.trim(), "the " + ENV + " environment variable"));
        }
        return Optional.empty();
    }

    /** The providers of this JVM's class path and module path, discovered and probed once. */
    static Backends defaults() {
        Backends b = defaults;
        if (b == null) {
            synchronized (Backends.class) {
                b = defaults;
                if (b == null) {
                    defaults = b = load(Backends.class.getClassLoader());
                }
            }
        }
        return b;
    }

    List<BackendInfo> infos() {
        return found.stream().map(Found::info).toList();
    }

    /** The entries called {@code name}: none, one, or several duplicates. */
    List<Found> named(String name) {
        return found.stream().filter(f -> f.name().equals(name)).toList();
    }

    List<Found> availableByPriority() {
        return found.stream().filter(f -> f.info().state() == State.AVAILABLE).toList();
    }

    /** Names of the available backends, for error messages. */
    String availableNames() {
        String s = availableByPriority().stream().map(Found::name).collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }

    /** Every discovered backend for error messages: {@code vector, reference, cudnn (unavailable)}. */
    String foundNames() {
        String s = found.stream()
                .map(f -> f.info().state() == State.AVAILABLE ? f.name()
                        : f.name() + " (" + f.info().state().name().toLowerCase(java.util.Locale.ROOT) + ")")
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }

    /** Discovers and probes the providers {@code loader} sees (tests pass a loader with broken entries). */
    static Backends load(ClassLoader loader) {
        List<BackendProvider> providers = new ArrayList<>();
        List<Found> broken = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
        while (broken.size() < MAX_BROKEN) {
            // ServiceLoader moves past a bad entry before throwing for it, so iteration can go on after an error.
            try {
                if (!it.hasNext()) {
                    break;
                }
                providers.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                broken.add(broken(BackendInfo.UNKNOWN_NAME, "", e));
            }
        }
        Map<String, List<BackendProvider>> byName = new LinkedHashMap<>();
        for (BackendProvider p : providers) {
            String name;
            try {
                name = p.name();
            } catch (RuntimeException | LinkageError e) {
                broken.add(broken(BackendInfo.UNKNOWN_NAME, p.getClass().getName(), e));
                continue;
            }
            if (name == null || name.isBlank()) {
                broken.add(broken(BackendInfo.UNKNOWN_NAME, p.getClass().getName(), new IllegalStateException(
                        "name() returned " + (name == null ? "null" : "a blank name"))));
                continue;
            }
            byName.computeIfAbsent(name, n -> new ArrayList<>()).add(p);
        }
        List<Found> all = new ArrayList<>();
        for (var e : byName.entrySet()) {
            List<BackendProvider> same = e.getValue();
            if (same.size() == 1) {
                all.add(probed(e.getKey(), same.getFirst()));
            } else {
                all.addAll(duplicates(e.getKey(), same));
            }
        }
        all.sort(Comparator.comparingInt((Found f) -> f.info().priority()).reversed());
        all.addAll(broken);
        return new Backends(List.copyOf(all));
    }

    private static Found probed(String name, BackendProvider p) {
        String cls = p.getClass().getName();
        int priority;
        try {
            priority = p.priority();
        } catch (RuntimeException | LinkageError e) {
            return broken(name, cls, e);
        }
        Throwable error = null;
        Availability a;
        try {
            a = p.probe();
            if (a == null) {
                a = Availability.no(cls + ".probe() returned null", "report this as a bug of backend '" + name + "'");
            }
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // A probe must not take the discovery down with it; the exception stays with the entry.
            error = e;
            a = Availability.no("probe() threw " + e + " at " + where(e),
                    "report this as a bug of backend '" + name + "' (" + cls + ")");
            LOG.log(System.Logger.Level.WARNING, "fovea: backend ''" + name + "'' (" + cls + ") is unavailable: its"
                    + " probe() threw", e);
        }
        return new Found(p, new BackendInfo(name, priority, a, a.available() ? State.AVAILABLE : State.UNAVAILABLE,
                cls, error));
    }

    private static List<Found> duplicates(String name, List<BackendProvider> same) {
        String classes = same.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(" and "));
        Availability a = Availability.no("backend '" + name + "' is provided by " + same.size() + " classes: " + classes
                + "; neither is used", "keep only one of them on the class path or module path");
        LOG.log(System.Logger.Level.WARNING, "fovea: " + a.describe());
        return same.stream().map(p -> {
            int priority;
            try {
                priority = p.priority();
            } catch (RuntimeException | LinkageError e) {
                priority = 0;
            }
            return new Found(null, new BackendInfo(name, priority, a, State.DUPLICATE, p.getClass().getName(), null));
        }).toList();
    }

    /** An entry that could not be loaded or named: {@code cls} when known, the error's message otherwise names it. */
    private static Found broken(String name, String cls, Throwable e) {
        // ServiceLoader's message already names the service and the class; its cause says why.
        String reason = e instanceof ServiceConfigurationError
                ? e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")")
                : (cls.isEmpty() ? "" : cls + ": ") + e;
        Availability a = Availability.no(reason, "check the " + SERVICE_FILE + " entry (or module-info's provides)"
                + " and that the provider's jar and its dependencies are on the class path or module path");
        LOG.log(System.Logger.Level.WARNING, "fovea: ignoring a backend provider that could not be loaded: " + reason);
        return new Found(null, new BackendInfo(name, 0, a, State.BROKEN, cls, e));
    }

    /** {@code class.method:line} of the frame that threw, so a report points at the code to look at. */
    static String where(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        if (st.length == 0) {
            return "(no stack trace)";
        }
        StackTraceElement f = st[0];
        return f.getClassName() + "." + f.getMethodName() + (f.getLineNumber() >= 0 ? ":" + f.getLineNumber() : "");
    }
}
