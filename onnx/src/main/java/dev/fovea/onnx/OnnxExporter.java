package dev.fovea.onnx;

import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Clip;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GraphLayer;
import dev.fovea.nn.Input;
import dev.fovea.nn.LocalResponseNormalization;
import dev.fovea.nn.Model;
import dev.fovea.nn.Multiply;
import dev.fovea.nn.Pad;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Slice;
import dev.fovea.nn.Softmax;
import dev.fovea.nn.Transpose;
import dev.fovea.onnx.format.OnnxAttribute;
import dev.fovea.onnx.format.OnnxDataType;
import dev.fovea.onnx.format.OnnxDim;
import dev.fovea.onnx.format.OnnxGraph;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxNode;
import dev.fovea.onnx.format.OnnxTensor;
import dev.fovea.onnx.format.ValueInfo;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Fovea model as an ONNX graph (opset 17, NCHW tensors, a symbolic batch {@code N}): each layer becomes
 * the ONNX operators that compute the same values, its weights initializers named {@code <layer>.<param>}.
 */
final class OnnxExporter {
    static final long OPSET = 17;

    private final Model model;
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
    private final Map<String, Tensor> weights;
    /** The ONNX name holding each Fovea tensor (a layer's output is named after the layer). */
    private final Map<String, String> names = new HashMap<>();

    private OnnxExporter(Model model) {
        this.model = model;
        this.weights = model.namedWeights();
    }

    static OnnxModel export(Model model) {
        return new OnnxExporter(model).run();
    }

    private OnnxModel run() {
        List<ValueInfo> inputs = new ArrayList<>();
        for (int i = 0; i < model.inputs().size(); i++) {
            Input in = model.inputs().get(i);
            String name = model.inputNames().get(i);
            names.put(name, name);
            inputs.add(new ValueInfo(name, OnnxDataType.FLOAT, List.of(OnnxDim.of("N"), OnnxDim.of(in.channels()),
                    OnnxDim.of(in.height()), OnnxDim.of(in.width()))));
        }
        for (GraphLayer layer : model.graph()) {
            export(layer);
        }
        List<ValueInfo> outputs = new ArrayList<>();
        List<String> outNames = model.outputNames();
        for (int i = 0; i < outNames.size(); i++) {
            Shape s = model.outputShape(i, 1);
            List<OnnxDim> dims = new ArrayList<>();
            dims.add(OnnxDim.of("N"));
            for (int a = 1; a < s.rank(); a++) {
                dims.add(OnnxDim.of(s.dim(a)));
            }
            outputs.add(new ValueInfo(names.get(outNames.get(i)), OnnxDataType.FLOAT, dims));
        }
        OnnxGraph graph = new OnnxGraph(model.name(), nodes, initializers, inputs, outputs);
        return new OnnxModel(OnnxModel.DEFAULT_IR_VERSION, Map.of("", OPSET), "Fovea", graph);
    }

