package dev.fovea.spark;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.spi.BackendOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of this JVM (an executor, or the driver in local mode): each loaded and compiled once per model file
 * content, backend and thread count, shared by the tasks that run here at the same time, and closed when the JVM
 * ends.
 */
final class ExecutorModels {
    private static final System.Logger LOG = System.getLogger("dev.fovea.spark");

    /** What makes two loaded models interchangeable. */
    record Key(ModelSource source, String backend, int threads) {
    }

    /** A compiled model and what it was compiled with; closed together. */
    record Loaded(Model model, Engine engine, Inference inference) {
        void close() {
            inference.close();
            engine.close();
            model.close();
        }
    }

    /** Guarded by the class. */
    private static final Map<Key, Loaded> CACHE = new HashMap<>();
    /** Guarded by the class. */
    private static boolean hookAdded;
    /** Loads so far in this JVM (a test reads it to see that executors load once). */
    private static int loads;

    private ExecutorModels() {
    }

    /**
     * The compiled model for {@code key}, loading it on first use. A backend that cannot run here throws with its
     * reason (no other backend is taken in its place); nothing is cached then, so a later task tries again.
     */
    static synchronized Loaded get(Key key) {
        Loaded loaded = CACHE.get(key);
        if (loaded != null) {
            return loaded;
        }
        Path file = ModelSource.locate(key.source().path());
        if (file == null) {
            throw new IllegalStateException("FoveaClassifier: model file '" + key.source().path() + "' does not "
                    + "exist on this executor; put it where every executor sees it, or ship it with --files");
        }
        BackendOptions options = new BackendOptions(key.threads());
        Model model = null;
        Engine engine = null;
        try {
            model = key.source().load(file);
            engine = key.backend().isEmpty() ? Engine.open(options) : Engine.open(key.backend(), options);
            loaded = new Loaded(model, engine, model.compile(engine));
        } catch (IOException e) {
            closeQuietly(engine, model);
            throw new UncheckedIOException("FoveaClassifier: cannot load model " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(engine, model);
            throw e;
        }
        if (!hookAdded) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "fovea-models-close"));
            hookAdded = true;
        }
        CACHE.put(key, loaded);
        loads++;
        LOG.log(System.Logger.Level.INFO, "fovea: loaded model {0} on backend ''{1}'' with {2} thread(s)", file,
                engine.name(), options.effectiveThreads());
        return loaded;
    }

    /** How many models this JVM has loaded. */
    static synchronized int loads() {
        return loads;
    }

    /** The model files cached now, one entry per loaded model (a file loaded for two backends is listed twice). */
    static synchronized List<String> cachedPaths() {
        return CACHE.keySet().stream().map(k -> k.source().path()).toList();
    }

    /** Closes every cached model (at JVM exit; tests call it to start clean). */
    static synchronized void closeAll() {
        List<Loaded> all = new ArrayList<>(CACHE.values());
        CACHE.clear();
        for (Loaded l : all) {
            l.close();
        }
    }

    private static void closeQuietly(Engine engine, Model model) {
        if (engine != null) {
            engine.close();
        }
        if (model != null) {
            model.close();
        }
    }
}
