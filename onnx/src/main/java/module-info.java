/**
 * ONNX for Fovea: {@code dev.fovea.onnx} loads ONNX models as graph models and saves graph models as ONNX;
 * {@code dev.fovea.onnx.format} is the file format alone (reading and writing {@code .onnx} files with external
 * data as plain records, and folding the shape-computing subgraphs exporters emit), independent of the graph
 * classes.
 */
module dev.fovea.onnx {
    requires dev.fovea.api;
    // protobuf-java has no module-info; its jar names itself com.google.protobuf (Automatic-Module-Name).
    requires com.google.protobuf;

    exports dev.fovea.onnx;
    exports dev.fovea.onnx.format;
}
