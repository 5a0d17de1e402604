package dev.fovea.onnx.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A computation graph ({@code GraphProto}): nodes in topological order, the constant tensors they read
 * (initializers), and the graph's inputs and outputs.
 *
 * @param name         the graph's name
 * @param nodes        the nodes, each reading only graph inputs, initializers and earlier nodes' outputs
 * @param initializers the initializers by name, in file order; each tensor's own name is its key
 * @param inputs       the graph's inputs (files of IR version 3 and older list the initializers here too)
 * @param outputs      the graph's outputs
 */
public record OnnxGraph(String name, List<OnnxNode> nodes, Map<String, OnnxTensor> initializers,
                        List<ValueInfo> inputs, List<ValueInfo> outputs) {
    public OnnxGraph {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        for (Map.Entry<String, OnnxTensor> e : initializers.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("initializer key '" + e.getKey() + "' differs from its tensor's name '"
                        + e.getValue().name() + "'");
            }
        }
    }

    /** The graph's initializers given as a list (each keyed by its name). */
    public static Map<String, OnnxTensor> byName(List<OnnxTensor> tensors) {
        Map<String, OnnxTensor> map = new LinkedHashMap<>();
        for (OnnxTensor t : tensors) {
            if (map.put(t.name(), t) != null) {
                throw new IllegalArgumentException("two initializers named '" + t.name() + "'");
            }
        }
        return map;
    }

    /**
     * The inputs a caller feeds: those that are not also initializers (files of IR version 3 and older list
     * every initializer as an input too).
     */
    public List<ValueInfo> realInputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }
}
