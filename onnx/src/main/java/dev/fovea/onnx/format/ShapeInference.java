package dev.fovea.onnx.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Output shapes of the "real" ops of a CNN graph, from their input shapes and constant inputs: just enough to
 * know the shape of every tensor an exporter applies {@code Shape} to. A dimension may be
 * {@link ShapeFolding#BATCH}, the symbolic batch size; a shape that cannot be expressed with it (say
 * {@code batch * 2}), or of an op not listed here, is unknown ({@link Unknown}, with the reason).
 */
final class ShapeInference {
    private static final long BATCH = ShapeFolding.BATCH;

    /** Ops whose (first) output has the shape of their first input. */
    private static final Set<String> SAME_SHAPE = Set.of("Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid",
            "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Exp", "Log", "Sqrt", "Neg", "Abs",
            "Erf", "Floor", "Ceil", "Round", "Reciprocal", "Sign", "Not", "Cast", "CastLike", "Identity", "Softmax",
            "LogSoftmax", "Hardmax", "LRN", "InstanceNormalization", "LayerNormalization", "Mish", "Gelu", "Sin",
            "Cos", "ThresholdedRelu", "Shrink", "Dropout", "BatchNormalization", "PRelu");

    /** Ops whose output is their inputs broadcast together (numpy rules). */
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
            "Mean", "Where", "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "And", "Or", "Xor", "Mod");

    private static final Set<String> REDUCE = Set.of("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin",
            "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

    /** What inference reads from the graph being folded. */
    interface Lookup {
        /** The shape of value {@code name}; throws {@link Unknown} (with the reason) when it is not known. */
        long[] shape(String name);

        /** The values of the integer constant {@code name} ({@link ShapeFolding#BATCH} for the batch), or null. */
        long[] ints(String name);
    }

    /** A shape that cannot be inferred, and why. */
    static final class Unknown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unknown(String reason) {
            super(reason, null, false, false);
        }
    }

    private ShapeInference() {
    }

    /** The shapes of {@code node}'s outputs, in order (omitted optional outputs get an entry too). */
    static List<long[]> infer(OnnxNode node, Lookup in) {
        String op = node.opType();
        if (!node.isDefaultDomain()) {
            throw new Unknown(node.describe() + " is of domain '" + node.domain() + "', which shape inference does not know");
        }
        if (SAME_SHAPE.contains(op)) {
            long[] x = in.shape(node.input(0));
            List<long[]> outs = new ArrayList<>();
            outs.add(x);
            for (int i = 1; i < node.outputs().size(); i++) {
                // Dropout's mask has the input's shape; BatchNormalization's training outputs are per channel.
                outs.add(op.equals("Dropout") ? x : op.equals("BatchNormalization") && x.length > 1
                        ? new long[] {x[1]} : null);
            }
            return outs;
        }
        if (BROADCAST.contains(op)) {
            long[] out = in.shape(node.input(0));
            for (int i = 1; i < node.inputs().size(); i++) {
                out = broadcast(node, out, in.shape(node.input(i)));
            }
            return List.of(out);
        }
        if (REDUCE.contains(op)) {
            return List.of(reduce(node, in));
        }
        return switch (op) {
            case "Conv" -> List.of(conv(node, in));
            case "MaxPool", "AveragePool", "LpPool" -> {
                long[] y = pool(node, in);
                yield node.outputs().size() > 1 ? List.of(y, y) : List.of(y);  // MaxPool's Indices
            }
            case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> {
                long[] x = rankAtLeast(node, in.shape(node.input(0)), 3);
                long[] y = x.clone();
                Arrays.fill(y, 2, y.length, 1);
                yield List.of(y);
            }
            case "Concat" -> List.of(concat(node, in));
            case "Flatten" -> List.of(flatten(node, in));
            case "Gemm" -> List.of(gemm(node, in));
            case "MatMul" -> List.of(matmul(node, in));
            case "Reshape" -> List.of(reshape(node, in.shape(node.input(0)), constant(node, in, 1, "shape"),
                    node.intAttr("allowzero", 0) != 0));
            case "Transpose" -> List.of(transpose(node, in));
            case "Split" -> split(node, in);
            case "Slice" -> List.of(slice(node, in));
            case "Pad" -> List.of(pad(node, in));
            case "Squeeze" -> List.of(squeeze(node, in.shape(node.input(0)), axes(node, in)));
            case "Unsqueeze" -> List.of(unsqueeze(node, in.shape(node.input(0)), axes(node, in)));
            case "Gather" -> List.of(gather(node, in));
            case "Shape" -> List.of(new long[] {in.shape(node.input(0)).length});
            default -> throw new Unknown("Fovea's shape inference does not know " + node.describe());
        };
    }

