package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.Violations;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A model compiled for one engine: plans (packed weights, chosen algorithms) are made on first use of a batch
 * size and reused. Each {@link #predict} call allocates its activations from its own scope and frees them on
 * return. Compiling applies the rewrite rules of the model's graph (batch normalization folded into the
 * convolution before it, activations fused into the op before them, a convolution and its pooling as one plan
 * where the backend offers one — {@link Engine#planConvolutionPooled}); {@link #trace} runs the graph as built, so
 * it shows every layer's own output.
 *
 * <pre>{@code
 * try (Engine engine = Engine.open(); Inference net = model.compile(engine)) {
 *     float[] probabilities = net.predict(pixels, 1);   // pixels in the model's layout order
 * }
 * }</pre>
 *
 * <p>Plan cache: the plans of the {@link #cachedBatchSizeLimit()} most recently used batch sizes are kept
 * ({@link #DEFAULT_CACHED_BATCH_SIZES} unless {@link Model#compile(Engine, int)} says otherwise); the least
 * recently used batch size's plans are closed (their packed weights and backend resources released) when
 * another batch size needs room, and are made again if that batch size comes back. So memory stays bounded
 * however many batch sizes a server sees; a workload cycling through more batch sizes than the limit re-plans.
 *
 * <p>Weights: when the model's weights change ({@link Model#setWeights}, {@code SafeTensors.load}, training,
 * or {@link Model#weightsChanged()}), the next call drops every plan and re-plans with the new values.
 *
 * <p>Thread-safety: {@code predict} may be called from many threads at once; a plan evicted while another
 * thread runs it is closed when that run ends. Changing the model's weights while a prediction runs is not
 * safe. After {@link #close()}, or once the engine or model is closed, calls throw {@link IllegalStateException}.
 */
public final class Inference implements AutoCloseable {
    /** Batch sizes whose plans {@link Model#compile(Engine)} keeps. */
    public static final int DEFAULT_CACHED_BATCH_SIZES = 8;

    private final Model model;
    private final Engine engine;
    private final int capacity;
    /** The model's graph after the rewrite rules of {@link Fusions}: what {@code predict} runs. */
    private final List<Model.Step> compiled;
    /** Plans by batch size, least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<Integer, Plans> cache = new LinkedHashMap<>(16, 0.75f, true);
    /** The weights version the cached plans were made from. Guarded by {@code this}. */
    private long cachedVersion;
    private volatile boolean closed;

    Inference(Model model, Engine engine, int capacity) {
        this.model = model;
        this.engine = engine;
        this.capacity = capacity;
        this.compiled = Fusions.apply(model.steps(), model.outputValues(), Fusions.INFERENCE);
        this.cachedVersion = model.weightsVersion();
    }

    public Model model() {
        return model;
    }

    public Engine engine() {
        return engine;
    }

    /** The graph {@code predict} runs, after the rewrite rules. */
    List<Model.Step> compiledSteps() {
        return compiled;
    }

    /** How many batch sizes' plans are kept at most. */
    public int cachedBatchSizeLimit() {
        return capacity;
    }

    /** The batch sizes whose plans are cached now, least recently used first (a snapshot, for monitoring). */
    public synchronized List<Integer> cachedBatchSizes() {
        return List.copyOf(cache.keySet());
    }

    /**
     * Runs the model on {@code x} ({@code [N, C, H, W]} host tensor, any layout) and returns the output as a new
     * host tensor from {@code out}, in the model's layout.
     */
    public Tensor predict(Tensor x, TensorScope out) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(out, "out");
        return run(x, out, null);
    }

    /**
     * Runs the model like {@link #predict} and also returns a host copy (from {@code out}) of every top-level
     * layer's output, by layer name in order — the feature maps visualizations show.
     */
    public Map<String, Tensor> trace(Tensor x, TensorScope out) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(out, "out");
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        run(x, out, outputs);
        return outputs;
    }

    /**
     * Runs the model on {@code batch} items given in the model's layout order ({@code batch} × the input's
     * {@code C·H·W} floats); returns the outputs likewise.
     */
    public float[] predict(float[] x, int batch) {
        try (TensorScope s = new TensorScope()) {
            return predict(input(x, batch, s), s).toArray();
        }
    }

    /**
     * Runs the model like {@link #predict(float[], int)} and returns its first output with its shape, in logical
     * order, ranked per item ({@link Prediction#argmax}, {@link Prediction#topK}) and carrying the model's
     * {@link Model#labels() labels}.
     */
    public Prediction prediction(float[] x, int batch) {
        try (TensorScope s = new TensorScope()) {
            Tensor y = predict(input(x, batch, s), s);
            Tensor logical = s.allocate(y.shape(), Layout.NCHW);  // NCHW is the logical order
            engine.copy(y, logical);
            return Prediction.of(y.shape(), logical.toArray(), model.labels());
        }
    }

    /** {@code x} checked against the model's input and copied into a tensor of {@code s}. */
    private Tensor input(float[] x, int batch, TensorScope s) {
        Objects.requireNonNull(x, "x");
        Shape item = model.inputShape(1);
        long perItem = item.perItem();
        Violations v = new Violations("model '" + model.name() + "'");
        if (v.check(batch > 0, "batch", "predict needs a batch of at least 1 image, got batch " + batch
                + " (for " + x.length + " floats)")) {
            v.check(x.length == batch * perItem, "x", "predict expects " + batch + " × " + perShape(item) + " = "
                    + batch * perItem + " floats, got " + x.length);
        }
        v.throwIfAny("images one after another, each [C, H, W] stored in " + model.layout() + " order");
        Tensor in = s.allocate(model.inputShape(batch), model.layout());
        in.copyFrom(x);
        return in;
    }

    /** The per-item logical shape without the batch axis: {@code [C, H, W]}. */
    private static String perShape(Shape item) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(item.dims(), 1, item.rank()));
    }

    /**
     * Runs the model on one tensor per input ({@code [N, C, H, W]} host tensors, any layout, one batch size) and
     * returns every output as a new host tensor from {@code out}, in the model's layout.
     */
    public List<Tensor> predictAll(List<Tensor> xs, TensorScope out) {
        Objects.requireNonNull(xs, "xs");
        Objects.requireNonNull(out, "out");
        return runAll(xs, out, null);
    }

    private Tensor run(Tensor x, TensorScope out, Map<String, Tensor> trace) {
        return runAll(List.of(x), out, trace).getFirst();
    }

    private List<Tensor> runAll(List<Tensor> xs, TensorScope out, Map<String, Tensor> trace) {
        List<Input> inputs = model.inputs();
        Violations v = new Violations("model '" + model.name() + "'");
        if (!v.check(xs.size() == inputs.size(), "inputs", "the model takes " + inputs.size() + " inputs "
                + model.inputNames() + ", got " + xs.size())) {
            v.throwIfAny("predict");
        }
        int n = xs.getFirst().shape().n();
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = Objects.requireNonNull(xs.get(i), "input " + i);
            Shape expected = inputs.get(i).shape(n);
            v.check(x.shape().equals(expected), "input", (xs.size() > 1 ? "input '" + model.inputNames().get(i)
                    + "': " : "") + "input shape " + x.shape() + " != expected " + expected + " (layout "
                    + model.layout() + ": " + model.layout().format(expected, null) + ")");
        }
        v.throwIfAny("predict");
        xs.forEach(Tensor::checkAlive);
        Plans plans = acquire(n);
        try (TensorScope pass = new TensorScope()) {
            Run run = new Run(this, plans, pass, n);
            Tensor[] values = new Tensor[inputs.size() + model.steps().size()];
            for (int i = 0; i < xs.size(); i++) {
                values[i] = engine.allocate(inputs.get(i).shape(n), model.layout(), pass);
                engine.copy(xs.get(i), values[i]);
            }
            // trace shows every layer's own output, so it runs the graph as built, without fusions.
            for (Model.Step step : trace == null ? compiled : model.steps()) {
                List<Tensor> args = new ArrayList<>(step.inputs().length);
                for (int i : step.inputs()) {
                    args.add(values[i]);
                }
                Tensor t = step.node().forward(run, args, null);
                values[step.output()] = t;
                if (trace != null) {
                    Tensor copy = out.allocate(t.shape(), model.layout());
                    engine.copy(t, copy);
                    trace.put(step.node().name, copy);
                }
            }
            List<Tensor> results = new ArrayList<>();
            for (int o : model.outputValues()) {
                Tensor result = out.allocate(values[o].shape(), model.layout());
                engine.copy(values[o], result);
                results.add(result);
            }
            return results;
        } finally {
            release(plans);
        }
    }

    /**
     * The plans for {@code batch}, held until {@link #release}: made afresh when the weights changed since the
     * cached ones were made, and evicting the least recently used batch size when the cache is full.
     */
    synchronized Plans acquire(int batch) {
        checkUsable();
        long version = model.weightsVersion();
        if (version != cachedVersion) {
            cache.values().forEach(this::retire);
            cache.clear();
            cachedVersion = version;
        }
        Plans p = cache.get(batch);
        if (p == null) {
            p = new Plans(batch);
            cache.put(batch, p);
            if (cache.size() > capacity) {
                var eldest = cache.entrySet().iterator();
                retire(eldest.next().getValue());
                eldest.remove();
            }
        }
        p.users++;
        return p;
    }

    synchronized void release(Plans p) {
        if (--p.users == 0 && p.retired) {
            p.closeAll();
        }
    }

    /** Takes {@code p} out of service: closed now if unused, else by the last {@link #release}. */
    private void retire(Plans p) {
        p.retired = true;
        if (p.users == 0) {
            p.closeAll();
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("this Inference of model '" + model.name() + "' was closed; compile"
                    + " the model again");
        }
        if (!engine.isOpen()) {
            throw new IllegalStateException("the engine (backend '" + engine.name() + "') of this Inference of"
                    + " model '" + model.name() + "' was closed");
        }
        model.checkOpen();
    }

    /** Closes every plan (those in use when the running calls end); later calls throw. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        cache.values().forEach(this::retire);
        cache.clear();
    }

    /** The plans of one batch size made from one version of the weights. */
    final class Plans {
        private final int batch;
        private final Map<Node, Plan> plans = new ConcurrentHashMap<>();
        /** Runs holding these plans, and whether they left the cache. Guarded by the Inference. */
        private int users;
        private boolean retired;

        private Plans(int batch) {
            this.batch = batch;
        }

        /** The node's plan, made by {@code create} on first use. */
        Plan plan(Node node, Supplier<Plan> create) {
            return plans.computeIfAbsent(node, k -> create.get());
        }

        private void closeAll() {
            plans.values().forEach(Plan::close);
            plans.clear();
        }
    }
}
