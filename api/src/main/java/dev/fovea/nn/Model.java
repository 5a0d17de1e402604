package dev.fovea.nn;

import dev.fovea.engine.Engine;
import dev.fovea.op.ValidationException;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A built network: inferred shapes, host weights, a summary. Run it with {@link #compile(Engine)}.
 * Weights are named {@code <layer>.<param>} ({@code conv2d.kernel}, {@code conv2d.bias}, {@code dense_1.kernel});
 * a convolution kernel is {@code [K, C/groups, kH, kW]}, a dense kernel {@code [F, U]}.
 *
 * <p>Weights may change at any time ({@link #setWeights}, {@link #initialize}, {@code SafeTensors.load}, a
 * {@code Trainer}): every {@link Inference} compiled from this model notices the change on its next call and
 * re-plans with the new values. Code that writes into the tensors of {@link #namedWeights()} itself calls
 * {@link #weightsChanged()} afterwards.
 *
 * <p>Thread-safety: reading a model (summary, weights) is safe from many threads; changing weights is not safe
 * while another thread reads them, compiles or predicts. Close the model to free its weights; using them
 * afterwards throws {@link IllegalStateException}.
 */
public final class Model implements AutoCloseable {
    private final String name;
    private final List<String> inputNames;
    private final List<Input> inputs;
    private final Layout layout;
    /** The layers in execution order; value i < inputs.size() is input i, step k writes value inputs.size() + k. */
    private final List<Step> steps;
    private final int[] outputs;
    private final Map<Node, List<Tensor>> weights = new LinkedHashMap<>();
    private final TensorScope weightScope = new TensorScope();
    /** Bumped on every weight change; compiled plans remember the version they packed. */
    private final AtomicLong weightsVersion = new AtomicLong();
    private volatile List<String> labels = List.of();

    /** One layer of the graph: its node, the values it reads and the value it writes. */
    record Step(Node node, int[] inputs, int output) {
    }

    Model(String name, List<String> inputNames, List<Input> inputs, Layout layout, List<Step> steps, int[] outputs,
          long seed) {
        this.name = name;
        this.inputNames = List.copyOf(inputNames);
        this.inputs = List.copyOf(inputs);
        this.layout = layout;
        this.steps = List.copyOf(steps);
        this.outputs = outputs.clone();
        if (steps.isEmpty()) {
            throw new ValidationException("model '" + name + "'",
                    List.of(new ValidationException.Violation("layers", "has no layers")), "");
        }
        for (Node n : allNodes()) {
            List<Tensor> ts = new ArrayList<>();
            for (Param p : n.params()) {
                ts.add(weightScope.allocate(p.shape(), Layout.NCHW));
            }
            weights.put(n, ts);
        }
        initialize(seed);
    }

    public String name() {
        return name;
    }

    public Layout layout() {
        return layout;
    }

    /** The first (for most models the only) input. */
    public Input input() {
        return inputs.getFirst();
    }

    /** Every input, in the order {@link Inference#predictAll} takes them. */
    public List<Input> inputs() {
        return inputs;
    }

    /** The inputs' names, in order. */
    public List<String> inputNames() {
        return inputNames;
    }

    /** The number of outputs. */
    public int outputCount() {
        return outputs.length;
    }

    /** The names of the layers producing the outputs, in order. */
    public List<String> outputNames() {
        List<String> out = new ArrayList<>();
        for (int o : outputs) {
            out.add(valueName(o));
        }
        return out;
    }

    /** Logical input shape for a batch of {@code n}: {@code [n, C, H, W]}. */
    public Shape inputShape(int n) {
        return input().shape(n);
    }

    /** Logical shape of the first output for a batch of {@code n}. */
    public Shape outputShape(int n) {
        return outputShape(0, n);
    }

    /** Logical shape of output {@code index} for a batch of {@code n}. */
    public Shape outputShape(int index, int n) {
        return valueShape(outputs[index]).withBatch(n);
    }

    /**
     * The graph as a list of layers in execution order, each with the names of the tensors it reads: a layer's
     * output is named after the layer, a model input after the input. Exporters and tools walk this.
     */
    public List<GraphLayer> graph() {
        List<GraphLayer> out = new ArrayList<>();
        for (Step st : steps) {
            List<String> ins = new ArrayList<>();
            for (int i : st.inputs()) {
                ins.add(valueName(i));
            }
            Node n = st.node();
            if (n.branches().isEmpty()) {
                out.add(new GraphLayer(n.name, n.layer, ins, n.inputs, n.output));
                continue;
            }
            // A concat of branches: each branch as its layers, then the channel concatenation of their outputs.
            List<String> lasts = new ArrayList<>();
            List<Shape> lastShapes = new ArrayList<>();
            for (List<Node> branch : n.branches()) {
                String from = ins.getFirst();
                for (Node b : branch) {
                    out.add(new GraphLayer(b.name, b.layer, List.of(from), b.inputs, b.output));
                    from = b.name;
                }
                lasts.add(from);
                lastShapes.add(branch.getLast().output);
            }
            out.add(new GraphLayer(n.name, Concatenate.create().name(n.name), lasts, lastShapes, n.output));
        }
        return out;
    }

    /** Re-initializes every weight from {@code seed}: kernels by their initializer, biases to zero. */
    public void initialize(long seed) {
        checkOpen();
        int index = 0;
        for (Map.Entry<Node, List<Tensor>> e : weights.entrySet()) {
            List<Param> ps = e.getKey().params();
            for (int i = 0; i < ps.size(); i++) {
                Param p = ps.get(i);
                float[] values = new float[Math.toIntExact(p.shape().elementCount())];
                // One stream per tensor, so adding a layer does not change the others' weights.
                p.initializer().fill(values, p.fanIn(), p.fanOut(), new SplittableRandom(seed * 1_000_003L + index++));
                e.getValue().get(i).copyFrom(values);
            }
        }
        weightsChanged();
    }

    /**
     * Tells compiled {@link Inference}s that the weights changed, so their next call re-plans with the new values.
     * {@link #setWeights}, {@link #initialize}, {@code SafeTensors.load} and training call it; call it yourself
     * after writing into the tensors of {@link #namedWeights()}.
     */
    public void weightsChanged() {
        weightsVersion.incrementAndGet();
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return weightScope.isOpen();
    }

    /**
     * Every learnable tensor by name ({@code conv2d.kernel}), in layer order. The tensors are the model's own:
     * after writing into them, call {@link #weightsChanged()}.
     */
    public Map<String, Tensor> namedWeights() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<Node, List<Tensor>> e : weights.entrySet()) {
            List<Param> ps = e.getKey().params();
            for (int i = 0; i < ps.size(); i++) {
                out.put(e.getKey().name + "." + ps.get(i).name(), e.getValue().get(i));
            }
        }
        return out;
    }

    /** Copies of the layer's weights ({@code kernel}, then {@code bias}), each in logical order. */
    public List<float[]> getWeights(String layer) {
        checkOpen();
        return weightsOf(node(layer)).stream().map(Tensor::toArray).toList();
    }

    /** Replaces the layer's weights; all sizes are checked before anything is written. */
    public void setWeights(String layer, List<float[]> values) {
        Objects.requireNonNull(values, "values");
        checkOpen();
        Node n = node(layer);
        List<Param> ps = n.params();
        Violations v = new Violations(n.layer.type() + " '" + n.name + "'");
        v.check(values.size() == ps.size(), "weights", "expected " + ps.size() + " tensors "
                + ps.stream().map(p -> p.name() + " " + p.shape()).toList() + ", got " + values.size());
        for (int i = 0; i < Math.min(values.size(), ps.size()); i++) {
            if (values.get(i) == null) {
                v.add(ps.get(i).name(), ps.get(i).name() + " is null");
                continue;
            }
            long want = ps.get(i).shape().elementCount();
            v.check(values.get(i).length == want, ps.get(i).name(), ps.get(i).name() + " needs " + want
                    + " values for shape " + ps.get(i).shape() + ", got " + values.get(i).length);
        }
        v.throwIfAny("setWeights");
        List<Tensor> ts = weightsOf(n);
        for (int i = 0; i < ts.size(); i++) {
            ts.get(i).copyFrom(values.get(i));
        }
        weightsChanged();
    }

    /**
     * The names of the first output's classes, in class order (one per value of an output item); empty when the
     * model has none. {@link Inference#prediction} attaches them to its results.
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * Names the first output's classes ({@code "T-shirt/top"}, {@code "Trouser"}, ...): one label per value of an
     * output item, in class order; an empty list removes them.
     */
    public void setLabels(List<String> labels) {
        Objects.requireNonNull(labels, "labels");
        for (int i = 0; i < labels.size(); i++) {
            Objects.requireNonNull(labels.get(i), "label " + i);
        }
        long classes = outputShape(1).perItem();
        Violations v = new Violations("model '" + name + "'");
        v.check(labels.isEmpty() || labels.size() == classes, "labels", "the output " + outputShape(1)
                + " has " + classes + " classes, got " + labels.size() + " labels");
        v.throwIfAny("setLabels");
        this.labels = List.copyOf(labels);
    }

    /** Total learnable parameters. */
    public long parameterCount() {
        return weights.keySet().stream().flatMap(n -> n.params().stream()).mapToLong(p -> p.shape().elementCount())
                .sum();
    }

    /** The summary's rows, depth-first: a concat's branch layers come before the concat's own row. */
    public List<LayerInfo> layers() {
        List<LayerInfo> rows = new ArrayList<>();
        int values = inputs.size() + steps.size();
        int[] rf = new int[values];
        int[] jump = new int[values];
        java.util.Arrays.fill(rf, 0, inputs.size(), 1);
        java.util.Arrays.fill(jump, 0, inputs.size(), 1);
        for (Step st : steps) {
            int r = 1;
            int j = 1;
            for (int i : st.inputs()) {
                r = rf[i] == 0 || r == 0 ? 0 : Math.max(r, rf[i]);
                j = Math.max(j, jump[i]);
            }
            List<String> from = new ArrayList<>();
            for (int i : st.inputs()) {
                from.add(valueName(i));
            }
            int[] after = walk(List.of(st.node()), 0, r, j, rows, from);
            rf[st.output()] = after[0];
            jump[st.output()] = after[1];
        }
        return rows;
    }

    /**
     * A Keras-style table: layer (type), output shape (model layout, batch {@code None}), parameters, and the
     * receptive field along height, then the totals.
     */
    public String summary() {
        List<LayerInfo> rows = layers();
        int nameW = Math.max(28, rows.stream().mapToInt(r -> 2 * r.depth() + r.name().length() + r.type().length()
                + 6).max().orElse(0));
        int shapeW = Math.max(26, rows.stream().mapToInt(r -> r.outputShape().length() + 2).max().orElse(0));
        int total = nameW + shapeW + 12 + 17 + Math.max(14, rows.stream().mapToInt(r -> String.join(", ",
                r.connectedTo()).length()).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n");
        sb.append("_".repeat(total)).append('\n');
        sb.append(pad(" Layer (type)", nameW)).append(pad("Output Shape", shapeW)).append(pad("Param #", 12))
                .append(pad("Receptive field", 17)).append("Connected to\n");
        sb.append("=".repeat(total)).append('\n');
        for (LayerInfo r : rows) {
            String label = " " + "  ".repeat(r.depth()) + r.name() + " (" + r.type() + ")";
            sb.append(pad(label, nameW)).append(pad(r.outputShape(), shapeW)).append(pad(String.format(Locale.ROOT, "%,d",
                    r.params()), 12)).append(pad(r.receptiveField() == 0 ? "all" : r.receptiveField() + "×"
                    + r.receptiveField(), 17)).append(String.join(", ", r.connectedTo())).append('\n');
        }
        long params = parameterCount();
        sb.append("=".repeat(total)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", params));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", params));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", 0));
        sb.append("_".repeat(total)).append('\n');
        return sb.toString();
    }

    /**
     * Prepares the model for {@code engine}, keeping the plans of up to {@link Inference#DEFAULT_CACHED_BATCH_SIZES}
     * batch sizes. Later weight changes are picked up by the returned {@link Inference}.
     */
    public Inference compile(Engine engine) {
        return compile(engine, Inference.DEFAULT_CACHED_BATCH_SIZES);
    }

    /**
     * Like {@link #compile(Engine)}, keeping the plans (packed weights, backend resources) of the
     * {@code cachedBatchSizes} most recently used batch sizes; a server that sees many batch sizes trades
     * re-planning time against memory here.
     */
    public Inference compile(Engine engine, int cachedBatchSizes) {
        Objects.requireNonNull(engine, "engine");
        if (cachedBatchSizes < 1) {
            throw new IllegalArgumentException("cachedBatchSizes must be at least 1, got " + cachedBatchSizes);
        }
        checkOpen();
        return new Inference(this, engine, cachedBatchSizes);
    }

    /** Frees the weights; idempotent. Inferences compiled from the model refuse to run afterwards. */
    @Override
    public void close() {
        weightScope.close();
    }

    long weightsVersion() {
        return weightsVersion.get();
    }

    /** Throws {@link IllegalStateException} naming the model once it is closed. */
    void checkOpen() {
        if (!weightScope.isOpen()) {
            throw new IllegalStateException("model '" + name + "' was closed: its weights are freed (use it inside"
                    + " its try-with-resources block, or build or load it again)");
        }
    }

    /** The top-level nodes in execution order. */
    List<Node> nodes() {
        return steps.stream().map(Step::node).toList();
    }

    List<Step> steps() {
        return steps;
    }

    int[] outputValues() {
        return outputs.clone();
    }

    private String valueName(int value) {
        return value < inputs.size() ? inputNames.get(value) : steps.get(value - inputs.size()).node().name;
    }

    private Shape valueShape(int value) {
        return value < inputs.size() ? inputs.get(value).shape(1) : steps.get(value - inputs.size()).node().output;
    }

    List<Tensor> weightsOf(Node n) {
        List<Tensor> ts = weights.get(n);
        if (ts == null) {
            throw new IllegalArgumentException("node " + n.name + " is not part of model " + name);
        }
        return ts;
    }

    private Node node(String layer) {
        Objects.requireNonNull(layer, "layer");
        return allNodes().stream().filter(n -> n.name.equals(layer)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("model '" + name + "' has no layer '" + layer + "'; layers: "
                        + allNodes().stream().filter(n -> !n.params().isEmpty()).map(n -> n.name).toList()));
    }

    /** Every node, branch nodes included, in execution order. */
    private List<Node> allNodes() {
        List<Node> out = new ArrayList<>();
        collect(nodes(), out);
        return out;
    }

    private static void collect(List<Node> ns, List<Node> out) {
        for (Node n : ns) {
            for (List<Node> b : n.branches()) {
                collect(b, out);
            }
            out.add(n);
        }
    }

    /** Appends rows for {@code ns}; returns {receptive field, jump} after them (0 field = whole input). */
    private int[] walk(List<Node> ns, int depth, int rf, int jump, List<LayerInfo> rows, List<String> from) {
        for (Node n : ns) {
            if (!n.branches().isEmpty()) {
                int maxRf = rf;
                int outJump = jump;
                for (List<Node> b : n.branches()) {
                    int[] r = walk(b, depth + 1, rf, jump, rows, List.of());
                    maxRf = r[0] == 0 || maxRf == 0 ? 0 : Math.max(maxRf, r[0]);
                    outJump = r[1];
                }
                rf = maxRf;
                jump = outJump;
            } else if (n.isGlobal() || rf == 0) {
                rf = 0;
            } else {
                int[] w = n.window();
                rf += (w[0] - 1) * jump;
                jump *= w[1];
            }
            long p = n.params().stream().mapToLong(x -> x.shape().elementCount()).sum();
            rows.add(new LayerInfo(n.name, n.layer.type(), depth, layout.format(n.output, "None"), p, rf,
                    depth == 0 ? from : List.of()));
        }
        return new int[] {rf, jump};
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }
}