    private void export(GraphLayer g) {
        String out = g.name();
        List<String> in = g.inputs().stream().map(names::get).toList();
        String x = in.getFirst();
        Shape inShape = g.inputShapes().getFirst();
        switch (g.layer()) {
            case Conv2D c -> {
                ConvolutionParams p = c.params(inShape.c());
                ConvolutionDescriptor d = ConvolutionDescriptor.create(g.name(), inShape, Layout.NCHW, p);
                List<String> args = new ArrayList<>(List.of(x, weight(g.name(), "kernel")));
                if (p.bias()) {
                    args.add(weight(g.name(), "bias"));
                }
                Map<String, OnnxAttribute> a = new LinkedHashMap<>();
                a.put("kernel_shape", ints(p.kernelH(), p.kernelW()));
                a.put("strides", ints(p.strideH(), p.strideW()));
                a.put("dilations", ints(p.dilationH(), p.dilationW()));
                a.put("group", new OnnxAttribute.IntValue(p.groups()));
                a.put("pads", pads(d.pads()));
                activation(node("Conv", g.name(), args, a), p.activation(), out);
            }
            case Dense dense -> {
                List<String> args = new ArrayList<>(List.of(x, weight(g.name(), "kernel")));
                if (dense.useBias()) {
                    args.add(weight(g.name(), "bias"));
                }
                String y = node("Gemm", g.name(), args, Map.of());
                if (dense.isSoftmax()) {
                    y = node("Softmax", g.name() + "_softmax", List.of(y), Map.of("axis", new OnnxAttribute.IntValue(1)));
                    rename(y, out);
                } else {
                    activation(y, dense.activation(), out);
                }
            }
            case Pooling2D pool -> {
                PoolingParams p = pool.params();
                String op;
                Map<String, OnnxAttribute> a = new LinkedHashMap<>();
                if (p.global()) {
                    op = p.mode() == PoolingMode.MAX ? "GlobalMaxPool" : "GlobalAveragePool";
                } else {
                    PoolingDescriptor d = PoolingDescriptor.create(g.name(), inShape, Layout.NCHW, p);
                    op = p.mode() == PoolingMode.MAX ? "MaxPool" : "AveragePool";
                    a.put("kernel_shape", ints(p.kernelH(), p.kernelW()));
                    a.put("strides", ints(p.strideH(), p.strideW()));
                    a.put("pads", pads(d.pads()));
                    a.put("ceil_mode", new OnnxAttribute.IntValue(p.ceilMode() ? 1 : 0));
                    if (d.dilated()) {
                        a.put("dilations", ints(p.dilationH(), p.dilationW()));
                    }
                    if (p.mode() == PoolingMode.AVERAGE) {
                        a.put("count_include_pad", new OnnxAttribute.IntValue(p.countIncludePad() ? 1 : 0));
                    }
                }
                rename(node(op, g.name(), List.of(x), a), out);
            }
            case Flatten f -> {
                // Keras' Flatten follows the storage order: (h, w, c) for channels-last models.
                String src = x;
                if (model.layout() == Layout.NHWC && inShape.rank() == 4) {
                    src = node("Transpose", g.name() + "_to_nhwc", List.of(x),
                            Map.of("perm", ints(0, 2, 3, 1)));
                }
                rename(node("Flatten", g.name(), List.of(src), Map.of("axis", new OnnxAttribute.IntValue(1))), out);
            }
            case Reshape r -> {
                int[] dims = r.dims();
                long[] shape = new long[dims.length + 1];
                for (int i = 0; i < dims.length; i++) {
                    shape[i + 1] = g.output().dim(i + 1);
                }
                String s = constant(g.name() + ".shape", shape);
                rename(node("Reshape", g.name(), List.of(x, s), Map.of()), out);
            }
            case ActivationLayer a -> activation(x, a.activation(), out);
            case Softmax s -> rename(node("Softmax", g.name(), List.of(x), Map.of("axis", new OnnxAttribute.IntValue(1))),
                    out);
            case Dropout d -> names.put(out, x);
            case Add a -> activation(node("Add", g.name(), in, Map.of()), a.activation(), out);
            case Multiply m -> activation(node("Mul", g.name(), in, Map.of()), m.activation(), out);
            case Concatenate c -> rename(node("Concat", g.name(), in, Map.of("axis", new OnnxAttribute.IntValue(c.axis()))),
                    out);
            case BatchNormalization b -> rename(node("BatchNormalization", g.name(), List.of(x,
                    weight(g.name(), "gamma"), weight(g.name(), "beta"), weight(g.name(), "moving_mean"),
                    weight(g.name(), "moving_variance")), Map.of("epsilon", new OnnxAttribute.FloatValue(b.epsilon()))),
                    out);
            case Clip c when c.min() == 0 && c.max() == 1 && (c.alpha() != 1 || c.beta() != 0) -> rename(
                    node("HardSigmoid", g.name(), List.of(x), Map.of("alpha", new OnnxAttribute.FloatValue(c.alpha()),
                            "beta", new OnnxAttribute.FloatValue(c.beta()))), out);
            case Clip c -> {
                String src = x;
                if (c.alpha() != 1 || c.beta() != 0) {
                    String al = constantFloat(g.name() + ".alpha", c.alpha());
                    String be = constantFloat(g.name() + ".beta", c.beta());
                    src = node("Add", g.name() + "_shift", List.of(node("Mul", g.name() + "_scale", List.of(x, al),
                            Map.of()), be), Map.of());
                }
                rename(node("Clip", g.name(), List.of(src, constantFloat(g.name() + ".min", c.min()),
                        constantFloat(g.name() + ".max", c.max())), Map.of()), out);
            }
            case LocalResponseNormalization l -> rename(node("LRN", g.name(), List.of(x), Map.of(
                    "size", new OnnxAttribute.IntValue(l.size()), "alpha", new OnnxAttribute.FloatValue(l.alpha()),
                    "beta", new OnnxAttribute.FloatValue(l.beta()), "bias", new OnnxAttribute.FloatValue(l.bias()))),
                    out);
            case Pad p -> {
                int[] b = p.before();
                int[] a = p.after();
                long[] pads = new long[2 * (b.length + 1)];
                for (int i = 0; i < b.length; i++) {
                    pads[i + 1] = b[i];
                    pads[b.length + 2 + i] = a[i];
                }
                rename(node("Pad", g.name(), List.of(x, constant(g.name() + ".pads", pads),
                        constantFloat(g.name() + ".value", p.value())), Map.of()), out);
            }
            case Transpose t -> rename(node("Transpose", g.name(), List.of(x), Map.of("perm", ints(t.perm()))), out);
            case Slice s -> rename(node("Slice", g.name(), List.of(x, constant(g.name() + ".starts", s.start()),
                    constant(g.name() + ".ends", s.end()), constant(g.name() + ".axes", s.axis())), Map.of()), out);
            default -> throw new UnsupportedOperationException("layer '" + g.name() + "' (" + g.layer().type()
                    + ") has no ONNX export");
        }
    }

