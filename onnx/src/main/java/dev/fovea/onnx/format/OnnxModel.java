package dev.fovea.onnx.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model file ({@code ModelProto}): the IR version, the operator sets it uses, who produced it, and its graph.
 *
 * @param irVersion    the ONNX IR version ({@code ir_version}), e.g. 8 for files written by ONNX 1.12
 * @param opsetImports the operator set version by domain ({@code ""} is the default {@code ai.onnx}), in file order
 * @param producerName the tool that wrote the file (e.g. {@code pytorch}); may be empty
 * @param graph        the graph
 */
public record OnnxModel(long irVersion, Map<String, Long> opsetImports, String producerName, OnnxGraph graph) {
    /** The IR version the writer puts into models it builds itself (that of ONNX 1.12, opsets up to 17). */
    public static final long DEFAULT_IR_VERSION = 8;

    public OnnxModel {
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(graph, "graph");
        opsetImports = Collections.unmodifiableMap(new LinkedHashMap<>(opsetImports));
    }

    /**
     * The version of the default operator set ({@code ""} or its alias {@code "ai.onnx"}), or 0 when the model
     * imports none.
     */
    public long opsetVersion() {
        Long v = opsetImports.get("");
        if (v == null) {
            v = opsetImports.get("ai.onnx");
        }
        return v == null ? 0 : v;
    }
}
