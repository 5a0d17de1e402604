package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.onnx.format.OnnxAttribute;
import dev.fovea.onnx.format.OnnxDataType;
import dev.fovea.onnx.format.OnnxDim;
import dev.fovea.onnx.format.OnnxGraph;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxNode;
import dev.fovea.onnx.format.OnnxTensor;
import dev.fovea.onnx.format.OnnxWriter;
import dev.fovea.onnx.format.ValueInfo;
import dev.fovea.tensor.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models Fovea cannot run exactly fail with one message naming the node, its operator and the opset. */
class ImportErrorsTest {
    @TempDir
    Path dir;

    /** input [N, 3, 8, 8] → Conv → Relu → {@code last} (taking "r"), output "y". */
    private static OnnxModel model(long opset, OnnxNode last, OnnxTensor... extra) {
        List<OnnxNode> nodes = new ArrayList<>();
        nodes.add(OnnxNode.of("conv", "Conv", List.of("x", "w"), List.of("c"),
                Map.of("kernel_shape", new OnnxAttribute.IntsValue(new long[] {3, 3}))));
        nodes.add(OnnxNode.of("relu", "Relu", List.of("c"), List.of("r"), Map.of()));
        nodes.add(last);
        Map<String, OnnxTensor> init = new LinkedHashMap<>();
        init.put("w", OnnxTensor.ofFloats("w", new long[] {4, 3, 3, 3}, new float[108]));
        for (OnnxTensor t : extra) {
            init.put(t.name(), t);
        }
        ValueInfo x = new ValueInfo("x", OnnxDataType.FLOAT, List.of(OnnxDim.of("N"), OnnxDim.of(3), OnnxDim.of(8),
                OnnxDim.of(8)));
        ValueInfo y = new ValueInfo("y", OnnxDataType.FLOAT, null);
        return new OnnxModel(8, Map.of("", opset), "test", new OnnxGraph("g", nodes, init, List.of(x), List.of(y)));
    }

    @Test
    void lstmIsNamedWithItsNodeOpsetAndTheSupportedOperators() throws Exception {
        OnnxNode lstm = OnnxNode.of("my_lstm", "LSTM", List.of("r", "w"), List.of("y"),
                Map.of("hidden_size", new OnnxAttribute.IntValue(5)));
        Path file = dir.resolve("lstm.onnx");
        OnnxWriter.write(model(17, lstm), file);
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> Onnx.load(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()) && m.contains("node 'my_lstm'") && m.contains("(LSTM, opset 17)")
                && m.contains("operator LSTM is not supported") && m.contains("supported operators: ")
                && m.contains("Conv"), m);
    }

    @Test
    void opsetOutsideElevenToTwentyOneIsRefused() {
        OnnxNode id = OnnxNode.of("id", "Identity", List.of("r"), List.of("y"), Map.of());
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> Onnx.fromOnnx(model(9, id), "old.onnx", Layout.NCHW));
        assertTrue(e.getMessage().contains("opset 9 is not supported") && e.getMessage().contains("11 to 21"),
                e.getMessage());
    }

    @Test
    void unsupportedAttributesAreNamed() {
        OnnxNode pad = OnnxNode.of("pad", "Pad", List.of("r", "pads"), List.of("y"),
                Map.of("mode", new OnnxAttribute.StringValue("reflect")));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> Onnx.fromOnnx(model(13, pad,
                OnnxTensor.ofLongs("pads", new long[] {8}, 0, 0, 1, 1, 0, 0, 1, 1)), "pad.onnx", Layout.NCHW));
        assertTrue(e.getMessage().contains("node 'pad' (Pad, opset 13)") && e.getMessage().contains("'reflect'"),
                e.getMessage());
        OnnxNode slice = OnnxNode.of("s", "Slice", List.of("r", "st", "en", "ax", "sp"), List.of("y"), Map.of());
        e = assertThrows(OnnxImportException.class, () -> Onnx.fromOnnx(model(13, slice,
                OnnxTensor.ofLongs("st", new long[] {1}, 0), OnnxTensor.ofLongs("en", new long[] {1}, 4),
                OnnxTensor.ofLongs("ax", new long[] {1}, 1), OnnxTensor.ofLongs("sp", new long[] {1}, 2)),
                "slice.onnx", Layout.NCHW));
        assertTrue(e.getMessage().contains("step 2"), e.getMessage());
    }

    @Test
    void aSupportedSmallModelLoads() throws Exception {
        OnnxNode add = OnnxNode.of("add", "Add", List.of("r", "c"), List.of("y"), Map.of());
        try (var m = Onnx.fromOnnx(model(13, add), "small.onnx", Layout.NCHW)) {
            assertEquals(List.of("conv", "relu", "add"), m.graph().stream().map(g -> g.name()).toList());
        }
    }
}
