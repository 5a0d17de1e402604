package dev.fovea.onnx.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operator application ({@code NodeProto}).
 *
 * @param name       the node's name (may be empty)
 * @param opType     the operator, e.g. {@code Conv}
 * @param domain     the operator set's domain; empty for the default {@code ai.onnx}
 * @param inputs     the input value names; an empty name is an omitted optional input
 * @param outputs    the output value names; an empty name is an omitted optional output
 * @param attributes the attributes by name, in file order
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, OnnxAttribute> attributes) {
    public OnnxNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(domain, "domain");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A node of the default domain. */
    public static OnnxNode of(String name, String opType, List<String> inputs, List<String> outputs,
                              Map<String, OnnxAttribute> attributes) {
        return new OnnxNode(name, opType, "", inputs, outputs, attributes);
    }

    /** Whether the op belongs to the default operator set ({@code ""} or {@code "ai.onnx"}). */
    public boolean isDefaultDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** Input {@code i}'s name, or {@code ""} when the node has fewer inputs (an omitted optional input). */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** Whether input {@code i} is given (present and not empty). */
    public boolean hasInput(int i) {
        return !input(i).isEmpty();
    }

    /** "node 'name' (OpType)" for messages; a nameless node is named by its first output. */
    public String describe() {
        String id = !name.isEmpty() ? name : outputs.isEmpty() ? "?" : "producing " + outputs.getFirst();
        return "node '" + id + "' (" + opType + ")";
    }

    /** The INT attribute {@code attr}, or {@code fallback} when absent. */
    public long intAttr(String attr, long fallback) {
        return switch (attributes.get(attr)) {
            case null -> fallback;
            case OnnxAttribute.IntValue v -> v.value();
            case OnnxAttribute other -> throw wrongType(attr, "INT", other);
        };
    }

    /** The FLOAT attribute {@code attr}, or {@code fallback} when absent. */
    public float floatAttr(String attr, float fallback) {
        return switch (attributes.get(attr)) {
            case null -> fallback;
            case OnnxAttribute.FloatValue v -> v.value();
            case OnnxAttribute other -> throw wrongType(attr, "FLOAT", other);
        };
    }

    /** The STRING attribute {@code attr}, or {@code fallback} when absent. */
    public String stringAttr(String attr, String fallback) {
        return switch (attributes.get(attr)) {
            case null -> fallback;
            case OnnxAttribute.StringValue v -> v.value();
            case OnnxAttribute other -> throw wrongType(attr, "STRING", other);
        };
    }

    /** The INTS attribute {@code attr}, or null when absent. */
    public long[] intsAttr(String attr) {
        return switch (attributes.get(attr)) {
            case null -> null;
            case OnnxAttribute.IntsValue v -> v.values();
            case OnnxAttribute other -> throw wrongType(attr, "INTS", other);
        };
    }

    /** The TENSOR attribute {@code attr}, or null when absent. */
    public OnnxTensor tensorAttr(String attr) {
        return switch (attributes.get(attr)) {
            case null -> null;
            case OnnxAttribute.TensorValue v -> v.value();
            case OnnxAttribute other -> throw wrongType(attr, "TENSOR", other);
        };
    }

    private IllegalArgumentException wrongType(String attr, String expected, OnnxAttribute actual) {
        return new IllegalArgumentException(describe() + ": attribute '" + attr + "' is " + actual.typeName()
                + ", expected " + expected);
    }
}
