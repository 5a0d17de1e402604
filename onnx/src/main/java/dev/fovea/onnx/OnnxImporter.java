package dev.fovea.onnx;

import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Clip;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.LocalResponseNormalization;
import dev.fovea.nn.Model;
import dev.fovea.nn.Multiply;
import dev.fovea.nn.Pad;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Slice;
import dev.fovea.nn.Softmax;
import dev.fovea.nn.Transpose;
import dev.fovea.nn.Value;
import dev.fovea.onnx.format.OnnxDim;
import dev.fovea.onnx.format.OnnxGraph;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxNode;
import dev.fovea.onnx.format.OnnxTensor;
import dev.fovea.onnx.format.ValueInfo;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Translates an ONNX graph (its shape subgraphs already folded to constants) into a Fovea graph model, node by
 * node, through a table of operator translations. It translates and converts weights (a Gemm's transposed B, its
 * alpha and beta); it computes nothing else. Anything it cannot express exactly is an {@link OnnxImportException}
 * naming the node.
 */
final class OnnxImporter {
    /** The opsets whose default-domain operators are translated. */
    static final long MIN_OPSET = 11;
    static final long MAX_OPSET = 21;

    private interface Translation {
        void apply(OnnxImporter importer, OnnxNode node);
    }

    private static final Map<String, Translation> OPS = new LinkedHashMap<>();

    static {
        OPS.put("Conv", OnnxImporter::conv);
        OPS.put("BatchNormalization", OnnxImporter::batchNorm);
        OPS.put("Relu", (i, n) -> i.activation(n, Activation.RELU));
        OPS.put("Sigmoid", (i, n) -> i.activation(n, Activation.SIGMOID));
        OPS.put("Tanh", (i, n) -> i.activation(n, Activation.TANH));
        OPS.put("HardSwish", (i, n) -> i.activation(n, Activation.HARD_SWISH));
        OPS.put("HardSigmoid", OnnxImporter::hardSigmoid);
        OPS.put("Clip", OnnxImporter::clip);
        OPS.put("Add", (i, n) -> i.binary(n, Add.create()));
        OPS.put("Mul", (i, n) -> i.binary(n, Multiply.create()));
        OPS.put("Sub", (i, n) -> i.binary(n, null));
        OPS.put("Div", (i, n) -> i.binary(n, null));
        OPS.put("MaxPool", (i, n) -> i.pool(n, PoolingMode.MAX));
        OPS.put("AveragePool", (i, n) -> i.pool(n, PoolingMode.AVERAGE));
        OPS.put("GlobalAveragePool", (i, n) -> i.apply(n, Pooling2D.globalAverage(), i.value(n, 0)));
        OPS.put("GlobalMaxPool", (i, n) -> i.apply(n, Pooling2D.globalMax(), i.value(n, 0)));
        OPS.put("ReduceMean", OnnxImporter::reduceMean);
        OPS.put("Concat", OnnxImporter::concat);
        OPS.put("Flatten", OnnxImporter::flatten);
        OPS.put("Reshape", OnnxImporter::reshape);
        OPS.put("Transpose", OnnxImporter::transpose);
        OPS.put("Split", OnnxImporter::split);
        OPS.put("Slice", OnnxImporter::slice);
        OPS.put("Gemm", OnnxImporter::gemm);
        OPS.put("MatMul", OnnxImporter::matMul);
        OPS.put("LRN", OnnxImporter::lrn);
        OPS.put("Pad", OnnxImporter::pad);
        OPS.put("Softmax", OnnxImporter::softmax);
        OPS.put("Dropout", (i, n) -> i.alias(n, i.value(n, 0)));
        OPS.put("Identity", (i, n) -> i.alias(n, i.value(n, 0)));
    }

