package dev.fovea.onnx.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds the shape-computing subgraphs that exporters emit into constants, so that only "real" ops remain.
 *
 * <p>PyTorch's exporter turns {@code x.view(x.size(0), -1)} into
 * {@code Shape(x) → Gather(0) → Unsqueeze → Concat([_, -1]) → Reshape(x, _)}, and ShuffleNet's channel shuffle
 * into a dozen such nodes per block. {@link #fold} walks the nodes in order and evaluates every node of the
 * default domain whose op is one of {@code Constant, ConstantOfShape, Shape, Gather, Unsqueeze, Squeeze, Concat,
 * Cast, Add, Sub, Mul, Div, Floor, Slice, Reshape, Identity} and whose inputs are all constant (initializers,
 * outputs of nodes folded before, or, for {@code Shape}, a tensor whose shape is known). Folded nodes are
 * removed; the constants that remaining nodes read become initializers; initializers only folded nodes read
 * are dropped.
 *
 * <p>To know the shape of an activation that {@code Shape} is applied to, the remaining ("real") ops get a
 * small shape inference (convolution, pooling, elementwise, broadcasting, concatenation, flatten, Gemm, MatMul,
 * Reshape, Transpose, Split, Slice, Pad, reductions and the like). The batch dimension may be symbolic: it is
 * tracked as the marker {@link #BATCH}, so {@code Shape(x)[0]} folds to "the batch", which Gather, Unsqueeze,
 * Squeeze, Concat, Slice, Reshape, Identity and integer Casts carry along. A Reshape target holding the batch
 * at a position where its input has the batch is written with ONNX's {@code 0} ("copy the input's dimension");
 * arithmetic on the batch, or the batch reaching any other consumer, is an error naming the node.
 *
 * <pre>{@code
 * ShapeFolding.Result r = ShapeFolding.fold(model.graph());     // input shapes from the file
 * r.graph();                        // without Shape/Gather/Concat/... chains
 * r.shapes().get("conv1_out");      // e.g. [BATCH, 64, 112, 112]
 * }</pre>
 */
public final class ShapeFolding {
    /** The marker for the symbolic batch size in a shape (and in folded shape constants). */
    public static final long BATCH = Long.MIN_VALUE;

    /** The ops that are evaluated when their inputs are constant. */
    private static final Set<String> FOLDABLE = Set.of("Constant", "ConstantOfShape", "Shape", "Gather",
            "Unsqueeze", "Squeeze", "Concat", "Cast", "Add", "Sub", "Mul", "Div", "Floor", "Slice", "Reshape",
            "Identity");

    /**
     * The folded graph and what is known of its values' shapes.
     *
     * @param graph         the graph without the folded nodes; new initializers hold the constants the remaining
     *                      nodes read
     * @param shapes        the shape of every input, initializer and node output of {@code graph} whose shape is
     *                      known, {@link #BATCH} marking the batch
     * @param unknownShapes for the other node outputs (and inputs), why the shape is not known
     * @param foldedNodes   how many nodes were evaluated and removed
     */
    public record Result(OnnxGraph graph, Map<String, long[]> shapes, Map<String, String> unknownShapes,
                         int foldedNodes) {
        public Result {
            shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
            unknownShapes = Collections.unmodifiableMap(new LinkedHashMap<>(unknownShapes));
        }
    }

    private ShapeFolding() {
    }

    /**
     * Folds {@code graph} with the input shapes its file gives: a symbolic first dimension is the batch; another
     * symbolic dimension leaves that input's shape unknown.
     *
     * @throws IllegalArgumentException a node cannot be evaluated (naming it and the values involved)
     */
    public static Result fold(OnnxGraph graph) {
        return fold(graph, Map.of());
    }

    /**
     * Folds {@code graph}; {@code inputShapes} gives (or overrides) the shape of graph inputs by name, each
     * dimension a size or {@link #BATCH}.
     *
     * @throws IllegalArgumentException a node cannot be evaluated, or an input named in {@code inputShapes} does
     *                                  not exist
     */
    public static Result fold(OnnxGraph graph, Map<String, long[]> inputShapes) {
        return new Folder(graph, inputShapes).run();
    }

    /** A shape for messages: {@code [batch, 3, 224, 224]}. */
    public static String format(long[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i] == BATCH ? "batch" : Long.toString(shape[i]));
        }
        return s.append(']').toString();
    }

    /**
     * A value known while folding: the tensor and, for integer values computed from shapes, which elements are
     * the symbolic batch ({@code batch} null when none is). The tensor holds 0 where the batch is.
     */
    private record Known(OnnxTensor tensor, boolean[] batch) {
        static Known of(OnnxTensor t) {
            return new Known(t, null);
        }

        boolean hasBatch() {
            if (batch != null) {
                for (boolean b : batch) {
                    if (b) {
                        return true;
                    }
                }
            }
            return false;
        }

        boolean isBatch(int i) {
            return batch != null && batch[i];
        }

        /** Integer values with {@link #BATCH} where the batch is. */
        long[] intsWithBatch() {
            long[] v = tensor.longs().clone();
            for (int i = 0; i < v.length; i++) {
                if (isBatch(i)) {
                    v[i] = BATCH;
                }
            }
            return v;
        }
    }

    private static final class Folder implements ShapeInference.Lookup {
        private final OnnxGraph graph;
        private final Map<String, Known> constants = new HashMap<>();
        private final Map<String, long[]> shapes = new HashMap<>();
        private final Map<String, String> unknown = new HashMap<>();
        private final List<OnnxNode> live = new ArrayList<>();
        private int folded;

        Folder(OnnxGraph graph, Map<String, long[]> inputShapes) {
            this.graph = graph;
            for (OnnxTensor t : graph.initializers().values()) {
                constants.put(t.name(), Known.of(t));
                shapes.put(t.name(), t.dims());
            }
            Set<String> inputNames = new HashSet<>();
            for (ValueInfo v : graph.realInputs()) {
                inputNames.add(v.name());
                long[] given = inputShapes.get(v.name());
                if (given != null) {
                    for (long d : given) {
                        if (d < 0 && d != BATCH) {
                            throw new IllegalArgumentException("input '" + v.name() + "': shape " + Arrays.toString(given)
                                    + " has a negative dimension (use ShapeFolding.BATCH for the batch)");
                        }
                    }
                    shapes.put(v.name(), given.clone());
                } else {
                    fileShape(v);
                }
            }
            for (String name : inputShapes.keySet()) {
                if (!inputNames.contains(name)) {
                    throw new IllegalArgumentException("a shape is given for '" + name + "', which is not an input of"
                            + " the graph (inputs: " + inputNames + ")");
                }
            }
        }

        /** An input's shape as the file gives it: only the first dimension may be symbolic (the batch). */
        private void fileShape(ValueInfo v) {
            if (!v.hasShape()) {
                unknown.put(v.name(), "graph input '" + v.name() + "' has no shape in the file");
                return;
            }
            long[] s = new long[v.dims().size()];
            for (int i = 0; i < s.length; i++) {
                boolean first = i == 0;
                switch (v.dims().get(i)) {
                    case OnnxDim.Fixed f -> s[i] = f.size();
                    case OnnxDim.Symbolic sym when first -> s[i] = BATCH;
                    case OnnxDim.Symbolic sym -> {
                        unknown.put(v.name(), "graph input '" + v.name() + "' has symbolic dimension '" + sym.name()
                                + "' at index " + i + "; only the batch (index 0) may be symbolic: give the input"
                                + " shapes to ShapeFolding.fold");
                        return;
                    }
                }
            }
            shapes.put(v.name(), s);
        }

        Result run() {
            for (OnnxNode node : graph.nodes()) {
                if (foldable(node)) {
                    List<Known> values;
                    try {
                        values = evaluate(node);
                    } catch (ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException
                             | ShapeInference.Unknown e) {
                        throw new IllegalArgumentException("cannot fold " + node.describe() + ": " + e.getMessage(), e);
                    }
                    for (int i = 0; i < values.size() && i < node.outputs().size(); i++) {
                        String name = node.outputs().get(i);
                        if (!name.isEmpty()) {
                            Known k = values.get(i);
                            constants.put(name, new Known(k.tensor().withName(name), k.batch()));
                            shapes.put(name, k.tensor().dims());
                        }
                    }
                    folded++;
                } else {
                    live.add(node);
                    inferShapes(node);
                }
            }
            return finish();
        }

        private boolean foldable(OnnxNode node) {
            if (!node.isDefaultDomain() || !FOLDABLE.contains(node.opType())) {
                return false;
            }
            if (node.opType().equals("Shape")) {
                String x = node.input(0);
                if (!shapes.containsKey(x)) {
                    throw new IllegalArgumentException("cannot fold " + node.describe() + ": the shape of '" + x
                            + "' is not known: " + unknown.getOrDefault(x, "it is defined by no node or input"));
                }
                return true;
            }
            for (String in : node.inputs()) {
                if (!in.isEmpty() && !constants.containsKey(in)) {
                    return false;
                }
            }
            return true;
        }

        private void inferShapes(OnnxNode node) {
            List<long[]> out;
            try {
                out = ShapeInference.infer(node, this);
            } catch (ShapeInference.Unknown e) {
                for (String o : node.outputs()) {
                    unknown.put(o, e.getMessage());
                }
                return;
            } catch (ArithmeticException e) {
                for (String o : node.outputs()) {
                    unknown.put(o, node.describe() + ": dimensions overflow");
                }
                return;
            }
            for (int i = 0; i < node.outputs().size(); i++) {
                String name = node.outputs().get(i);
                long[] s = i < out.size() ? out.get(i) : null;
                if (s != null) {
                    shapes.put(name, s);
                } else {
                    unknown.put(name, node.describe() + " output " + i + " has no inferred shape");
                }
            }
        }

        @Override
        public long[] shape(String name) {
            long[] s = shapes.get(name);
            if (s == null) {
                throw new ShapeInference.Unknown(unknown.getOrDefault(name, "'" + name + "' is defined by no node or input"));
            }
            return s;
        }

        @Override
        public long[] ints(String name) {
            Known k = constants.get(name);
            return k == null || k.tensor().isFloat() ? null : k.intsWithBatch();
        }

        /** The remaining nodes, reading the constants they need as initializers. */
        private Result finish() {
            Map<String, OnnxTensor> used = new LinkedHashMap<>();
            List<OnnxNode> nodes = new ArrayList<>();
            Set<String> taken = new HashSet<>(constants.keySet());
            graph.inputs().forEach(v -> taken.add(v.name()));
            for (OnnxNode node : live) {
                List<String> inputs = new ArrayList<>(node.inputs());
                for (int i = 0; i < inputs.size(); i++) {
                    Known k = constants.get(inputs.get(i));
                    if (k == null) {
                        continue;
                    }
                    if (k.hasBatch()) {
                        OnnxTensor rewritten = batchAsCopy(node, i, k, taken);
                        used.put(rewritten.name(), rewritten);
                        inputs.set(i, rewritten.name());
                    } else {
                        used.put(k.tensor().name(), k.tensor());
                    }
                }
                nodes.add(inputs.equals(node.inputs()) ? node
                        : new OnnxNode(node.name(), node.opType(), node.domain(), inputs, node.outputs(), node.attributes()));
            }
            for (ValueInfo out : graph.outputs()) {
                Known k = constants.get(out.name());
                if (k != null) {
                    if (k.hasBatch()) {
                        throw new IllegalArgumentException("graph output '" + out.name() + "' is a constant computed from"
                                + " the symbolic batch; it cannot be stored");
                    }
                    used.put(out.name(), k.tensor());
                }
            }
            // Keep the file's initializers in their order, then the new constants.
            Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
            for (String name : graph.initializers().keySet()) {
                if (used.containsKey(name)) {
                    initializers.put(name, used.get(name));
                }
            }
            used.forEach(initializers::putIfAbsent);
            List<ValueInfo> inputs = graph.inputs().stream()
                    .filter(v -> !graph.initializers().containsKey(v.name()) || initializers.containsKey(v.name()))
                    .toList();
            OnnxGraph result = new OnnxGraph(graph.name(), nodes, initializers, inputs, graph.outputs());

            Map<String, long[]> knownShapes = new LinkedHashMap<>();
            Map<String, String> unknownShapes = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            inputs.forEach(v -> names.add(v.name()));
            names.addAll(initializers.keySet());
            nodes.forEach(n -> names.addAll(n.outputs()));
            for (String name : names) {
                if (name.isEmpty()) {
                    continue;
                }
                if (shapes.containsKey(name)) {
                    knownShapes.put(name, shapes.get(name).clone());
                } else {
                    unknownShapes.put(name, unknown.getOrDefault(name, "not inferred"));
                }
            }
            return new Result(result, knownShapes, unknownShapes, folded);
        }

        /**
         * A Reshape target holding the batch, rewritten with {@code 0} ("copy the input's dimension") where the
         * input has the batch at the same position; the only place a batch-valued constant can go.
         */
        private OnnxTensor batchAsCopy(OnnxNode node, int input, Known k, Set<String> taken) {
            String name = node.inputs().get(input);
            if (!node.opType().equals("Reshape") || input != 1) {
                throw new IllegalArgumentException(node.describe() + " reads '" + name + "' = "
                        + format(k.intsWithBatch()) + ", computed from the symbolic batch; only a Reshape target can"
                        + " hold the batch (as 0, copying the input's dimension)");
            }
            long[] x = shapes.get(node.input(0));
            long[] target = k.tensor().longs().clone();
            for (int i = 0; i < target.length; i++) {
                if (!k.isBatch(i)) {
                    continue;
                }
                if (x == null || i >= x.length || x[i] != BATCH || node.intAttr("allowzero", 0) != 0) {
                    throw new IllegalArgumentException(node.describe() + ": target " + format(k.intsWithBatch())
                            + " has the batch at position " + i + ", where the input "
                            + (x == null ? "(of unknown shape)" : format(x))
                            + " does not; it cannot be written as 0 (copy the input's dimension)");
                }
                target[i] = 0;
            }
            String fresh = name + "_fovea_batch";
            for (int n = 2; taken.contains(fresh); n++) {
                fresh = name + "_fovea_batch" + n;
            }
            taken.add(fresh);
            shapes.put(fresh, k.tensor().dims());
            return OnnxTensor.ofLongs(fresh, k.tensor().dataType(), k.tensor().dims(), target);
        }

        // ---- evaluation ----

        private Known in(OnnxNode node, int i) {
            Known k = constants.get(node.input(i));
            if (k == null) {
                throw new IllegalArgumentException("input " + i + " is missing");
            }
            return k;
        }

        /** Integer values of input {@code i}, which must not involve the batch. */
        private long[] plainInts(OnnxNode node, int i, String what) {
            Known k = in(node, i);
            if (k.tensor().isFloat()) {
                throw new IllegalArgumentException(what + " '" + node.input(i) + "' is not an integer tensor");
            }
            if (k.hasBatch()) {
                throw new IllegalArgumentException(what + " '" + node.input(i) + "' = " + format(k.intsWithBatch())
                        + " depends on the symbolic batch");
            }
            return k.tensor().longs();
        }

        private List<Known> evaluate(OnnxNode node) {
            return switch (node.opType()) {
                case "Constant" -> List.of(Known.of(constant(node)));
                case "Identity" -> List.of(in(node, 0));
                case "Shape" -> List.of(shapeOf(node));
                case "Cast" -> List.of(cast(node, in(node, 0), (int) node.intAttr("to", 0)));
                case "Gather" -> List.of(gather(node));
                case "Unsqueeze" -> {
                    Known x = in(node, 0);
                    long[] axes = node.hasInput(1) ? plainInts(node, 1, "axes") : node.intsAttr("axes");
                    yield List.of(reshaped(x, ShapeInference.unsqueeze(node, x.tensor().dims(), axes)));
                }
                case "Squeeze" -> {
                    Known x = in(node, 0);
                    long[] axes = node.hasInput(1) ? plainInts(node, 1, "axes") : node.intsAttr("axes");
                    yield List.of(reshaped(x, ShapeInference.squeeze(node, x.tensor().dims(), axes)));
                }
                case "Reshape" -> {
                    Known x = in(node, 0);
                    long[] target = plainInts(node, 1, "shape");
                    yield List.of(reshaped(x, ShapeInference.reshape(node, x.tensor().dims(), target,
                            node.intAttr("allowzero", 0) != 0)));
                }
                case "Concat" -> List.of(concat(node));
                case "Slice" -> List.of(slice(node));
                case "Add", "Sub", "Mul", "Div" -> List.of(arithmetic(node));
                case "Floor" -> List.of(floor(node));
                case "ConstantOfShape" -> List.of(constantOfShape(node));
                default -> throw new IllegalStateException(node.opType());
            };
        }

        private static OnnxTensor constant(OnnxNode node) {
            Map<String, OnnxAttribute> a = node.attributes();
            String out = node.outputs().getFirst();
            if (a.get("value") instanceof OnnxAttribute.TensorValue(OnnxTensor t)) {
                return t.withName(out);
            }
            return switch (a.get("value_float")) {
                case OnnxAttribute.FloatValue(float f) -> OnnxTensor.ofFloats(out, new long[0], f);
                case null -> switch (a.get("value_floats")) {
                    case OnnxAttribute.FloatsValue v -> OnnxTensor.ofFloats(out, new long[] {v.values().length}, v.values());
                    case null -> switch (a.get("value_int")) {
                        case OnnxAttribute.IntValue(long i) -> OnnxTensor.ofLongs(out, new long[0], i);
                        case null -> {
                            long[] ints = node.intsAttr("value_ints");
                            if (ints == null) {
                                throw new IllegalArgumentException("no value Fovea reads (value, value_float(s),"
                                        + " value_int(s)); has " + a.keySet());
                            }
                            yield OnnxTensor.ofLongs(out, new long[] {ints.length}, ints);
                        }
                        default -> throw new IllegalArgumentException("value_int is not an INT");
                    };
                    default -> throw new IllegalArgumentException("value_floats is not FLOATS");
                };
                default -> throw new IllegalArgumentException("value_float is not a FLOAT");
            };
        }

        private Known shapeOf(OnnxNode node) {
            long[] s = shapes.get(node.input(0));
            int rank = s.length;
            long start = node.intAttr("start", 0);
            long end = node.intAttr("end", rank);
            // Opset 15's start/end: negative counts from the end, then clamped to [0, rank].
            int from = (int) Math.clamp(start < 0 ? start + rank : start, 0, rank);
            int to = (int) Math.clamp(end < 0 ? end + rank : end, 0, rank);
            int n = Math.max(0, to - from);
            long[] values = new long[n];
            boolean[] batch = new boolean[n];
            for (int i = 0; i < n; i++) {
                batch[i] = s[from + i] == BATCH;
                values[i] = batch[i] ? 0 : s[from + i];
            }
            return new Known(OnnxTensor.ofLongs(node.outputs().getFirst(), new long[] {n}, values), batch);
        }

        private static Known cast(OnnxNode node, Known x, int code) {
            OnnxDataType to = OnnxDataType.ofCode(code);
            if (to == null || !to.isSupported()) {
                throw new IllegalArgumentException("cast to type code " + code + ", which Fovea does not fold");
            }
            OnnxTensor t = x.tensor();
            int n = (int) t.elementCount();
            String name = node.outputs().getFirst();
            if (to.isFloat()) {
                if (x.hasBatch()) {
                    throw new IllegalArgumentException("casts the symbolic batch ('" + node.input(0) + "' = "
                            + format(x.intsWithBatch()) + ") to " + to);
                }
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = TensorCodec.roundTo(to, t.isFloat() ? t.floats()[i] : (float) t.longs()[i]);
                }
                return Known.of(OnnxTensor.ofFloats(name, to, t.dims(), f));
            }
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                // C-style: floats truncate toward zero; integers wrap into the narrower type.
                long v = t.isFloat() ? (long) t.floats()[i] : t.longs()[i];
                l[i] = switch (to) {
                    case INT32 -> (int) v;
                    case INT16 -> (short) v;
                    case INT8 -> (byte) v;
                    case UINT32 -> v & 0xFFFF_FFFFL;
                    case UINT16 -> v & 0xFFFF;
                    case UINT8 -> v & 0xFF;
                    case BOOL -> (t.isFloat() ? t.floats()[i] != 0 : v != 0) ? 1 : 0;
                    default -> v;
                };
            }
            if (x.hasBatch() && to != OnnxDataType.INT64 && to != OnnxDataType.INT32) {
                throw new IllegalArgumentException("casts the symbolic batch to " + to);
            }
            return new Known(OnnxTensor.ofLongs(name, to, t.dims(), l), x.batch());
        }

        private Known gather(OnnxNode node) {
            Known data = in(node, 0);
            long[] indices = plainInts(node, 1, "indices");
            long[] dims = data.tensor().dims();
            long[] indexDims = in(node, 1).tensor().dims();
            int axis = axis(node, node.intAttr("axis", 0), dims.length);
            long[] outDims = new long[dims.length - 1 + indexDims.length];
            System.arraycopy(dims, 0, outDims, 0, axis);
            System.arraycopy(indexDims, 0, outDims, axis, indexDims.length);
            System.arraycopy(dims, axis + 1, outDims, axis + indexDims.length, dims.length - axis - 1);
            int outer = (int) product(dims, 0, axis);
            int size = (int) dims[axis];
            int inner = (int) product(dims, axis + 1, dims.length);
            int[] from = new int[outer * indices.length * inner];
            int o = 0;
            for (int a = 0; a < outer; a++) {
                for (long index : indices) {
                    long j = index < 0 ? index + size : index;
                    if (j < 0 || j >= size) {
                        throw new IllegalArgumentException("index " + index + " is out of range for dimension " + axis
                                + " of size " + size + " of '" + node.input(0) + "'");
                    }
                    for (int b = 0; b < inner; b++) {
                        from[o++] = (int) ((a * (long) size + j) * inner + b);
                    }
                }
            }
            return pick(node, List.of(data), outDims, null, from);
        }

        private Known concat(OnnxNode node) {
            List<Known> parts = new ArrayList<>();
            for (int i = 0; i < node.inputs().size(); i++) {
                if (node.hasInput(i)) {
                    parts.add(in(node, i));
                }
            }
            long[] first = parts.getFirst().tensor().dims();
            int axis = axis(node, node.intAttr("axis", 0), first.length);
            long[] outDims = first.clone();
            outDims[axis] = 0;
            for (Known p : parts) {
                long[] d = p.tensor().dims();
                if (d.length != first.length || p.tensor().dataType() != parts.getFirst().tensor().dataType()) {
                    throw new IllegalArgumentException("inputs of shapes " + format(first) + " and " + format(d)
                            + " (types " + parts.getFirst().tensor().dataType() + ", " + p.tensor().dataType() + ")");
                }
                for (int k = 0; k < d.length; k++) {
                    if (k != axis && d[k] != first[k]) {
                        throw new IllegalArgumentException("inputs of shapes " + format(first) + " and " + format(d)
                                + " differ outside axis " + axis);
                    }
                }
                outDims[axis] += d[axis];
            }
            int outer = (int) product(first, 0, axis);
            int count = (int) product(outDims, 0, outDims.length);
            int[] part = new int[count];
            int[] from = new int[count];
            int o = 0;
            for (int a = 0; a < outer; a++) {
                for (int p = 0; p < parts.size(); p++) {
                    long[] d = parts.get(p).tensor().dims();
                    int block = (int) product(d, axis, d.length);
                    for (int b = 0; b < block; b++) {
                        part[o] = p;
                        from[o++] = a * block + b;
                    }
                }
            }
            return pick(node, parts, outDims, part, from);
        }

        private Known slice(OnnxNode node) {
            Known data = in(node, 0);
            long[] dims = data.tensor().dims();
            ShapeInference.SliceSpec spec = ShapeInference.SliceSpec.of(node, dims.length,
                    i -> plainInts(node, i, "slice parameter"));
            long[] first = new long[dims.length];
            long[] step = new long[dims.length];
            long[] outDims = dims.clone();
            Arrays.fill(step, 1);
            for (int i = 0; i < spec.axes().length; i++) {
                int axis = axis(node, spec.axes()[i], dims.length);
                long[] range = ShapeInference.sliceRange(dims[axis], spec.starts()[i], spec.ends()[i], spec.steps()[i]);
                first[axis] = range[0];
                outDims[axis] = range[1];
                step[axis] = spec.steps()[i];
            }
            long[] strides = strides(dims);
            int count = (int) product(outDims, 0, outDims.length);
            int[] from = new int[count];
            long[] index = new long[dims.length];
            for (int o = 0; o < count; o++) {
                long src = 0;
                for (int d = 0; d < dims.length; d++) {
                    src += (first[d] + index[d] * step[d]) * strides[d];
                }
                from[o] = (int) src;
                increment(index, outDims);
            }
            return pick(node, List.of(data), outDims, null, from);
        }

        private Known arithmetic(OnnxNode node) {
            Known a = in(node, 0);
            Known b = in(node, 1);
            for (int i = 0; i < 2; i++) {
                Known k = i == 0 ? a : b;
                if (k.hasBatch()) {
                    throw new IllegalArgumentException("computes with the symbolic batch ('" + node.input(i) + "' = "
                            + format(k.intsWithBatch()) + "); Fovea keeps the batch symbolic and cannot do arithmetic on it");
                }
            }
            OnnxTensor x = a.tensor();
            OnnxTensor y = b.tensor();
            if (x.dataType() != y.dataType()) {
                throw new IllegalArgumentException("inputs of types " + x.dataType() + " and " + y.dataType());
            }
            long[] outDims = broadcastDims(node, x.dims(), y.dims());
            int count = (int) product(outDims, 0, outDims.length);
            int[] ia = broadcastIndex(x.dims(), outDims);
            int[] ib = broadcastIndex(y.dims(), outDims);
            String op = node.opType();
            String name = node.outputs().getFirst();
            if (x.isFloat()) {
                float[] r = new float[count];
                for (int i = 0; i < count; i++) {
                    float p = x.floats()[ia[i]];
                    float q = y.floats()[ib[i]];
                    r[i] = TensorCodec.roundTo(x.dataType(), switch (op) {
                        case "Add" -> p + q;
                        case "Sub" -> p - q;
                        case "Mul" -> p * q;
                        default -> p / q;
                    });
                }
                return Known.of(OnnxTensor.ofFloats(name, x.dataType(), outDims, r));
            }
            long[] r = new long[count];
            for (int i = 0; i < count; i++) {
                long p = x.longs()[ia[i]];
                long q = y.longs()[ib[i]];
                r[i] = switch (op) {
                    case "Add" -> Math.addExact(p, q);
                    case "Sub" -> Math.subtractExact(p, q);
                    case "Mul" -> Math.multiplyExact(p, q);
                    default -> {
                        if (q == 0) {
                            throw new IllegalArgumentException("integer division by zero (" + p + " / 0)");
                        }
                        yield p / q;  // truncates toward zero, as ONNX runtimes do for integers
                    }
                };
            }
            return Known.of(OnnxTensor.ofLongs(name, x.dataType(), outDims, r));
        }

        private Known floor(OnnxNode node) {
            Known x = in(node, 0);
            if (!x.tensor().isFloat()) {
                throw new IllegalArgumentException("Floor of an integer tensor");
            }
            float[] f = x.tensor().floats().clone();
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) Math.floor(f[i]);
            }
            return Known.of(OnnxTensor.ofFloats(node.outputs().getFirst(), x.tensor().dataType(), x.tensor().dims(), f));
        }

        private Known constantOfShape(OnnxNode node) {
            long[] dims = plainInts(node, 0, "shape");
            OnnxTensor value = node.tensorAttr("value");
            long count = OnnxTensor.elementCount(node.describe(), dims);
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " is too large");
            }
            if (value == null) {
                return Known.of(OnnxTensor.ofFloats(node.outputs().getFirst(), dims, new float[(int) count]));
            }
            if (value.elementCount() != 1) {
                throw new IllegalArgumentException("value has " + value.elementCount() + " elements, not 1");
            }
            String name = node.outputs().getFirst();
            if (value.isFloat()) {
                float[] f = new float[(int) count];
                Arrays.fill(f, value.floats()[0]);
                return Known.of(OnnxTensor.ofFloats(name, value.dataType(), dims, f));
            }
            long[] l = new long[(int) count];
            Arrays.fill(l, value.longs()[0]);
            return Known.of(OnnxTensor.ofLongs(name, value.dataType(), dims, l));
        }

        // ---- element movement ----

        /** The same values (and batch marks) under new dimensions. */
        private static Known reshaped(Known x, long[] dims) {
            OnnxTensor t = x.tensor();
            for (long d : dims) {
                if (d == BATCH) {
                    throw new IllegalArgumentException("a constant cannot have the symbolic batch as a dimension");
                }
            }
            return new Known(new OnnxTensor(t.name(), t.dataType(), dims, t.floats(), t.longs()), x.batch());
        }

        /** A tensor of {@code dims} whose element {@code o} is element {@code from[o]} of part {@code part[o]}. */
        private static Known pick(OnnxNode node, List<Known> parts, long[] dims, int[] part, int[] from) {
            OnnxTensor first = parts.getFirst().tensor();
            int n = from.length;
            boolean[] batch = new boolean[n];
            boolean anyBatch = false;
            float[] f = first.isFloat() ? new float[n] : null;
            long[] l = first.isFloat() ? null : new long[n];
            for (int o = 0; o < n; o++) {
                Known src = parts.get(part == null ? 0 : part[o]);
                if (f != null) {
                    f[o] = src.tensor().floats()[from[o]];
                } else {
                    l[o] = src.tensor().longs()[from[o]];
                }
                batch[o] = src.isBatch(from[o]);
                anyBatch |= batch[o];
            }
            OnnxTensor t = new OnnxTensor(node.outputs().getFirst(), first.dataType(), dims, f, l);
            return new Known(t, anyBatch ? batch : null);
        }

        private static int axis(OnnxNode node, long axis, int rank) {
            long a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank) {
                throw new IllegalArgumentException("axis " + axis + " is outside rank " + rank);
            }
            return (int) a;
        }

        private static long product(long[] dims, int from, int to) {
            long p = 1;
            for (int i = from; i < to; i++) {
                p = Math.multiplyExact(p, dims[i]);
            }
            if (p > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " are too large to fold");
            }
            return p;
        }

        private static long[] strides(long[] dims) {
            long[] s = new long[dims.length];
            long stride = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                s[i] = stride;
                stride *= dims[i];
            }
            return s;
        }

        /** Advances a row-major multi-index over {@code dims}. */
        private static void increment(long[] index, long[] dims) {
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++index[d] < dims[d]) {
                    return;
                }
                index[d] = 0;
            }
        }

        private static long[] broadcastDims(OnnxNode node, long[] a, long[] b) {
            try {
                return ShapeInference.broadcast(node, a, b);
            } catch (ShapeInference.Unknown e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }

        /** For each element of {@code out}, the index of the element of a tensor of {@code dims} broadcast to it. */
        private static int[] broadcastIndex(long[] dims, long[] out) {
            int count = (int) product(out, 0, out.length);
            long[] strides = strides(dims);
            int offset = out.length - dims.length;
            int[] map = new int[count];
            long[] index = new long[out.length];
            for (int o = 0; o < count; o++) {
                long src = 0;
                for (int d = 0; d < dims.length; d++) {
                    src += (dims[d] == 1 ? 0 : index[d + offset]) * strides[d];
                }
                map[o] = (int) src;
                increment(index, out);
            }
            return map;
        }
    }
}