    // ---- convolution and pooling ----

    private static long[] conv(OnnxNode node, Lookup in) {
        long[] x = rankAtLeast(node, in.shape(node.input(0)), 3);
        long[] w = in.shape(node.input(1));
        int n = x.length - 2;
        if (w.length != x.length) {
            throw new Unknown(node.describe() + ": weight shape " + ShapeFolding.format(w) + " does not match input "
                    + ShapeFolding.format(x));
        }
        long[] kernel = orDefault(node.intsAttr("kernel_shape"), Arrays.copyOfRange(w, 2, w.length));
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = w[0];
        spatial(node, x, kernel, false, y);
        return y;
    }

    private static long[] pool(OnnxNode node, Lookup in) {
        long[] x = rankAtLeast(node, in.shape(node.input(0)), 3);
        long[] kernel = node.intsAttr("kernel_shape");
        if (kernel == null) {
            throw new Unknown(node.describe() + " has no kernel_shape");
        }
        long[] y = new long[x.length];
        y[0] = x[0];
        y[1] = x[1];
        spatial(node, x, kernel, node.intAttr("ceil_mode", 0) != 0, y);
        return y;
    }

    /** The spatial output sizes (dims 2...) of a convolution or pooling window into {@code y}. */
    private static void spatial(OnnxNode node, long[] x, long[] kernel, boolean ceil, long[] y) {
        int n = x.length - 2;
        if (kernel.length != n) {
            throw new Unknown(node.describe() + ": kernel_shape " + Arrays.toString(kernel) + " does not fit input "
                    + ShapeFolding.format(x));
        }
        long[] strides = orDefault(node.intsAttr("strides"), ones(n));
        long[] dilations = orDefault(node.intsAttr("dilations"), ones(n));
        long[] pads = orDefault(node.intsAttr("pads"), new long[2 * n]);
        String autoPad = node.stringAttr("auto_pad", "NOTSET");
        if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
            throw new Unknown(node.describe() + ": strides/dilations/pads do not fit " + n + " spatial dimensions");
        }
        for (int i = 0; i < n; i++) {
            long size = x[i + 2];
            if (size == BATCH) {
                throw new Unknown(node.describe() + ": spatial dimension " + (i + 2) + " is the batch");
            }
            long s = strides[i];
            long window = (kernel[i] - 1) * dilations[i] + 1;
            long out = switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> Math.ceilDiv(size, s);
                case "VALID" -> size < window ? 0 : (size - window) / s + 1;
                default -> {
                    long begin = pads[i];
                    long span = size + begin + pads[i + n] - window;
                    if (span < 0) {
                        yield 0;
                    }
                    long o = (ceil ? Math.ceilDiv(span, s) : span / s) + 1;
                    // As PyTorch (and onnxruntime): with ceil_mode, a last window starting in the end padding is dropped.
                    if (ceil && (o - 1) * s >= size + begin) {
                        o--;
                    }
                    yield o;
                }
            };
            if (out < 1) {
                throw new Unknown(node.describe() + ": window " + window + " over input " + ShapeFolding.format(x)
                        + " leaves no output in dimension " + (i + 2));
            }
            y[i + 2] = out;
        }
    }

    // ---- shape-moving ops ----

    private static long[] concat(OnnxNode node, Lookup in) {
        long[] first = in.shape(node.input(0));
        int axis = axis(node, node.intAttr("axis", 0), first.length);
        long[] out = first.clone();
        for (int i = 1; i < node.inputs().size(); i++) {
            long[] s = in.shape(node.input(i));
            if (s.length != out.length) {
                throw new Unknown(node.describe() + ": inputs of ranks " + out.length + " and " + s.length);
            }
            for (int d = 0; d < s.length; d++) {
                if (d == axis) {
                    out[d] = add(node, out[d], s[d]);
                } else if (out[d] != s[d]) {
                    throw new Unknown(node.describe() + ": input shapes " + ShapeFolding.format(first) + " and "
                            + ShapeFolding.format(s) + " differ outside axis " + axis);
                }
            }
        }
        return out;
    }

    private static long[] flatten(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        int axis = (int) node.intAttr("axis", 1);
        if (axis < 0) {
            axis += x.length;
        }
        if (axis < 0 || axis > x.length) {
            throw new Unknown(node.describe() + ": axis " + node.intAttr("axis", 1) + " outside rank " + x.length);
        }
        return new long[] {product(node, x, 0, axis), product(node, x, axis, x.length)};
    }

    private static long[] gemm(OnnxNode node, Lookup in) {
        long[] a = in.shape(node.input(0));
        long[] b = in.shape(node.input(1));
        if (a.length != 2 || b.length != 2) {
            throw new Unknown(node.describe() + ": inputs " + ShapeFolding.format(a) + " and " + ShapeFolding.format(b)
                    + " are not matrices");
        }
        boolean ta = node.intAttr("transA", 0) != 0;
        boolean tb = node.intAttr("transB", 0) != 0;
        long m = ta ? a[1] : a[0];
        long ka = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0];
        long n = tb ? b[0] : b[1];
        if (ka != kb) {
            throw new Unknown(node.describe() + ": inner dimensions " + ka + " and " + kb + " differ");
        }
        return new long[] {m, n};
    }

    private static long[] matmul(OnnxNode node, Lookup in) {
        long[] a = in.shape(node.input(0));
        long[] b = in.shape(node.input(1));
        if (a.length == 0 || b.length == 0) {
            throw new Unknown(node.describe() + ": MatMul of a scalar");
        }
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            throw new Unknown(node.describe() + ": inner dimensions of " + ShapeFolding.format(a) + " and "
                    + ShapeFolding.format(b) + " differ");
        }
        long[] batch = broadcast(node, Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        List<Long> out = new ArrayList<>();
        for (long d : batch) {
            out.add(d);
        }
        if (a.length > 1) {
            out.add(a2[a2.length - 2]);
        }
        if (b.length > 1) {
            out.add(b2[b2.length - 1]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Reshape's output: {@code 0} copies the input's dimension (unless {@code allowZero}), {@code -1} takes what
     * is left. With the batch in play, {@code -1} is computed from the known dimensions when the batch appears
     * on both sides, or is the batch itself when only the input has it and the rest match.
     */
    static long[] reshape(OnnxNode node, long[] x, long[] target, boolean allowZero) {
        long[] out = new long[target.length];
        int infer = -1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == BATCH) {
                out[i] = BATCH;
            } else if (t == 0 && !allowZero) {
                if (i >= x.length) {
                    throw new Unknown(node.describe() + ": target " + Arrays.toString(target) + " copies dimension " + i
                            + " of " + ShapeFolding.format(x));
                }
                out[i] = x[i];
            } else if (t == -1) {
                if (infer >= 0) {
                    throw new Unknown(node.describe() + ": target " + Arrays.toString(target) + " has two -1");
                }
                infer = i;
            } else if (t < 0) {
                throw new Unknown(node.describe() + ": target dimension " + t);
            } else {
                out[i] = t;
            }
        }
        int batchesIn = countBatch(x);
        int batchesOut = countBatch(out);  // out[infer] is still 0 here
        long knownIn = knownProduct(x);
        long knownOut = 1;
        for (int i = 0; i < out.length; i++) {
            if (i != infer && out[i] != BATCH) {
                knownOut = Math.multiplyExact(knownOut, out[i]);
            }
        }
        if (infer >= 0) {
            if (batchesIn == batchesOut && knownOut != 0 && knownIn % knownOut == 0) {
                out[infer] = knownIn / knownOut;
            } else if (batchesIn == batchesOut + 1 && knownIn == knownOut) {
                out[infer] = BATCH;
            } else {
                throw new Unknown(node.describe() + ": reshaping " + ShapeFolding.format(x) + " to "
                        + Arrays.toString(target) + " makes -1 a multiple of the batch, or does not divide");
            }
        } else if (batchesIn != batchesOut || knownIn != knownOut) {
            throw new Unknown(node.describe() + ": cannot reshape " + ShapeFolding.format(x) + " to "
                    + ShapeFolding.format(out));
        }
        return out;
    }

    private static long[] transpose(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        long[] perm = node.intsAttr("perm");
        if (perm == null) {
            perm = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                perm[i] = x.length - 1 - i;
            }
        }
        if (perm.length != x.length) {
            throw new Unknown(node.describe() + ": perm " + Arrays.toString(perm) + " for rank " + x.length);
        }
        long[] y = new long[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[axis(node, perm[i], x.length)];
        }
        return y;
    }

    private static List<long[]> split(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        int axis = axis(node, node.intAttr("axis", 0), x.length);
        int n = node.outputs().size();
        long[] sizes = node.hasInput(1) ? constant(node, in, 1, "split") : node.intsAttr("split");
        if (sizes == null) {
            if (x[axis] == BATCH) {
                throw new Unknown(node.describe() + " splits the batch");
            }
            // Equal parts, the last one smaller when they do not divide (opset 18's num_outputs rule).
            long chunk = Math.ceilDiv(x[axis], n);
            sizes = new long[n];
            Arrays.fill(sizes, chunk);
            sizes[n - 1] = x[axis] - chunk * (n - 1);
        }
        if (sizes.length != n) {
            throw new Unknown(node.describe() + ": " + sizes.length + " split sizes for " + n + " outputs");
        }
        List<long[]> outs = new ArrayList<>();
        for (long size : sizes) {
            long[] y = x.clone();
            y[axis] = size;
            outs.add(y);
        }
        return outs;
    }

    private static long[] slice(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        SliceSpec spec = SliceSpec.of(node, x.length, i -> constant(node, in, i, "slice parameter"));
        long[] y = x.clone();
        for (int i = 0; i < spec.axes.length; i++) {
            int axis = axis(node, spec.axes[i], x.length);
            if (x[axis] == BATCH) {
                boolean whole = spec.starts[i] == 0 && spec.steps[i] == 1 && spec.ends[i] >= Integer.MAX_VALUE;
                if (!whole) {
                    throw new Unknown(node.describe() + " slices the batch dimension");
                }
                continue;
            }
            y[axis] = sliceRange(x[axis], spec.starts[i], spec.ends[i], spec.steps[i])[1];
        }
        return y;
    }

    private static long[] pad(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        long[] pads = node.hasInput(1) ? constant(node, in, 1, "pads") : node.intsAttr("pads");
        if (pads == null) {
            return x;
        }
        long[] axes = node.hasInput(3) ? constant(node, in, 3, "axes") : null;
        if (axes == null) {
            axes = new long[x.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
        }
        if (pads.length != 2 * axes.length) {
            throw new Unknown(node.describe() + ": " + pads.length + " pads for " + axes.length + " axes");
        }
        long[] y = x.clone();
        for (int i = 0; i < axes.length; i++) {
            int axis = axis(node, axes[i], x.length);
            long begin = pads[i];
            long end = pads[i + axes.length];
            if (y[axis] == BATCH) {
                if (begin != 0 || end != 0) {
                    throw new Unknown(node.describe() + " pads the batch dimension");
                }
                continue;
            }
            y[axis] = y[axis] + begin + end;
            if (y[axis] < 0) {
                throw new Unknown(node.describe() + ": pads leave dimension " + axis + " negative");
            }
        }
        return y;
    }

    private static long[] reduce(OnnxNode node, Lookup in) {
        long[] x = in.shape(node.input(0));
        long[] axes = node.hasInput(1) ? constant(node, in, 1, "axes") : node.intsAttr("axes");
        boolean keep = node.intAttr("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (node.intAttr("noop_with_empty_axes", 0) != 0) {
                return x;
            }
            axes = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                axes[i] = i;
            }
        }
        boolean[] reduced = new boolean[x.length];
        for (long a : axes) {
            reduced[axis(node, a, x.length)] = true;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!reduced[i]) {
                out.add(x[i]);
            } else if (keep) {
                out.add(1L);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] gather(OnnxNode node, Lookup in) {
        long[] data = in.shape(node.input(0));
        long[] indices = in.shape(node.input(1));
        int axis = axis(node, node.intAttr("axis", 0), data.length);
        long[] y = new long[data.length - 1 + indices.length];
        System.arraycopy(data, 0, y, 0, axis);
        System.arraycopy(indices, 0, y, axis, indices.length);
        System.arraycopy(data, axis + 1, y, axis + indices.length, data.length - axis - 1);
        return y;
    }

    /** Squeeze's and Unsqueeze's axes: the input (opset 13 on) or the attribute (before); null when neither. */
    static long[] axes(OnnxNode node, Lookup in) {
        return node.hasInput(1) ? constant(node, in, 1, "axes") : node.intsAttr("axes");
    }

    static long[] squeeze(OnnxNode node, long[] x, long[] axes) {
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                int axis = axis(node, a, x.length);
                if (x[axis] != 1) {
                    throw new Unknown(node.describe() + ": squeezes dimension " + axis + " of " + ShapeFolding.format(x)
                            + ", which is not 1");
                }
                drop[axis] = true;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!drop[i]) {
                out.add(x[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] unsqueeze(OnnxNode node, long[] x, long[] axes) {
        if (axes == null) {
            throw new Unknown(node.describe() + " has no axes");
        }
        int rank = x.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int axis = axis(node, a, rank);
            if (inserted[axis]) {
                throw new Unknown(node.describe() + ": axis " + a + " given twice");
            }
            inserted[axis] = true;
        }
        long[] y = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            y[i] = inserted[i] ? 1 : x[j++];
        }
        return y;
    }

    // ---- slicing, shared with constant folding ----

    /** Slice's parameters, from the inputs (opset 10 on) or the attributes (before); axes default to 0, 1, ... */
    record SliceSpec(long[] starts, long[] ends, long[] axes, long[] steps) {
        interface Inputs {
            long[] get(int input);
        }

        static SliceSpec of(OnnxNode node, int rank, Inputs inputs) {
            long[] starts = node.hasInput(1) ? inputs.get(1) : node.intsAttr("starts");
            long[] ends = node.hasInput(2) ? inputs.get(2) : node.intsAttr("ends");
            long[] axes = node.hasInput(3) ? inputs.get(3) : node.intsAttr("axes");
            long[] steps = node.hasInput(4) ? inputs.get(4) : null;
            if (starts == null || ends == null || starts.length != ends.length) {
                throw new IllegalArgumentException(node.describe() + ": starts and ends missing or of different lengths");
            }
            if (axes == null) {
                axes = new long[starts.length];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = i;
                }
            }
            if (steps == null) {
                steps = ones(starts.length);
            }
            if (axes.length != starts.length || steps.length != starts.length) {
                throw new IllegalArgumentException(node.describe() + ": starts, ends, axes and steps of lengths "
                        + starts.length + ", " + ends.length + ", " + axes.length + ", " + steps.length);
            }
            for (long s : steps) {
                if (s == 0) {
                    throw new IllegalArgumentException(node.describe() + ": a step of 0");
                }
            }
            return new SliceSpec(starts, ends, axes, steps);
        }
    }

    /**
     * ONNX Slice on a dimension of {@code size}: {@code {first index, count}}. Negative start and end count from
     * the end; both are clamped ({@code [0, size]} going forward, {@code [-1, size - 1]} going backward).
     */
    static long[] sliceRange(long size, long start, long end, long step) {
        if (start < 0) {
            start = start <= Long.MIN_VALUE + size ? -1 : start + size;
        }
        if (end < 0) {
            end = end <= Long.MIN_VALUE + size ? -1 : end + size;
        }
        long count;
        if (step > 0) {
            start = Math.clamp(start, 0, size);
            end = Math.clamp(end, 0, size);
            count = end <= start ? 0 : (end - start + step - 1) / step;
        } else {
            start = Math.clamp(start, -1, size - 1);
            end = Math.clamp(end, -1, size - 1);
            count = start <= end ? 0 : (start - end + (-step) - 1) / (-step);
        }
        return new long[] {start, count};
    }

    // ---- helpers ----

    /** Numpy broadcasting; the batch broadcasts with 1 and itself only. */
    static long[] broadcast(OnnxNode node, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                throw new Unknown(node.describe() + ": shapes " + ShapeFolding.format(a) + " and "
                        + ShapeFolding.format(b) + " do not broadcast");
            }
        }
        return out;
    }

    private static long[] constant(OnnxNode node, Lookup in, int input, String what) {
        long[] v = in.ints(node.input(input));
        if (v == null) {
            throw new Unknown(node.describe() + ": its " + what + " input '" + node.input(input)
                    + "' is not a constant");
        }
        return v;
    }

    private static long[] rankAtLeast(OnnxNode node, long[] x, int rank) {
        if (x.length < rank) {
            throw new Unknown(node.describe() + ": input of shape " + ShapeFolding.format(x) + " has rank under " + rank);
        }
        return x;
    }

    /** An axis in {@code [-rank, rank)} as an index. */
    static int axis(OnnxNode node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new Unknown(node.describe() + ": axis " + axis + " is outside rank " + rank);
        }
        return (int) a;
    }

    private static long add(OnnxNode node, long a, long b) {
        if (a == BATCH || b == BATCH) {
            throw new Unknown(node.describe() + " concatenates along the batch dimension");
        }
        return a + b;
    }

    /** The product of {@code x[from, to)}: the batch times 1s is the batch; the batch times more is unknown. */
    private static long product(OnnxNode node, long[] x, int from, int to) {
        boolean batch = false;
        long p = 1;
        for (int i = from; i < to; i++) {
            if (x[i] == BATCH) {
                batch = true;
            } else {
                p = Math.multiplyExact(p, x[i]);
            }
        }
        if (batch && p != 1) {
            throw new Unknown(node.describe() + ": merges the batch with other dimensions of " + ShapeFolding.format(x));
        }
        return batch ? BATCH : p;
    }

    private static int countBatch(long[] x) {
        int n = 0;
        for (long d : x) {
            n += d == BATCH ? 1 : 0;
        }
        return n;
    }

    private static long knownProduct(long[] x) {
        long p = 1;
        for (long d : x) {
            if (d != BATCH) {
                p = Math.multiplyExact(p, d);
            }
        }
        return p;
    }

    private static long[] ones(int n) {
        long[] v = new long[n];
        Arrays.fill(v, 1);
        return v;
    }

    private static long[] orDefault(long[] v, long[] fallback) {
        return v != null ? v : fallback;
    }
}