    private final OnnxModel onnx;
    private final String source;
    private final long opset;
    private final Layout layout;
    private final Graph graph;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, OnnxTensor> constants = new HashMap<>();
    /** The weights of each created layer, by layer name, in the layer's parameter order. */
    private final Map<String, List<float[]>> weights = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();

    private OnnxImporter(OnnxModel onnx, String source, Layout layout) {
        this.onnx = onnx;
        this.source = source;
        this.opset = onnx.opsetVersion();
        this.layout = layout;
        String name = onnx.graph().name().isBlank() ? "onnx-model" : onnx.graph().name();
        this.graph = Graph.builder(name, layout);
    }

    /** The supported operator types, sorted. */
    static Set<String> supportedOperators() {
        return new TreeSet<>(OPS.keySet());
    }

    /** Translates {@code onnx} (shape subgraphs folded) into a model with its weights. */
    static Model translate(OnnxModel onnx, String source, Layout layout) {
        OnnxImporter importer = new OnnxImporter(onnx, source, layout);
        return importer.run();
    }

    private Model run() {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxImportException(source + ": opset " + opset + " is not supported; Fovea imports opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + " (re-export with e.g. opset_version=17)");
        }
        OnnxGraph g = onnx.graph();
        constants.putAll(g.initializers());
        for (ValueInfo in : g.realInputs()) {
            values.put(in.name(), graph.input(in.name(), imageInput(in)));
        }
        for (OnnxNode node : g.nodes()) {
            translate(node);
        }
        List<Value> outs = new ArrayList<>();
        for (ValueInfo out : g.outputs()) {
            Value v = values.get(out.name());
            if (v == null) {
                throw new OnnxImportException(source + ": graph output '" + out.name() + "' is a constant or is not"
                        + " produced by any node");
            }
            outs.add(v);
        }
        Model model = graph.outputs(outs.toArray(Value[]::new)).build();
        try {
            weights.forEach(model::setWeights);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private void translate(OnnxNode node) {
        if (!node.isDefaultDomain()) {
            throw unsupported(node, "operators of domain '" + node.domain() + "' are not supported");
        }
        if (node.opType().equals("Constant")) {
            OnnxTensor t = node.tensorAttr("value");
            if (t == null) {
                throw unsupported(node, "only Constant nodes with a 'value' tensor are supported");
            }
            constants.put(node.outputs().getFirst(), t.withName(node.outputs().getFirst()));
            return;
        }
        Translation t = OPS.get(node.opType());
        if (t == null) {
            throw unsupported(node, "operator " + node.opType() + " is not supported; supported operators: "
                    + String.join(", ", supportedOperators()));
        }
        try {
            t.apply(this, node);
        } catch (ValidationException e) {
            throw new OnnxImportException(where(node) + ": " + e.getMessage(), e);
        }
    }

    // ---- translations ----

    private void conv(OnnxNode n) {
        Value x = value(n, 0);
        OnnxTensor w = constant(n, 1, "weights W");
        requireRank(n, w, 4, "weights W");
        long[] ks = n.intsAttr("kernel_shape");
        int kh = int32(n, "weights W dimension 2", w.dims()[2]);
        int kw = int32(n, "weights W dimension 3", w.dims()[3]);
        if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
            throw unsupported(n, "kernel_shape " + Arrays.toString(ks) + " differs from the weights' " + kh + "×" + kw);
        }
        int[] strides = ints(n, "strides", 2, 1);
        int[] dil = ints(n, "dilations", 2, 1);
        int groups = int32(n, "group", n.intAttr("group", 1));
        Padding padding = padding(n, 2);
        boolean bias = n.hasInput(2);
        ConvolutionParams p = new ConvolutionParams(int32(n, "weights W dimension 0", w.dims()[0]), kh, kw, strides[0], strides[1], dil[0], dil[1],
                groups, padding, bias, Activation.NONE);
        List<float[]> ws = new ArrayList<>();
        ws.add(w.floats());
        if (bias) {
            ws.add(constant(n, 2, "bias B").floats());
        }
        apply(n, Conv2D.of(p), ws, x);
    }

    private void batchNorm(OnnxNode n) {
        if (n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw unsupported(n, "training mode (running statistics as outputs) is not supported; export in eval mode");
        }
        float eps = n.floatAttr("epsilon", 1e-5f);
        List<float[]> ws = List.of(constant(n, 1, "scale").floats(), constant(n, 2, "B").floats(),
                constant(n, 3, "input_mean").floats(), constant(n, 4, "input_var").floats());
        apply(n, BatchNormalization.create().epsilon(eps), ws, value(n, 0));
    }

    private void activation(OnnxNode n, Activation a) {
        apply(n, ActivationLayer.of(a), value(n, 0));
    }

    private void hardSigmoid(OnnxNode n) {
        float alpha = n.floatAttr("alpha", 0.2f);
        float beta = n.floatAttr("beta", 0.5f);
        if (alpha == 1f / 6 && beta == 0.5f) {
            activation(n, Activation.HARD_SIGMOID); // PyTorch's Hardsigmoid: fuses into the layer before it
        } else {
            apply(n, Clip.affine(alpha, beta, 0, 1), value(n, 0));
        }
    }

    private void clip(OnnxNode n) {
        float lo = n.hasInput(1) ? scalar(n, 1, "min") : Float.NEGATIVE_INFINITY;
        float hi = n.hasInput(2) ? scalar(n, 2, "max") : Float.POSITIVE_INFINITY;
        if (lo == 0 && hi == 6) {
            activation(n, Activation.RELU6);
        } else if (lo == 0 && hi == Float.POSITIVE_INFINITY) {
            activation(n, Activation.RELU);
        } else {
            apply(n, Clip.of(lo, hi), value(n, 0));
        }
    }

    /** Two computed tensors through {@code layer}; a scalar constant operand makes an affine map instead. */
    private void binary(OnnxNode n, Layer layer) {
        if (scalarConstant(n, 0) || scalarConstant(n, 1)) {
            affine(n);
            return;
        }
        if (layer == null) {
            throw unsupported(n, n.opType() + " is supported with a scalar constant operand only");
        }
        Value a = value(n, 0);
        Value b = value(n, 1);
        if (a.shape().rank() != b.shape().rank()) {
            throw unsupported(n, "operands of different ranks " + a.shape() + " and " + b.shape()
                    + " are not supported");
        }
        apply(n, layer, a, b);
    }

    /** {@code x op c} or {@code c op x} with a scalar constant c, as {@code Clip.affine(alpha, beta, −∞, ∞)}. */
    private void affine(OnnxNode n) {
        boolean constantFirst = scalarConstant(n, 0);
        float c = scalar(n, constantFirst ? 0 : 1, "the constant operand");
        Value x = value(n, constantFirst ? 1 : 0);
        float inf = Float.POSITIVE_INFINITY;
        Clip layer = switch (n.opType()) {
            case "Add" -> Clip.affine(1, c, -inf, inf);
            case "Mul" -> Clip.affine(c, 0, -inf, inf);
            case "Sub" -> constantFirst ? Clip.affine(-1, c, -inf, inf) : Clip.affine(1, -c, -inf, inf);
            case "Div" -> {
                if (constantFirst) {
                    throw unsupported(n, "a constant divided by a tensor is not supported");
                }
                float r = 1 / c;
                if (r * c != 1 || !Float.isFinite(r)) { // only exact reciprocals keep x / c bit for bit
                    throw unsupported(n, "division by " + c + " (no exact reciprocal) is not supported");
                }
                yield Clip.affine(r, 0, -inf, inf);
            }
            default -> throw new IllegalStateException(n.opType());
        };
        apply(n, layer, x);
    }

    private boolean scalarConstant(OnnxNode n, int i) {
        OnnxTensor t = n.hasInput(i) ? constants.get(n.input(i)) : null;
        return t != null && t.elementCount() == 1;
    }

    private void pool(OnnxNode n, PoolingMode mode) {
        long[] ks = n.intsAttr("kernel_shape");
        if (ks == null || ks.length != 2) {
            throw unsupported(n, "kernel_shape " + Arrays.toString(ks) + ": only 2-D pooling is supported");
        }
        if (n.intAttr("storage_order", 0) != 0) {
            throw unsupported(n, "storage_order 1 is not supported");
        }
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) {
            throw unsupported(n, "the Indices output is not supported");
        }
        int[] strides = ints(n, "strides", 2, 1);
        int[] dil = ints(n, "dilations", 2, 1);
        boolean ceil = n.intAttr("ceil_mode", 0) != 0;
        boolean includePad = n.intAttr("count_include_pad", 0) != 0;
        Padding padding = padding(n, 2);
        PoolingParams p = new PoolingParams(mode, int32(n, "kernel_shape", ks[0]), int32(n, "kernel_shape", ks[1]), strides[0], strides[1], padding, ceil,
                includePad, false, dil[0], dil[1]);
        apply(n, Pooling2D.of(p), value(n, 0));
    }

