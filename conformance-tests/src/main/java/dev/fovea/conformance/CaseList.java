package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.tensor.Layout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects cases while a group builds them; names must be unique. */
final class CaseList {
    /** A case body that runs once per storage layout. */
    @FunctionalInterface
    interface LayoutBody {
        Outcome run(Engine engine, Layout layout) throws Exception;
    }

    private final List<ConformanceCase> cases = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    void add(String name, ConformanceCase.Body body) {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate conformance case name " + name);
        }
        cases.add(new ConformanceCase(name, body));
    }

    /** Adds {@code name/NCHW} and {@code name/NHWC}: every case taking an activation runs in both layouts. */
    void layouts(String name, LayoutBody body) {
        for (Layout l : Layout.values()) {
            add(name + "/" + l, e -> body.run(e, l));
        }
    }

    /**
     * Adds a backward case: skipped with the reason on a backend without {@code Capability.TRAINING}; on one that
     * lists it, an {@link UnsupportedOperationException} from a backward op is a FAIL (a claimed op must work; a
     * configuration the backend declines goes through {@code Backend.supports} and is skipped).
     */
    void training(String name, ConformanceCase.Body body) {
        add(name, trained(body));
    }

    /** {@link #training} once per storage layout. */
    void trainingLayouts(String name, LayoutBody body) {
        for (Layout l : Layout.values()) {
            add(name + "/" + l, trained(e -> body.run(e, l)));
        }
    }

    private static ConformanceCase.Body trained(ConformanceCase.Body body) {
        return e -> {
            Run.requireTraining(e, null);
            try {
                return body.run(e);
            } catch (UnsupportedOperationException u) {
                return Outcome.thrown("backend '" + e.name() + "' lists Capability.TRAINING but a backward op threw",
                        u);
            }
        };
    }

    List<ConformanceCase> list() {
        return cases;
    }
}
