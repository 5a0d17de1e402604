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

    List<ConformanceCase> list() {
        return cases;
    }
}
