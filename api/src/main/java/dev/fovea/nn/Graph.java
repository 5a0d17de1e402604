package dev.fovea.nn;

import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link Model} as a graph of layers applied to named tensors (Keras' functional API): several inputs
 * and outputs, branches, residual connections and merges. Each {@link Layer#apply} infers and checks its shapes
 * at once, so a mistake is reported at the line that makes it.
 *
 * <pre>{@code
 * Graph g = Graph.builder("tiny-resnet", Layout.NHWC);
 * Value x = g.input("image", Input.image(28, 28, 1));
 * Value stem = Conv2D.of(16, 3).padding(Padding.SAME).activation(Activation.RELU).apply(x);
 * Value branch = Conv2D.of(16, 3).padding(Padding.SAME).apply(stem);
 * Value sum = Add.create().activation(Activation.RELU).apply(stem, branch);
 * Value logits = Dense.of(10).apply(Flatten.create().apply(Pooling2D.globalAverage().apply(sum)));
 * Model model = g.outputs(logits).seed(42).build();
 * }</pre>
 */
public final class Graph {
    private final String name;
    private final Layout layout;
    private final Namer namer = new Namer();
    private final List<String> inputNames = new ArrayList<>();
    private final List<Input> inputs = new ArrayList<>();
    private final List<Model.Step> steps = new ArrayList<>();
    private final List<Value> values = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private long seed;
    private boolean built;

    private Graph(String name, Layout layout) {
        this.name = name;
        this.layout = layout;
    }

    /** A graph whose 4-D activations are stored in {@code layout} (NHWC for Keras-style models). */
    public static Graph builder(String name, Layout layout) {
        return new Graph(Objects.requireNonNull(name, "name"), Objects.requireNonNull(layout, "layout"));
    }

    /** Declares a model input; inputs are fed to the model in the order they are declared. */
    public Value input(String inputName, Input input) {
        Objects.requireNonNull(inputName, "inputName");
        Objects.requireNonNull(input, "input");
        checkOpen();
        if (!steps.isEmpty()) {
            throw new IllegalStateException("graph '" + name + "': declare every input before applying layers");
        }
        if (inputNames.contains(inputName)) {
            throw new IllegalArgumentException("graph '" + name + "': input '" + inputName + "' is declared twice");
        }
        inputNames.add(inputName);
        inputs.add(input);
        Value v = new Value(this, values.size(), inputName, input.shape(1));
        values.add(v);
        return v;
    }

    /** The model's outputs, in order (at least one). */
    public Graph outputs(Value... outs) {
        Objects.requireNonNull(outs, "outputs");
        checkOpen();
        for (Value v : outs) {
            own(v, "output");
            outputs.add(v);
        }
        return this;
    }

    /** Seed of the weight initialization (default 0): the same seed gives the same weights. */
    public Graph seed(long s) {
        this.seed = s;
        return this;
    }

    /** Allocates and initializes the weights; the graph cannot be changed afterwards. */
    public Model build() {
        checkOpen();
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw new ValidationException("model '" + name + "'", List.of(new ValidationException.Violation("graph",
                    "needs at least one input and one output, got " + inputs.size() + " and " + outputs.size())), "");
        }
        built = true;
        int[] outs = outputs.stream().mapToInt(Value::index).toArray();
        return new Model(name, inputNames, inputs, layout, steps, outs, seed);
    }

    Value apply(Layer layer, Value... args) {
        Objects.requireNonNull(layer, "layer");
        checkOpen();
        List<Shape> shapes = new ArrayList<>();
        int[] refs = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            own(args[i], "input " + i + " of " + layer.type());
            shapes.add(args[i].shape());
            refs[i] = args[i].index();
        }
        Node node = layer.build(namer.name(layer), shapes, layout, namer);
        steps.add(new Model.Step(node, refs, values.size()));
        Value v = new Value(this, values.size(), node.name, node.output);
        values.add(v);
        return v;
    }

    /** The names of the values, for messages. */
    Map<Integer, String> names() {
        Map<Integer, String> m = new LinkedHashMap<>();
        values.forEach(v -> m.put(v.index(), v.name()));
        return m;
    }

    private void own(Value v, String what) {
        Objects.requireNonNull(v, what);
        if (v.graph() != this) {
            throw new IllegalArgumentException("graph '" + name + "': " + what + " " + v + " belongs to another graph");
        }
    }

    private void checkOpen() {
        if (built) {
            throw new IllegalStateException("graph '" + name + "' was already built");
        }
    }
}
