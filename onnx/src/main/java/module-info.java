/**
 * The ONNX file format, independent of Fovea's graph classes: reading and writing {@code .onnx} files (with
 * external data) as plain records, and folding the shape-computing subgraphs that exporters emit
 * ({@code dev.fovea.onnx.format}).
 */
module dev.fovea.onnx {
    requires dev.fovea.api;
    // protobuf-java has no module-info; its jar names itself com.google.protobuf (Automatic-Module-Name).
    requires com.google.protobuf;

    exports dev.fovea.onnx;
    exports dev.fovea.onnx.format;
}
