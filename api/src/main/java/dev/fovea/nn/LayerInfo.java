package dev.fovea.nn;

import java.util.List;

/**
 * One row of a model summary.
 *
 * @param depth          0 for top-level layers, 1 inside a concat's branch, ...
 * @param outputShape    in the model's layout with the batch as {@code None}, e.g. {@code (None, 26, 26, 32)}
 * @param receptiveField input pixels (per axis, along height) one output value sees; 0 when it sees the whole input
 * @param connectedTo    the layers (or model inputs) whose outputs this layer reads; empty inside a branch
 */
public record LayerInfo(String name, String type, int depth, String outputShape, long params, int receptiveField,
                        List<String> connectedTo) {
    public LayerInfo {
        connectedTo = List.copyOf(connectedTo);
    }
}
