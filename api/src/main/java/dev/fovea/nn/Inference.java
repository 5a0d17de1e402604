package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.Violations;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A model compiled for one engine: plans (packed weights, chosen algorithms) are made once per batch size
 * and reused. Each {@link #predict} call allocates its activations from its own scope and frees them on return.
 * A convolution followed by a pooling runs as one fused plan where the backend offers one
 * ({@link Engine#planConvolutionPooled}), except in {@link #trace}, which shows the convolution's own output.
 *
 * <pre>{@code
 * try (Engine engine = Engine.open(); Inference net = model.compile(engine)) {
 *     float[] probabilities = net.predict(pixels, 1);   // pixels in the model's layout order
 * }
 * }</pre>
 *
 * <p>Thread-safety: {@code predict} may be called from many threads at once; the weights are read when the
 * plans are made, so change weights before compiling, then compile again.
 */
public final class Inference implements AutoCloseable {
    private record Key(Node node, int batch) {
    }

    private final Model model;
    private final Engine engine;
    private final Map<Key, Plan> plans = new ConcurrentHashMap<>();
    /** Fused convolution + pooling plans, keyed by the convolution's node; empty where the backend has none. */
    private final Map<Key, Optional<Plan>> fused = new ConcurrentHashMap<>();

    Inference(Model model, Engine engine) {
        this.model = model;
        this.engine = engine;
    }

    public Model model() {
        return model;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Runs the model on {@code x} ({@code [N, C, H, W]} host tensor, any layout) and returns the output as a new
     * host tensor from {@code out}, in the model's layout.
     */
    public Tensor predict(Tensor x, TensorScope out) {
        return run(x, out, null);
    }

    /**
     * Runs the model like {@link #predict} and also returns a host copy (from {@code out}) of every top-level
     * layer's output, by layer name in order — the feature maps visualizations show.
     */
    public Map<String, Tensor> trace(Tensor x, TensorScope out) {
        Map<String, Tensor> outputs = new java.util.LinkedHashMap<>();
        run(x, out, outputs);
        return outputs;
    }

    private Tensor run(Tensor x, TensorScope out, Map<String, Tensor> trace) {
        int n = x.shape().n();
        Shape expected = model.inputShape(n);
        Violations v = new Violations("model '" + model.name() + "'");
        v.check(x.shape().equals(expected), "input", "input shape " + x.shape() + " != expected " + expected
                + " (layout " + model.layout() + ": " + model.layout().format(expected, null) + ")");
        v.throwIfAny("predict");
        x.checkAlive();
        try (TensorScope pass = new TensorScope()) {
            Tensor in = engine.allocate(expected, model.layout(), pass);
            engine.copy(x, in);
            Run run = new Run(this, pass, n);
            Tensor t = in;
            List<Node> nodes = model.nodes();
            for (int i = 0; i < nodes.size(); i++) {
                Node node = nodes.get(i);
                if (trace == null && i + 1 < nodes.size() && node instanceof Conv2D.ConvNode conv
                        && nodes.get(i + 1) instanceof Pooling2D.PoolNode pool) {
                    Optional<Plan> both = fusedPlan(conv, pool, n);
                    if (both.isPresent()) {
                        Tensor y = run.allocate(pool.output);
                        both.get().execute(t, y);
                        t = y;
                        i++;
                        continue;
                    }
                }
                t = node.forward(run, t, null);
                if (trace != null) {
                    Tensor copy = out.allocate(t.shape(), model.layout());
                    engine.copy(t, copy);
                    trace.put(node.name, copy);
                }
            }
            Tensor result = out.allocate(t.shape(), model.layout());
            engine.copy(t, result);
            return result;
        }
    }

    /** Runs the model on {@code batch} items given in the model's layout order; returns the outputs likewise. */
    public float[] predict(float[] x, int batch) {
        try (TensorScope s = new TensorScope()) {
            Tensor in = s.allocate(model.inputShape(batch), model.layout());
            in.copyFrom(x);
            return predict(in, s).toArray();
        }
    }

    Plan plan(Node node, int batch, Supplier<Plan> create) {
        return plans.computeIfAbsent(new Key(node, batch), k -> create.get());
    }

    private Optional<Plan> fusedPlan(Conv2D.ConvNode conv, Pooling2D.PoolNode pool, int batch) {
        return fused.computeIfAbsent(new Key(conv, batch), k -> {
            List<Tensor> w = model.weightsOf(conv);
            return engine.planConvolutionPooled(conv.descriptor.withBatch(batch), pool.descriptor.withBatch(batch),
                    w.get(0), conv.descriptor.bias() ? w.get(1) : null);
        });
    }

    @Override
    public void close() {
        for (Plan p : List.copyOf(plans.values())) {
            p.close();
        }
        plans.clear();
        for (Optional<Plan> p : List.copyOf(fused.values())) {
            p.ifPresent(Plan::close);
        }
        fused.clear();
    }
}