    /** Adds {@code act} after {@code x} (nothing for NONE), the result named {@code out}. */
    private void activation(String x, Activation act, String out) {
        String y = switch (act) {
            case NONE -> x;
            case RELU -> node("Relu", out + "_relu", List.of(x), Map.of());
            case SIGMOID -> node("Sigmoid", out + "_sigmoid", List.of(x), Map.of());
            case TANH -> node("Tanh", out + "_tanh", List.of(x), Map.of());
            case RELU6 -> node("Clip", out + "_relu6", List.of(x, constantFloat(out + ".zero", 0f),
                    constantFloat(out + ".six", 6f)), Map.of());
            case HARD_SIGMOID -> node("HardSigmoid", out + "_hard_sigmoid", List.of(x), Map.of(
                    "alpha", new OnnxAttribute.FloatValue(1f / 6), "beta", new OnnxAttribute.FloatValue(0.5f)));
            case HARD_SWISH -> node("HardSwish", out + "_hard_swish", List.of(x), Map.of());
            case SILU -> node("Mul", out + "_silu", List.of(x, node("Sigmoid", out + "_silu_gate", List.of(x),
                    Map.of())), Map.of());
        };
        rename(y, out);
    }

    /** Adds a node whose one output is named after the node; returns that output's name. */
    private String node(String op, String name, List<String> inputs, Map<String, OnnxAttribute> attrs) {
        String output = unique(name);
        nodes.add(OnnxNode.of(output, op, inputs, List.of(output), attrs));
        return output;
    }

    private void rename(String onnxName, String foveaName) {
        names.put(foveaName, onnxName);
    }

    private String unique(String name) {
        String n = name;
        for (int k = 1; names.containsValue(n) || initializers.containsKey(n) || isNodeOutput(n); k++) {
            n = name + "_" + k;
        }
        return n;
    }

    private boolean isNodeOutput(String n) {
        return nodes.stream().anyMatch(x -> x.outputs().contains(n));
    }

    private String weight(String layer, String param) {
        String name = layer + "." + param;
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalStateException("model '" + model.name() + "' has no weight " + name);
        }
        long[] dims = java.util.Arrays.stream(t.shape().dims()).asLongStream().toArray();
        // Every weight keeps Fovea's logical order: a dense kernel [F, U] is Gemm's B without transB.
        initializers.put(name, OnnxTensor.ofFloats(name, dims, t.toArray()));
        return name;
    }

    private String constant(String name, long... values) {
        initializers.put(name, OnnxTensor.ofLongs(name, new long[] {values.length}, values));
        return name;
    }

    private String constantFloat(String name, float value) {
        initializers.put(name, OnnxTensor.ofFloats(name, new long[0], value));
        return name;
    }

    private static OnnxAttribute ints(int... values) {
        return new OnnxAttribute.IntsValue(java.util.Arrays.stream(values).asLongStream().toArray());
    }

    private static OnnxAttribute pads(Pads p) {
        return ints(p.top(), p.left(), p.bottom(), p.right());
    }
}
