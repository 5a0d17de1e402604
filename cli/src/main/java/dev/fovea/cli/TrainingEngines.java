package dev.fovea.cli;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Picks the engine for training: the named backend, else the best available one that has the backward ops. */
final class TrainingEngines {
    private TrainingEngines() {
    }

    /**
     * With {@code threads > 0} the backend opens with that many workers, else with its defaults.
     * A named backend is used as is (it fails with its reason if it cannot train); without one, backends are
     * tried by priority and those without {@code Capability.TRAINING} are skipped with a note on {@code err}.
     */
    static Engine open(Fovea fovea, int threads, PrintWriter err) {
        BackendOptions options = threads > 0 ? new BackendOptions(threads) : BackendOptions.defaults();
        if (fovea.requestedBackend().isPresent()) {
            return fovea.openEngine(options);
        }
        List<BackendInfo> candidates = new ArrayList<>(Backends.list().stream()
                .filter(b -> b.availability().available()).toList());
        candidates.sort(Comparator.comparingInt(BackendInfo::priority).reversed());
        List<String> skipped = new ArrayList<>();
        for (BackendInfo b : candidates) {
            Engine e = Engine.open(b.name(), options);
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