    private void reduceMean(OnnxNode n) {
        Value x = value(n, 0);
        long[] axes = n.hasInput(1) ? constant(n, 1, "axes").longs() : n.intsAttr("axes");
        long keep = n.intAttr("keepdims", 1);
        if (x.shape().rank() != 4 || axes == null || axes.length != 2
                || !Set.of(2L, 3L).equals(Set.of(normalize(axes[0], 4), normalize(axes[1], 4)))) {
            throw unsupported(n, "only the mean over both spatial axes [2, 3] of a 4-D tensor is supported, got axes "
                    + Arrays.toString(axes) + " of " + x.shape());
        }
        Value pooled = keep != 0 ? apply(n, Pooling2D.globalAverage(), x)
                : layer(n, "_pool", Pooling2D.globalAverage(), List.of(), x);
        if (keep == 0) {
            apply(n, Reshape.to(x.shape().c()), pooled);
        }
    }

    private void concat(OnnxNode n) {
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            ins.add(value(n, i));
        }
        int rank = ins.getFirst().shape().rank();
        int axis = (int) normalize(n.intAttr("axis", 1), rank);
        if (ins.size() == 1) {
            alias(n, ins.getFirst());
            return;
        }
        apply(n, Concatenate.axis(axis), ins.toArray(Value[]::new));
    }

    private void flatten(OnnxNode n) {
        Value x = value(n, 0);
        int rank = x.shape().rank();
        int axis = (int) normalize(n.intAttr("axis", 1), rank + 1);
        if (axis == 0) {
            throw unsupported(n, "axis 0 would fold the batch into the features; only axis ≥ 1 is supported");
        }
        int[] dims = x.shape().dims();
        long inner = 1;
        for (int a = axis; a < rank; a++) {
            inner *= dims[a];
        }
        long outer = 1;
        for (int a = 1; a < axis; a++) {
            outer *= dims[a];
        }
        int[] target = axis == 1 ? new int[] {(int) inner} : new int[] {(int) outer, (int) inner};
        apply(n, Reshape.to(target), x);
    }

    private void reshape(OnnxNode n) {
        Value x = value(n, 0);
        long[] shape = constant(n, 1, "shape").longs();
        if (n.intAttr("allowzero", 0) != 0) {
            throw unsupported(n, "allowzero 1 is not supported");
        }
        if (shape.length == 0) {
            throw unsupported(n, "a reshape to a scalar is not supported");
        }
        // The batch stays first: 0 ("copy"), −1 with the rest fixed, or the batch size the model was exported with.
        boolean batchFirst = shape[0] == 0 || shape[0] == -1 || shape[0] == x.shape().n();
        if (!batchFirst) {
            throw unsupported(n, "target shape " + Arrays.toString(shape) + " changes the batch axis; only reshapes"
                    + " that keep the batch first are supported");
        }
        int[] target = new int[shape.length - 1];
        for (int i = 1; i < shape.length; i++) {
            long d = shape[i] == 0 ? x.shape().dim(i) : shape[i];
            if (shape[0] == -1 && d == -1) {
                throw unsupported(n, "target shape " + Arrays.toString(shape) + " has two inferred (−1) dimensions");
            }
            target[i - 1] = Math.toIntExact(d);
        }
        apply(n, Reshape.to(target), x);
    }

    private void transpose(OnnxNode n) {
        Value x = value(n, 0);
        long[] perm = n.intsAttr("perm");
        int rank = x.shape().rank();
        if (perm != null && perm.length != rank) {
            throw unsupported(n, "perm " + Arrays.toString(perm) + " has " + perm.length + " entries for an input of rank "
                    + rank);
        }
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = perm == null ? rank - 1 - i : int32(n, "perm", perm[i]);
        }
        if (p[0] != 0) {
            throw unsupported(n, "perm " + Arrays.toString(p) + " moves the batch axis; only perms that keep axis 0"
                    + " first are supported");
        }
        apply(n, Transpose.of(p), x);
    }

    private void split(OnnxNode n) {
        Value x = value(n, 0);
        int rank = x.shape().rank();
        int axis = (int) normalize(n.intAttr("axis", 0), rank);
        int size = x.shape().dim(axis);
        long[] parts = n.hasInput(1) ? constant(n, 1, "split").longs() : n.intsAttr("split");
        int count = n.outputs().size();
        if (parts == null) {
            long each = (size + count - 1) / count; // equal parts, the last one smaller (opset 18's rule)
            parts = new long[count];
            for (int i = 0; i < count; i++) {
                parts[i] = Math.min(each, size - each * i);
            }
        }
        if (axis == 0) {
            throw unsupported(n, "splitting the batch axis is not supported");
        }
        long sum = Arrays.stream(parts).sum();
        if (parts.length != count || sum != size) {
            throw unsupported(n, "split " + Arrays.toString(parts) + " does not divide axis " + axis + " of size " + size
                    + " into " + count + " parts");
        }
        int start = 0;
        for (int i = 0; i < count; i++) {
            int end = start + int32(n, "split", parts[i]);
            Value part = layer(n, "_" + i, Slice.of(axis, start, end), List.of(), x);
            values.put(n.outputs().get(i), part);
            start = end;
        }
    }

    private void slice(OnnxNode n) {
        Value x = value(n, 0);
        int rank = x.shape().rank();
        long[] starts = constant(n, 1, "starts").longs();
        long[] ends = constant(n, 2, "ends").longs();
        long[] axes = n.hasInput(3) ? constant(n, 3, "axes").longs() : null;
        long[] steps = n.hasInput(4) ? constant(n, 4, "steps").longs() : null;
        Value v = x;
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) normalize(axes == null ? i : axes[i], rank);
            if (steps != null && steps[i] != 1) {
                throw unsupported(n, "step " + steps[i] + " on axis " + axis + ": only step 1 is supported");
            }
            int dim = v.shape().dim(axis);
            long s = clampIndex(starts[i], dim);
            long e = clampIndex(ends[i], dim);
            if (s == 0 && e == dim) {
                continue;
            }
            if (axis == 0) {
                throw unsupported(n, "slicing the batch axis is not supported");
            }
            boolean last = i == starts.length - 1;
            Slice layer = Slice.of(axis, (int) s, (int) e);
            v = last ? apply(n, layer, v) : layer(n, "_" + i, layer, List.of(), v);
        }
        if (!values.containsKey(n.outputs().getFirst())) {
            alias(n, v);
        }
    }

    private void gemm(OnnxNode n) {
        Value a = value(n, 0);
        OnnxTensor b = constant(n, 1, "B");
        requireRank(n, b, 2, "B");
        if (n.intAttr("transA", 0) != 0) {
            throw unsupported(n, "transA 1 is not supported");
        }
        boolean transB = n.intAttr("transB", 0) != 0;
        float alpha = n.floatAttr("alpha", 1f);
        float beta = n.floatAttr("beta", 1f);
        int rows = int32(n, "B dimension 0", b.dims()[0]);
        int cols = int32(n, "B dimension 1", b.dims()[1]);
        int f = transB ? cols : rows;
        int u = transB ? rows : cols;
        float[] src = b.floats();
        float[] kernel = new float[f * u]; // Fovea's dense kernel is [F, U]
        for (int i = 0; i < f; i++) {
            for (int j = 0; j < u; j++) {
                kernel[i * u + j] = alpha * (transB ? src[j * cols + i] : src[i * cols + j]);
            }
        }
        List<float[]> ws = new ArrayList<>();
        ws.add(kernel);
        boolean bias = n.hasInput(2) && beta != 0;
        if (bias) {
            OnnxTensor c = constant(n, 2, "C");
            float[] cv = c.floats();
            if (c.elementCount() != u && c.elementCount() != 1) {
                throw unsupported(n, "C of shape " + Arrays.toString(c.dims()) + ": only a bias of " + u
                        + " values (or one) is supported");
            }
            float[] bv = new float[u];
            for (int j = 0; j < u; j++) {
                bv[j] = beta * cv[cv.length == 1 ? 0 : j];
            }
            ws.add(bv);
        }
        apply(n, Dense.of(u).useBias(bias), ws, a);
    }

    private void matMul(OnnxNode n) {
        Value a = value(n, 0);
        OnnxTensor b = constant(n, 1, "B");
        requireRank(n, b, 2, "B");
        if (a.shape().rank() != 2) {
            throw unsupported(n, "only a 2-D [N, F] input times a constant [F, U] is supported, got " + a.shape());
        }
        apply(n, Dense.of(int32(n, "B dimension 1", b.dims()[1])).useBias(false), List.of(b.floats()), a);
    }

    private void lrn(OnnxNode n) {
        long size = n.intAttr("size", -1);
        if (size <= 0) {
            throw unsupported(n, "LRN needs a positive 'size', got " + size);
        }
        apply(n, LocalResponseNormalization.of(int32(n, "size", size), n.floatAttr("alpha", 1e-4f), n.floatAttr("beta", 0.75f),
                n.floatAttr("bias", 1f)), value(n, 0));
    }

    private void pad(OnnxNode n) {
        Value x = value(n, 0);
        String mode = n.stringAttr("mode", "constant");
        if (!mode.equals("constant")) {
            throw unsupported(n, "mode '" + mode + "' is not supported; only 'constant'");
        }
        int rank = x.shape().rank();
        long[] pads = constant(n, 1, "pads").longs();
        float value = n.hasInput(2) ? scalar(n, 2, "constant_value") : 0f;
        long[] axes = n.hasInput(3) ? constant(n, 3, "axes").longs() : null;
        int listed = axes == null ? rank : axes.length;
        if (pads.length != 2 * listed) {
            throw unsupported(n, "pads " + Arrays.toString(pads) + " must hold 2 × " + listed + " values");
        }
        int[] before = new int[rank];
        int[] after = new int[rank];
        for (int i = 0; i < listed; i++) {
            int axis = (int) normalize(axes == null ? i : axes[i], rank);
            if (pads[i] < 0 || pads[i + listed] < 0) {
                throw unsupported(n, "negative pads " + Arrays.toString(pads) + " (cropping) are not supported");
            }
            before[axis] = int32(n, "pads", pads[i]);
            after[axis] = int32(n, "pads", pads[i + listed]);
        }
        if (before[0] != 0 || after[0] != 0) {
            throw unsupported(n, "padding the batch axis is not supported");
        }
        apply(n, Pad.of(Arrays.copyOfRange(before, 1, rank), Arrays.copyOfRange(after, 1, rank), value), x);
    }

    private void softmax(OnnxNode n) {
        Value x = value(n, 0);
        int rank = x.shape().rank();
        long axis = normalize(n.intAttr("axis", opset >= 13 ? -1 : 1), rank);
        if (rank != 2 || axis != 1) {
            throw unsupported(n, "only softmax over the features of a 2-D [N, F] input is supported, got axis " + axis
                    + " of " + x.shape());
        }
        apply(n, Softmax.create(), x);
    }

    // ---- helpers ----

    private Value apply(OnnxNode n, Layer layer, Value... inputs) {
        return apply(n, layer, List.of(), inputs);
    }

    private Value apply(OnnxNode n, Layer layer, List<float[]> ws, Value... inputs) {
        Value v = layer(n, "", layer, ws, inputs);
        values.put(n.outputs().getFirst(), v);
        return v;
    }

    /** Applies {@code layer}, named after the node (plus {@code suffix}), and records its weights. */
    private Value layer(OnnxNode n, String suffix, Layer layer, List<float[]> ws, Value... inputs) {
        String name = layerName(n, suffix);
        Value v = named(layer, name).apply(inputs);
        if (!ws.isEmpty()) {
            weights.put(name, ws);
        }
        return v;
    }

    private void alias(OnnxNode n, Value v) {
        values.put(n.outputs().getFirst(), v);
    }

    private static Layer named(Layer layer, String name) {
        return switch (layer) {
            case Conv2D l -> l.name(name);
            case Dense l -> l.name(name);
            case BatchNormalization l -> l.name(name);
            case ActivationLayer l -> l.name(name);
            case Add l -> l.name(name);
            case Multiply l -> l.name(name);
            case Pooling2D l -> l.name(name);
            case Concatenate l -> l.name(name);
            case Reshape l -> l.name(name);
            case Transpose l -> l.name(name);
            case Slice l -> l.name(name);
            case Clip l -> l.name(name);
            case LocalResponseNormalization l -> l.name(name);
            case Pad l -> l.name(name);
            case Softmax l -> l.name(name);
            default -> throw new IllegalStateException("no name for " + layer.type());
        };
    }

    /**
     * A layer name from the node's: PyTorch's {@code /layer1/layer1.0/conv1/Conv} becomes
     * {@code layer1.0.conv1}-like {@code layer1_0_conv1_Conv}; weights files use {@code <layer>.<param>}, so no dots.
     */
    private String layerName(OnnxNode n, String suffix) {
        String base = n.name().isBlank() ? n.opType().toLowerCase(java.util.Locale.ROOT) : n.name();
        base = base.replaceAll("^/+", "").replaceAll("[^A-Za-z0-9_-]+", "_");
        String[] parts = base.split("_");
        // PyTorch repeats the module path (layer1/layer1.0): drop an immediately repeated prefix.
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty() && !sb.toString().endsWith(p + "_")) {
                sb.append(p).append('_');
            }
        }
        String name = (sb.isEmpty() ? n.opType() : sb.substring(0, sb.length() - 1)) + suffix;
        String unique = name;
        for (int k = 1; !names.add(unique); k++) {
            unique = name + "_" + k;
        }
        return unique;
    }

    private Value value(OnnxNode n, int i) {
        if (!n.hasInput(i)) {
            throw unsupported(n, "input " + i + " is missing");
        }
        Value v = values.get(n.input(i));
        if (v == null) {
            if (constants.containsKey(n.input(i))) {
                throw unsupported(n, "input " + i + " ('" + n.input(i) + "') is a constant; " + n.opType()
                        + " is supported on computed tensors only");
            }
            throw unsupported(n, "input " + i + " ('" + n.input(i) + "') is not produced by an earlier node");
        }
        return v;
    }

    private OnnxTensor constant(OnnxNode n, int i, String what) {
        OnnxTensor t = n.hasInput(i) ? constants.get(n.input(i)) : null;
        if (t == null) {
            throw unsupported(n, what + " (input " + i + ") must be a constant (an initializer or a folded"
                    + " subgraph)" + (n.hasInput(i) ? ", '" + n.input(i) + "' is computed" : ", it is missing"));
        }
        return t;
    }

    private float scalar(OnnxNode n, int i, String what) {
        OnnxTensor t = constant(n, i, what);
        if (t.elementCount() != 1) {
            throw unsupported(n, what + " must be a scalar, got shape " + Arrays.toString(t.dims()));
        }
        return t.isFloat() ? t.floats()[0] : t.longs()[0];
    }

    private void requireRank(OnnxNode n, OnnxTensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw unsupported(n, what + " has shape " + Arrays.toString(t.dims()) + "; " + rank + "-D is supported");
        }
    }

    private int[] ints(OnnxNode n, String attr, int count, int fallback) {
        long[] v = n.intsAttr(attr);
        int[] out = new int[count];
        Arrays.fill(out, fallback);
        if (v != null) {
            if (v.length != count) {
                throw unsupported(n, attr + " " + Arrays.toString(v) + " must hold " + count + " values (2-D only)");
            }
            for (int i = 0; i < count; i++) {
                out[i] = int32(n, attr, v[i]);
            }
        }
        return out;
    }

    /** ONNX's auto_pad and pads ({@code [top, left, bottom, right]} for 2-D) as a Fovea padding. */
    private Padding padding(OnnxNode n, int spatial) {
        String auto = n.stringAttr("auto_pad", "NOTSET");
        return switch (auto) {
            case "NOTSET" -> {
                int[] p = ints(n, "pads", 2 * spatial, 0);
                yield Padding.explicit(p[0], p[1], p[2], p[3]);
            }
            case "VALID" -> Padding.VALID;
            case "SAME_UPPER" -> Padding.SAME;
            case "SAME_LOWER" -> Padding.SAME_LOWER;
            default -> throw unsupported(n, "auto_pad '" + auto + "' is not one of NOTSET, VALID, SAME_UPPER,"
                    + " SAME_LOWER");
        };
    }

    private Input imageInput(ValueInfo in) {
        List<OnnxDim> dims = in.dims();
        if (dims.size() != 4) {
            throw new OnnxImportException(source + ": input '" + in.name() + "' has shape " + dims + "; Fovea imports"
                    + " image inputs [N, C, H, W]");
        }
        int[] chw = new int[3];
        for (int i = 1; i < 4; i++) {
            if (!(dims.get(i) instanceof OnnxDim.Fixed f)) {
                throw new OnnxImportException(source + ": input '" + in.name() + "' has a symbolic dimension "
                        + dims.get(i) + " at axis " + i + "; only the batch (axis 0) may be symbolic");
            }
            chw[i - 1] = Math.toIntExact(f.size());
        }
        return Input.image(chw[1], chw[2], chw[0]);
    }

    private static long normalize(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static long clampIndex(long i, int dim) {
        long v = i < 0 ? i + dim : i;
        return Math.max(0, Math.min(v, dim));
    }

    private String where(OnnxNode n) {
        return source + ": node '" + n.name() + "' (" + n.opType() + ", opset " + opset + ")";
    }

    /** {@code v} as an int, or an error naming the node and what it is: ONNX stores attributes and dims in 64 bits. */
    private int int32(OnnxNode n, String what, long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw unsupported(n, what + " " + v + " is outside the 32-bit range of Fovea's shapes");
        }
        return (int) v;
    }

    private OnnxImportException unsupported(OnnxNode n, String what) {
        return new OnnxImportException(where(n) + ": " + what);
    }
}
