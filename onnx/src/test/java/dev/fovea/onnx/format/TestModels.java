package dev.fovea.onnx.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small hand-built models and graphs for the tests. */
final class TestModels {
    private TestModels() {
    }

    static Map<String, OnnxAttribute> attrs(Object... nameValue) {
        Map<String, OnnxAttribute> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], switch (nameValue[i + 1]) {
                case OnnxAttribute a -> a;
                case Long l -> new OnnxAttribute.IntValue(l);
                case Integer n -> new OnnxAttribute.IntValue(n);
                case Float f -> new OnnxAttribute.FloatValue(f);
                case String s -> new OnnxAttribute.StringValue(s);
                case long[] v -> new OnnxAttribute.IntsValue(v);
                case float[] v -> new OnnxAttribute.FloatsValue(v);
                case OnnxTensor t -> new OnnxAttribute.TensorValue(t);
                default -> throw new IllegalArgumentException(nameValue[i + 1].toString());
            });
        }
        return m;
    }

    static OnnxNode node(String op, List<String> in, List<String> out, Object... attributes) {
        return OnnxNode.of(op + "_" + out.getFirst(), op, in, out, attrs(attributes));
    }

    static long[] dims(long... d) {
        return d;
    }

    static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.25f - 1;
        }
        return v;
    }

    /** A model of {@code graph} at opset 13. */
    static OnnxModel model(OnnxGraph graph) {
        return new OnnxModel(OnnxModel.DEFAULT_IR_VERSION, Map.of("", 13L), "fovea-test", graph);
    }

    /** A little CNN: Conv(8x3x3x3) + Relu + Flatten + Gemm, with a symbolic batch. */
    static OnnxModel smallCnn() {
        List<OnnxTensor> init = new ArrayList<>();
        init.add(OnnxTensor.ofFloats("w", dims(8, 3, 3, 3), ramp(8 * 27)));
        init.add(OnnxTensor.ofFloats("b", dims(8), ramp(8)));
        init.add(OnnxTensor.ofFloats("fc.w", dims(10, 8 * 4 * 4), ramp(10 * 128)));
        init.add(OnnxTensor.ofFloats("fc.b", dims(10), ramp(10)));
        List<OnnxNode> nodes = List.of(
                node("Conv", List.of("x", "w", "b"), List.of("c"), "kernel_shape", dims(3, 3), "pads", dims(1, 1, 1, 1),
                        "strides", dims(2, 2)),
                node("Relu", List.of("c"), List.of("r")),
                node("Flatten", List.of("r"), List.of("f"), "axis", 1),
                node("Gemm", List.of("f", "fc.w", "fc.b"), List.of("y"), "transB", 1, "alpha", 1f));
        ValueInfo x = new ValueInfo("x", OnnxDataType.FLOAT,
                List.of(OnnxDim.of("N"), OnnxDim.of(3), OnnxDim.of(8), OnnxDim.of(8)));
        ValueInfo y = new ValueInfo("y", OnnxDataType.FLOAT, List.of(OnnxDim.of("N"), OnnxDim.of(10)));
        return model(new OnnxGraph("small", nodes, OnnxGraph.byName(init), List.of(x), List.of(y)));
    }
}
