package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.Violations;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A model compiled for one engine: plans (packed weights, chosen algorithms) are made once per batch size
 * and reused. Each {@link #predict} call allocates its activations from its own scope and frees them on return.
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
            for (Node node : model.nodes()) {
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

    @Override
    public void close() {
        for (Plan p : List.copyOf(plans.values())) {
            p.close();
        }
        plans.clear();
    }
}
