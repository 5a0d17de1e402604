/**
 * The ONNX file format as plain Java records, with no dependency on Fovea's graph classes.
 *
 * <ul>
 *   <li>{@link dev.fovea.onnx.format.OnnxReader} parses a {@code .onnx} file (protobuf) into an
 *       {@link dev.fovea.onnx.format.OnnxModel}, reading external data beside it with the checks an untrusted
 *       file needs;</li>
 *   <li>{@link dev.fovea.onnx.format.OnnxWriter} writes a model back, atomically, optionally with large
 *       initializers as external data;</li>
 *   <li>{@link dev.fovea.onnx.format.ShapeFolding} evaluates the shape-computing subgraphs exporters emit
 *       ({@code x.view(x.size(0), -1)}) into constants, so that only "real" ops remain.</li>
 * </ul>
 *
 * <p>Only the subset of ONNX a CNN needs is modelled: one graph (no subgraphs), dense tensors of float and
 * integer types, tensor-typed graph inputs and outputs. Unknown protobuf fields are skipped on reading and not
 * written back.
 */
package dev.fovea.onnx.format;
