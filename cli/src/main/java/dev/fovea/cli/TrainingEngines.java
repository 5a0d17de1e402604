package dev.fovea.cli;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Picks the engine for training: the named backend, else the best available one that has the backward ops. */
final class TrainingEngines {
    private TrainingEngines() {
    }

    /**
     * With {@code threads > 0}, sets {@code fovea.threads} first so the backend opens with that many workers.
     * A named backend is used as is (it fails with its reason if it cannot train); without one, backends are
     * tried by priority and those without {@code Capability.TRAINING} are skipped with a note on {@code err}.
     */
    static Engine open(Fovea fovea, int threads, PrintWriter err) {
        if (threads > 0) {
            System.setProperty("fovea.threads", Integer.toString(threads));
        }
        if (fovea.requestedBackend().isPresent()) {
            return fovea.openEngine();
        }
        List<BackendInfo> candidates = new ArrayList<>(Backends.list().stream()
                .filter(b -> b.availability().available()).toList());
        candidates.sort(Comparator.comparingInt(BackendInfo::priority).reversed());
        List<String> skipped = new ArrayList<>();
        for (BackendInfo b : candidates) {
            Engine e = Engine.open(b.name());
            if (e.supportsTraining()) {
                if (!skipped.isEmpty()) {
                    err.println("fovea: training on backend '" + e.name() + "'; " + String.join(", ", skipped)
                            + " cannot train yet (no backward ops)");
                }
                return e;
            }
            skipped.add("'" + e.name() + "'");
            e.close();
        }
        throw new UnsupportedOperationException("no available backend can train (none has Capability.TRAINING)");
    }
}
