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
 * size and reused, and so are the activations: a pass allocates the same tensors in the same order every time,
 * so each batch size keeps the last pass's activations (an arena) and the next pass writes into them instead of
 * allocating, zeroing and freeing tens of megabytes. The arena is released with that batch size's plans. A call
 * made while another thread's pass holds the arena allocates its own activations and frees them on return. Compiling applies the rewrite rules of the model's graph (batch normalization folded into the
 * convolution before it, {@code x · sigmoid(x)} as one SiLU activation, activations fused into the op before
 * them, a convolution and its pooling as one plan
 * where the backend offers one — {@link Engine#planConvolutionPooled}); {@link #trace} runs the graph as built, so
 * it shows every layer's own output. Concatenations on channels copy nothing where they can: each input is written by
 * its producer into its channel slice of the output ({@code -Dfovea.concatInPlace=false}
 * turns that off).
 *
 * <pre>{@code
 * try (Engine engine = Engine.open(); Inference net = model.compile(engine)) {
 *     float[] probabilities = net.predict(pixels, 1);   // pixels in the model's layout order
 * }
 * }</pre>
 *
 * <p>Hot loops: {@link #predictInto} takes an input tensor and an output tensor the caller made once; with dense host
 * tensors in the model's layout the first layer reads the input and the last layer writes the output in place, so a
 * call copies nothing and allocates no tensor memory. {@link #predict(float[], int)} copies the array in and the
 * result out once each.
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

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private final Model model;
    private final Engine engine;
    private final int capacity;
    /** The model's graph after the rewrite rules of {@link Fusions}: what {@code predict} runs. */
    private final List<Model.Step> compiled;
    /** Where {@link #compiled}'s concatenations find their inputs already in place. */
    private final ConcatPlacement placement;
    /** Plans by batch size, least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<Integer, Plans> cache = new LinkedHashMap<>(16, 0.75f, true);
    /** The weights version the cached plans were made from. Guarded by {@code this}. */
    private long cachedVersion;
    private volatile boolean closed;
    private volatile boolean rejectNonFinite;
    /**
     * The scope of the tensor views {@link #predict(float[], int)} puts over the caller's arrays; it owns no memory,
     * so it is never closed.
     */
    private final TensorScope arrayViews = new TensorScope();
    /** Whether the engine's tensors live on the host: read once, an engine's capabilities do not change. */
    private final boolean onHost;

    Inference(Model model, Engine engine, int capacity) {
        this.model = model;
        this.engine = engine;
        this.capacity = capacity;
        this.compiled = Fusions.apply(model.steps(), model.outputValues(), Fusions.INFERENCE);
        this.placement = planPlacement(model, compiled);
        this.cachedVersion = model.weightsVersion();
        this.onHost = !engine.capabilities().contains(dev.fovea.spi.Capability.DEVICE_MEMORY);
    }

    /**
     * The system property that turns off placing concatenations' inputs in their outputs
     * ({@code -Dfovea.concatInPlace=false}: every concatenation copies, as a reference to compare with); read when a
     * model is compiled.
     */
    static final String CONCAT_IN_PLACE_PROPERTY = "fovea.concatInPlace";

    private static ConcatPlacement planPlacement(Model model, List<Model.Step> steps) {
        int values = model.inputs().size() + model.steps().size();
        if ("false".equalsIgnoreCase(System.getProperty(CONCAT_IN_PLACE_PROPERTY, "").trim())) {
            return ConcatPlacement.none(values);
        }
        Shape[] shapes = new Shape[values];
        for (int i = 0; i < model.inputs().size(); i++) {
            shapes[i] = model.inputs().get(i).shape(1);
        }
        for (Model.Step step : steps) {
            shapes[step.output()] = step.node().output;
        }
        return ConcatPlacement.plan(steps, shapes, model.inputs().size(), model.outputValues());
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

    /** Where the compiled graph's concatenations find their inputs in place. */
    ConcatPlacement placement() {
        return placement;
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
     * When {@code reject}, every later call checks its inputs first and throws {@link IllegalArgumentException} naming
     * the first NaN or infinite value (input, batch item and position) before running anything. Off by default:
     * NaN and infinities then propagate as IEEE arithmetic says (PyTorch and ONNX Runtime do the same). Host inputs
     * only: reading a device tensor's values back would cost a copy per call.
     */
    public Inference rejectNonFiniteInputs(boolean reject) {
        this.rejectNonFinite = reject;
        return this;
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
        if (!onHost()) {
            try (TensorScope s = new TensorScope()) {
                return predict(input(x, batch, s), s).toArray();
            }
        }
        // A host backend copies the array straight into the first layer's activation and the last layer's
        // activation straight into the result: no staging tensor, no second copy, no zeroing.
        checkArray(x, batch);
        float[] y = new float[Math.toIntExact(model.outputShape(batch).elementCount())];
        runAll(List.of(arrayView(x, model.inputShape(batch))), List.of(arrayView(y, model.outputShape(batch))), null,
                null, null);
        return y;
    }

    /**
     * Runs the model on {@code x} ({@code [N, C, H, W]}, any layout) and writes its first output into {@code y}
     * ({@link Model#outputShape(int) outputShape(N)}, any layout), for a loop that calls the model again and again
     * on tensors it made once: no tensor memory is allocated per call once the first call of a batch size has
     * planned. With host tensors in the model's layout, dense, on a host backend, the first layer reads {@code x}
     * itself and the last one writes into {@code y} itself; otherwise they are copied (and reordered) as needed.
     * {@code x} is only read. {@code y} must not share memory with {@code x}.
     *
     * <pre>{@code
     * Tensor x = scope.allocate(model.inputShape(8), model.layout());
     * Tensor y = scope.allocate(model.outputShape(8), model.layout());
     * while (more()) {
     *     fill(x);                // e.g. x.buffer().asByteBuffer() or x.copyFrom(pixels)
     *     net.predictInto(x, y);  // y holds the outputs until the next call
     * }
     * }</pre>
     *
     * @throws dev.fovea.op.ValidationException when a shape does not match the model, naming the tensor, the
     *                                          expected and the given shape, before anything runs
     */
    public void predictInto(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        predictAllInto(List.of(x), List.of(y));
    }

    /**
     * {@link #predictInto} for every input and output: one tensor per input ({@code [N, C, H, W]}, one batch size)
     * and one per output, each output written into its tensor.
     */
    public void predictAllInto(List<Tensor> xs, List<Tensor> ys) {
        Objects.requireNonNull(xs, "xs");
        Objects.requireNonNull(ys, "ys");
        for (int i = 0; i < ys.size(); i++) {
            Objects.requireNonNull(ys.get(i), "output " + i);
        }
        if (ys.size() != model.outputCount()) {
            Violations v = new Violations("model '" + model.name() + "'");
            v.check(false, "outputs", "the model has " + model.outputCount() + " outputs " + model.outputNames()
                    + ", got " + ys.size() + " output tensors");
            v.throwIfAny("predict");
        }
        runAll(xs, ys, null, null, null);
    }

    /** Whether this engine's tensors live on the host (copies to and from heap arrays then need no staging). */
    private boolean onHost() {
        return onHost;
    }

    /**
     * {@code a} seen as a host tensor of {@code shape} in the model's layout, without a copy: only ever the source
     * or destination of {@link Engine#copy} on a host backend (SIMD kernels need native memory).
     */
    private Tensor arrayView(float[] a, Shape shape) {
        return Tensor.wrap(shape, model.layout(), java.lang.foreign.MemorySegment.ofArray(a), arrayViews, true);
    }

    /**
     * Whether {@code t} can serve as an activation itself: dense native host memory in the model's layout, on a
     * host backend.
     */
    private boolean usableInPlace(Tensor t) {
        return onHost() && t.isHost() && t.layout() == model.layout() && t.isContiguous() && t.buffer().isNative();
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
        checkArray(x, batch);
        Tensor in = s.allocate(model.inputShape(batch), model.layout());
        in.copyFrom(x);
        return in;
    }

    /** Checks that {@code x} holds {@code batch} of the model's inputs. */
    private void checkArray(float[] x, int batch) {
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
        checkActivationMemory(batch);
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
        return runAll(xs, null, out, null, null);
    }

    private Tensor run(Tensor x, TensorScope out, Map<String, Tensor> trace) {
        return runAll(List.of(x), null, out, trace, null).getFirst();
    }

    /**
     * One pass like {@link #predict(float[], int)} that adds each compiled step's wall time (ns) to
     * {@code stepNanos[2·i]} and the calling thread's CPU time to {@code stepNanos[2·i + 1]}, {@code i} indexing
     * {@link #compiledSteps()}: what {@link Profile} measures.
     */
    void timedPass(float[] x, int batch, long[] stepNanos) {
        try (TensorScope s = new TensorScope()) {
            runAll(List.of(input(x, batch, s)), null, s, null, stepNanos);
        }
    }

    /**
     * One pass: {@code ys} null returns new host tensors from {@code out} (made after the checks, then filled as
     * {@code ys} would be); otherwise the first {@code ys.size()} outputs are written into {@code ys} (which is
     * returned). {@code stepNanos}, when not null, collects each compiled step's times for {@link #timedPass}.
     */
    private List<Tensor> runAll(List<Tensor> xs, List<Tensor> ys, TensorScope out, Map<String, Tensor> trace,
            long[] stepNanos) {
        List<Input> inputs = model.inputs();
        Violations v = new Violations("model '" + model.name() + "'");
        if (!v.check(xs.size() == inputs.size(), "inputs", "the model takes " + inputs.size() + " inputs "
                + model.inputNames() + ", got " + xs.size())) {
            v.throwIfAny("predict");
        }
        int n = Objects.requireNonNull(xs.getFirst(), "input 0").shape().n();
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = Objects.requireNonNull(xs.get(i), "input " + i);
            Shape expected = inputs.get(i).shape(n);
            v.check(x.shape().equals(expected), "input", (xs.size() > 1 ? "input '" + model.inputNames().get(i)
                    + "': " : "") + "input shape " + x.shape() + " != expected " + expected + " (layout "
                    + model.layout() + ": " + model.layout().format(expected, null) + ")");
        }
        if (ys != null) {
            checkOutputs(xs, ys, n, v);
        }
        v.throwIfAny("predict");
        xs.forEach(Tensor::checkAlive);
        if (ys != null) {
            ys.forEach(Tensor::checkAlive);
        }
        checkActivationMemory(n);
        if (rejectNonFinite) {
            for (int i = 0; i < xs.size(); i++) {
                requireFinite(xs.get(i), xs.size() > 1 ? "input '" + model.inputNames().get(i) + "'" : "input");
            }
        }
        if (ys == null && trace == null) {
            // New results, made only now that the inputs passed: the last layers write into them as into
            // predictInto's, instead of into the pass's memory and then copied (Arena memory comes zero-filled: the
            // one fill left).
            List<Tensor> results = new ArrayList<>(model.outputCount());
            for (int k = 0; k < model.outputCount(); k++) {
                results.add(out.allocate(model.outputShape(k, n), model.layout()));
            }
            ys = results;
        }
        Plans plans = acquire(n);
        Workspace arena = trace == null ? claimArena(plans) : null;
        // With the arena every activation comes from it: a scope per pass would only cost its close.
        TensorScope pass = arena == null ? new TensorScope() : null;
        try {
            Run run = new Run(this, plans, pass, n);
            if (arena != null) {
                run.workspace(arena);
            }
            Tensor[] values = new Tensor[inputs.size() + model.steps().size()];
            for (int i = 0; i < xs.size(); i++) {
                Tensor x = xs.get(i);
                if (trace == null && usableInPlace(x)) {
                    values[i] = x; // layers never write into their inputs
                    run.skipActivation();
                } else {
                    values[i] = run.allocateIn(inputs.get(i).shape(n), model.layout());
                    engine.copy(x, values[i]);
                }
            }
            int[] outputs = model.outputValues();
            // trace shows every layer's own output, so it runs the graph as built, without fusions.
            List<Model.Step> steps = trace == null ? compiled : model.steps();
            ConcatPlacement placed = trace == null ? placement : null;
            Tensor[] buffers = placed == null ? null : new Tensor[placed.groups()];
            for (int k = 0; k < steps.size(); k++) {
                Model.Step step = steps.get(k);
                List<Tensor> args = new ArrayList<>(step.inputs().length);
                for (int i : step.inputs()) {
                    args.add(values[i]);
                }
                Tensor dst = ys == null ? null : directOutput(step.output(), outputs, ys);
                if (dst != null) {
                    run.skipActivation(); // the slot the layer's output takes in other passes
                } else if (placed != null) {
                    dst = placedView(placed, step, buffers, run, n, outputs, ys);
                    if (dst != null && ys != null && isOutput(step.output(), outputs)) {
                        run.skipActivation(); // the slot it takes when the caller's tensor can hold it
                    }
                }
                long t0 = stepNanos == null ? 0 : System.nanoTime();
                long c0 = stepNanos == null ? 0 : CPU.getCurrentThreadCpuTime();
                Tensor t = step.node().forward(run, args, dst);
                if (stepNanos != null) {
                    stepNanos[2 * k] += System.nanoTime() - t0;
                    stepNanos[2 * k + 1] += CPU.getCurrentThreadCpuTime() - c0;
                }
                if (dst != null && t != dst) {
                    engine.copy(t, dst); // a layer that did not write into the tensor it was given
                    t = dst;
                }
                values[step.output()] = t;
                if (trace != null) {
                    Tensor copy = out.allocate(t.shape(), model.layout());
                    engine.copy(t, copy);
                    trace.put(step.node().name, copy);
                }
            }
            if (ys != null) {
                for (int k = 0; k < ys.size(); k++) {
                    if (values[outputs[k]] != ys.get(k)) {
                        engine.copy(values[outputs[k]], ys.get(k));
                    }
                }
                return ys;
            }
            List<Tensor> results = new ArrayList<>(); // trace: the graph as built, copied out
            for (int o : outputs) {
                Tensor result = out.allocate(values[o].shape(), model.layout());
                engine.copy(values[o], result);
                results.add(result);
            }
            return results;
        } catch (IllegalStateException e) {
            throw closedMidFlight(e);
        } finally {
            if (pass != null) {
                pass.close();
            }
            if (arena != null) {
                returnArena(arena);
            }
            release(plans);
        }
    }

    /**
     * The tensor {@code step} writes into when its output is placed in a concatenation's buffer: that value's channel
     * slice of the buffer, allocated by the first step that needs it — or the caller's output tensor when the buffer
     * is a model output it can hold; null for an output with a tensor of its own.
     */
    private Tensor placedView(ConcatPlacement placed, Model.Step step, Tensor[] buffers, Run run, int n, int[] outputs,
                              List<Tensor> ys) {
        ConcatPlacement.Slot slot = placed.slot(step.output());
        if (slot == null) {
            return null;
        }
        if (buffers[slot.group()] == null) {
            int whole = placed.outputOf(slot.group());
            Tensor caller = whole < 0 || ys == null ? null : directOutput(whole, outputs, ys);
            if (caller != null) {
                buffers[slot.group()] = caller;
                run.skipActivation(); // the slot the buffer takes in passes whose output tensor cannot hold it
            } else {
                buffers[slot.group()] = run.allocateIn(placed.buffer(slot.group()).withBatch(n), model.layout());
            }
        }
        return buffers[slot.group()].channelSlice(slot.offset(), step.node().output.c());
    }

    private static boolean isOutput(int value, int[] outputs) {
        for (int o : outputs) {
            if (o == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * The caller's tensor that the step producing value {@code value} writes into directly: the first output
     * tensor of that value when it can serve as an activation, else null (the value is copied there afterwards).
     */
    private Tensor directOutput(int value, int[] outputs, List<Tensor> ys) {
        for (int k = 0; k < ys.size(); k++) {
            if (outputs[k] == value) {
                return usableInPlace(ys.get(k)) ? ys.get(k) : null;
            }
        }
        return null;
    }

    /** The output tensors' shapes, and that none shares memory with an input or another output. */
    private void checkOutputs(List<Tensor> xs, List<Tensor> ys, int n, Violations v) {
        for (int k = 0; k < ys.size(); k++) {
            Tensor y = Objects.requireNonNull(ys.get(k), "output " + k);
            Shape expected = model.outputShape(k, n);
            String name = ys.size() > 1 ? "output '" + model.outputNames().get(k) + "': " : "";
            if (!v.check(y.shape().equals(expected), "output", name + "output shape " + y.shape() + " != expected "
                    + expected + " for a batch of " + n)) {
                continue;
            }
            for (int i = 0; i < xs.size(); i++) {
                v.check(!overlap(y, xs.get(i)), "output", name + "the output tensor shares memory with input "
                        + (xs.size() > 1 ? "'" + model.inputNames().get(i) + "'" : "x")
                        + "; give it a tensor of its own");
            }
            for (int j = 0; j < k; j++) {
                v.check(!overlap(y, ys.get(j)), "output", name + "the output tensor shares memory with output " + j);
            }
        }
    }

    /** Whether two host tensors' elements overlap (device tensors are never compared: their memory is opaque). */
    private static boolean overlap(Tensor a, Tensor b) {
        if (!a.isHost() || !b.isHost() || !a.isAlive() || !b.isAlive()) {
            return false;
        }
        return span(a).asOverlappingSlice(span(b)).isPresent();
    }

    /** The bytes of {@code t}'s buffer from its first to its last element. */
    private static java.lang.foreign.MemorySegment span(Tensor t) {
        long last = 0;
        for (int a = 0; a < t.shape().rank(); a++) {
            last += (t.shape().dim(a) - 1) * Math.abs(t.stride(a));
        }
        return t.buffer().asSlice(t.offset() * 4, (last + 1) * 4);
    }

    /**
     * The activation arena of {@code plans}' batch size, or null while another call holds it (that call's pass
     * then allocates afresh, as before).
     */
    private synchronized Workspace claimArena(Plans plans) {
        if (plans.arena == null) {
            plans.arena = new Workspace(engine);
        }
        return plans.arena.begin() ? plans.arena : null;
    }

    private synchronized void returnArena(Workspace arena) {
        arena.end();
    }

    /**
     * A failure of memory access while the model, its engine or this Inference was being closed by another thread:
     * says what was closed instead of the memory API's bare "Already closed".
     */
    private IllegalStateException closedMidFlight(IllegalStateException e) {
        String what = closed ? "this Inference" : !engine.isOpen() ? "the engine (backend '" + engine.name() + "')"
                : !model.isOpen() ? "the model's weights (model.close())" : null;
        if (what == null) {
            return e;
        }
        return new IllegalStateException(what + " of model '" + model.name() + "' was closed by another thread while"
                + " predict was running; close it only after every predict call has returned", e);
    }

    /** The system property that sets {@link #activationLimitBytes()}. */
    public static final String MAX_ACTIVATION_BYTES_PROPERTY = "fovea.maxActivationBytes";

    /**
     * The most bytes of activations one call may hold: {@code -Dfovea.maxActivationBytes=N}, else, on a backend whose
     * tensors live on the host, the JVM's direct memory limit ({@code -XX:MaxDirectMemorySize}, by default the heap
     * limit {@code -Xmx}); {@link Long#MAX_VALUE} (unchecked) on a device backend. A batch over it is refused before
     * anything is allocated, not split: the caller chooses the batch size.
     */
    public long activationLimitBytes() {
        String v = System.getProperty(MAX_ACTIVATION_BYTES_PROPERTY);
        if (v != null && !v.isBlank()) {
            try {
                long n = Long.parseLong(v.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("-D" + MAX_ACTIVATION_BYTES_PROPERTY + "=" + v
                    + " is not a positive number of bytes");
        }
        return engine.capabilities().contains(dev.fovea.spi.Capability.DEVICE_MEMORY) ? Long.MAX_VALUE
                : DirectMemory.MAX;
    }

    /**
     * The bytes of the activations a batch of {@code n} holds at once: the inputs and every layer's output of the
     * compiled graph (all live until the call returns; outputs placed in a concatenation's buffer counted once, as
     * that buffer), 4 bytes a value; {@link Long#MAX_VALUE} when that overflows.
     */
    public long activationBytes(int n) {
        try {
            long values = 0;
            for (Input in : model.inputs()) {
                values = Math.addExact(values, Math.multiplyExact(in.shape(1).perItem(), (long) n));
            }
            for (Model.Step step : compiled) {
                if (placement.slot(step.output()) == null) {
                    values = Math.addExact(values, Math.multiplyExact(step.node().output.perItem(), (long) n));
                }
            }
            for (int g = 0; g < placement.groups(); g++) {
                values = Math.addExact(values, Math.multiplyExact(placement.buffer(g).perItem(), (long) n));
            }
            return Math.multiplyExact(values, 4L);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private void checkActivationMemory(int n) {
        long need = activationBytes(n);
        long limit = activationLimitBytes();
        if (need > limit) {
            long perItem = Math.max(1, activationBytes(1));
            throw new IllegalArgumentException("model '" + model.name() + "': a batch of " + n + " needs "
                    + mib(need) + " of activations, over the limit of " + mib(limit) + " (" + limitSource()
                    + "); predict at most " + Math.max(0, limit / perItem) + " items per call");
        }
    }

    private String limitSource() {
        return System.getProperty(MAX_ACTIVATION_BYTES_PROPERTY) != null ? "-D" + MAX_ACTIVATION_BYTES_PROPERTY
                : "the JVM's direct memory: -XX:MaxDirectMemorySize, else -Xmx; or set -D" + MAX_ACTIVATION_BYTES_PROPERTY;
    }

    private static String mib(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 2^63 bytes" : String.format(java.util.Locale.ROOT, "%.1f MiB",
                bytes / 1048576.0);
    }

    /** The JVM's direct memory limit, read once: the JVM's flags do not change while it runs. */
    private static final class DirectMemory {
        static final long MAX = maxDirectMemory();
    }

    /** The JVM's limit on direct (and FFM native) memory: {@code -XX:MaxDirectMemorySize}, by default {@code -Xmx}. */
    static long maxDirectMemory() {
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
                String v = arg.substring(arg.indexOf('=') + 1).trim().toLowerCase(java.util.Locale.ROOT);
                long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    case 'g' -> 1L << 30;
                    case 't' -> 1L << 40;
                    default -> 1;
                };
                try {
                    long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
                    if (n > 0) {
                        return Math.multiplyHigh(n, unit) == 0 ? n * unit : Long.MAX_VALUE;
                    }
                } catch (NumberFormatException e) {
                    break; // the JVM accepted it; fall back to its default below
                }
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Throws naming the first NaN or infinity of host tensor {@code x} by batch item and logical position. */
    private void requireFinite(Tensor x, String what) {
        if (!x.isHost()) {
            return;
        }
        float[] values = x.toArray();
        long perItem = x.shape().perItem();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("model '" + model.name() + "': " + what + " " + x.shape()
                        + " holds " + values[i] + " at batch item " + i / perItem + ", value " + i % perItem
                        + " of the item (flat index " + i + " in the tensor's storage order); rejectNonFiniteInputs is on");
            }
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
        /** The activations of the last pass, reused by the next one. Guarded by the Inference. */
        private Workspace arena;

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
            if (arena != null) {
                arena.close();
                arena = null;
            }
        }
    }
}
