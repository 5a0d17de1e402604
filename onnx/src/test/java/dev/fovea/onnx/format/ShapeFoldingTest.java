package dev.fovea.onnx.format;

import static dev.fovea.onnx.format.ShapeFolding.BATCH;
import static dev.fovea.onnx.format.TestModels.dims;
import static dev.fovea.onnx.format.TestModels.node;
import static dev.fovea.onnx.format.TestModels.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeFoldingTest {
    // ---- building graphs ----

    /** A graph under construction: nodes, initializers, one input x. */
    private static final class G {
        final List<OnnxNode> nodes = new ArrayList<>();
        final Map<String, OnnxTensor> init = new LinkedHashMap<>();
        final List<ValueInfo> inputs = new ArrayList<>();

        G input(String name, Object... dims) {
            List<OnnxDim> d = new ArrayList<>();
            for (Object o : dims) {
                d.add(o instanceof String s ? OnnxDim.of(s) : OnnxDim.of(((Number) o).longValue()));
            }
            inputs.add(new ValueInfo(name, OnnxDataType.FLOAT, d));
            return this;
        }

        G op(String op, List<String> in, String out, Object... attributes) {
            nodes.add(node(op, in, List.of(out), attributes));
            return this;
        }

        G ints(String name, long... v) {
            init.put(name, OnnxTensor.ofLongs(name, dims(v.length), v));
            return this;
        }

        G floats(String name, long[] dims, float... v) {
            init.put(name, OnnxTensor.ofFloats(name, dims, v));
            return this;
        }

        /** A Constant node holding an int64 tensor ({@code scalar} for rank 0). */
        G constant(String out, boolean scalar, long... v) {
            OnnxTensor t = OnnxTensor.ofLongs("c", scalar ? dims() : dims(v.length), v);
            return op("Constant", List.of(), out, "value", t);
        }

        OnnxGraph graph(String... outputs) {
            List<ValueInfo> outs = Arrays.stream(outputs).map(o -> new ValueInfo(o, OnnxDataType.FLOAT, null)).toList();
            return new OnnxGraph("g", nodes, init, inputs, outs);
        }
    }

    private static List<String> ops(OnnxGraph g) {
        return g.nodes().stream().map(OnnxNode::opType).toList();
    }

    private static OnnxNode only(OnnxGraph g, String op) {
        List<OnnxNode> found = g.nodes().stream().filter(n -> n.opType().equals(op)).toList();
        assertEquals(1, found.size(), op + " in " + ops(g));
        return found.getFirst();
    }

    private static long[] initializer(ShapeFolding.Result r, String name) {
        OnnxTensor t = r.graph().initializers().get(name);
        assertTrue(t != null, "initializer " + name + " in " + r.graph().initializers().keySet());
        return t.longs();
    }

    /** {@code x.view(x.size(0), -1)} after a convolution, as PyTorch exports it at opset 13. */
    private static G viewSizeMinusOne() {
        return new G().input("x", "N", 3, 8, 8)
                .floats("w", dims(8, 3, 3, 3), ramp(8 * 27))
                .floats("fc.w", dims(10, 128), ramp(1280))
                .floats("fc.b", dims(10), ramp(10))
                .op("Conv", List.of("x", "w"), "c", "kernel_shape", dims(3, 3), "pads", dims(1, 1, 1, 1), "strides", dims(2, 2))
                .op("Shape", List.of("c"), "s")
                .constant("i0", true, 0)
                .op("Gather", List.of("s", "i0"), "b", "axis", 0)
                .constant("ax", false, 0)
                .op("Unsqueeze", List.of("b", "ax"), "bu")
                .constant("m1", false, -1)
                .op("Concat", List.of("bu", "m1"), "t", "axis", 0)
                .op("Reshape", List.of("c", "t"), "f")
                .op("Gemm", List.of("f", "fc.w", "fc.b"), "y", "transB", 1);
    }

    // ---- folding ----

    @Test
    void viewOfSizeZeroFoldsToReshapeWithCopiedBatch() {
        ShapeFolding.Result r = ShapeFolding.fold(viewSizeMinusOne().graph("y"));
        assertEquals(List.of("Conv", "Reshape", "Gemm"), ops(r.graph()));
        assertEquals(7, r.foldedNodes());
        OnnxNode reshape = only(r.graph(), "Reshape");
        assertEquals("c", reshape.input(0));
        // The batch at position 0 becomes ONNX's 0, "copy the input's dimension".
        assertArrayEquals(new long[] {0, -1}, initializer(r, reshape.input(1)));
        assertArrayEquals(new long[] {BATCH, 8, 4, 4}, r.shapes().get("c"));
        assertArrayEquals(new long[] {BATCH, 128}, r.shapes().get("f"));
        assertArrayEquals(new long[] {BATCH, 10}, r.shapes().get("y"));
        // Only what the remaining nodes read stays: the folded Constants are gone.
        assertEquals(List.of("w", "fc.w", "fc.b", reshape.input(1)), List.copyOf(r.graph().initializers().keySet()));
        assertEquals("[batch, 10]", ShapeFolding.format(r.shapes().get("y")));
    }

    @Test
    void oldOpsetAttributesFoldToo() {
        // Opset 11: Unsqueeze takes axes as an attribute, Constant may be value_ints.
        G g = new G().input("x", "N", 4)
                .op("Shape", List.of("x"), "s")
                .op("Constant", List.of(), "i0", "value_ints", dims(0))
                .op("Gather", List.of("s", "i0"), "b", "axis", 0)
                .op("Unsqueeze", List.of("b"), "bu", "axes", dims(0))  // [1] -> [1, 1]
                .op("Squeeze", List.of("bu"), "bs", "axes", dims(0))
                .op("Constant", List.of(), "m1", "value_ints", dims(2, 2))
                .op("Concat", List.of("bs", "m1"), "t", "axis", 0)
                .op("Reshape", List.of("x", "t"), "y");
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("y"));
        assertEquals(List.of("Reshape"), ops(r.graph()));
        assertArrayEquals(new long[] {0, 2, 2}, initializer(r, only(r.graph(), "Reshape").input(1)));
        assertArrayEquals(new long[] {BATCH, 2, 2}, r.shapes().get("y"));
    }

    @Test
    void channelShuffleFolds() {
        // ShuffleNet: b, c, h, w = x.size(); x.view(b, 2, c // 2, h, w).transpose(1, 2).view(b, -1, h, w)
        G g = new G().input("x", "N", 4, 3, 5);
        for (int i = 0; i < 4; i++) {
            g.op("Shape", List.of("x"), "s" + i).constant("k" + i, true, i).op("Gather", List.of("s" + i, "k" + i), "d" + i, "axis", 0);
        }
        g.constant("two", true, 2)
                .op("Div", List.of("d1", "two"), "half")
                .op("Cast", List.of("half"), "halfc", "to", (long) OnnxDataType.INT64.code());
        for (String d : List.of("d0", "halfc", "d2", "d3")) {
            g.constant("ax_" + d, false, 0).op("Unsqueeze", List.of(d, "ax_" + d), "u_" + d);
        }
        g.constant("groups", false, 2)
                .op("Concat", List.of("u_d0", "groups", "u_halfc", "u_d2", "u_d3"), "shape5", "axis", 0)
                .op("Reshape", List.of("x", "shape5"), "r5")
                .op("Transpose", List.of("r5"), "tr", "perm", dims(0, 2, 1, 3, 4))
                .constant("m1", false, -1)
                .op("Concat", List.of("u_d0", "m1", "u_d2", "u_d3"), "shape4", "axis", 0)
                .op("Reshape", List.of("tr", "shape4"), "y");
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("y"));
        assertEquals(List.of("Reshape", "Transpose", "Reshape"), ops(r.graph()));
        List<OnnxNode> reshapes = r.graph().nodes().stream().filter(n -> n.opType().equals("Reshape")).toList();
        assertArrayEquals(new long[] {0, 2, 2, 3, 5}, initializer(r, reshapes.get(0).input(1)));
        assertArrayEquals(new long[] {0, -1, 3, 5}, initializer(r, reshapes.get(1).input(1)));
        assertArrayEquals(new long[] {BATCH, 2, 2, 3, 5}, r.shapes().get("tr"));
        assertArrayEquals(new long[] {BATCH, 4, 3, 5}, r.shapes().get("y"));
    }

    @Test
    void chunkBySliceFoldsItsBounds() {
        // x.chunk(2, dim=1) as torch exports it with shapes: Slice(x, [0], [c / 2], [1]), Slice(x, [c / 2], [c], [1])
        G g = new G().input("x", "N", 6, 2, 2)
                .op("Shape", List.of("x"), "s").constant("one", false, 1)
                .op("Gather", List.of("s", "one"), "c", "axis", 0)
                .constant("two", false, 2).op("Div", List.of("c", "two"), "half")
                .constant("zero", false, 0)
                .op("Slice", List.of("x", "zero", "half", "one"), "a")
                .op("Slice", List.of("x", "half", "c", "one"), "b")
                .op("Concat", List.of("b", "a"), "y", "axis", 1);
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("y"));
        assertEquals(List.of("Slice", "Slice", "Concat"), ops(r.graph()));
        assertArrayEquals(new long[] {3}, initializer(r, "half"));
        assertArrayEquals(new long[] {6}, initializer(r, "c"));
        assertArrayEquals(new long[] {BATCH, 3, 2, 2}, r.shapes().get("a"));
        assertArrayEquals(new long[] {BATCH, 6, 2, 2}, r.shapes().get("y"));
        assertFalse(r.graph().initializers().containsKey("s"));
    }

    @Test
    void arithmeticOnTheBatchIsAClearError() {
        G g = new G().input("x", "N", 4)
                .op("Shape", List.of("x"), "s").constant("i0", true, 0)
                .op("Gather", List.of("s", "i0"), "b", "axis", 0)
                .constant("two", true, 2).op("Mul", List.of("b", "two"), "b2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(g.graph("b2")));
        assertTrue(e.getMessage().contains("node 'Mul_b2' (Mul)") && e.getMessage().contains("batch")
                && e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void batchReachingAnotherOpIsAClearError() {
        G g = new G().input("x", "N", 4)
                .op("Shape", List.of("x"), "s")
                .op("Expand", List.of("x", "s"), "y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(g.graph("y")));
        assertTrue(e.getMessage().contains("(Expand)") && e.getMessage().contains("[batch, 4]")
                && e.getMessage().contains("only a Reshape target"), e.getMessage());

        // Batch at a position where the Reshape input does not have it.
        G h = new G().input("x", "N", 4)
                .op("Shape", List.of("x"), "s").constant("rev", false, 1, 0)
                .op("Gather", List.of("s", "rev"), "t", "axis", 0)  // [4, batch]
                .op("Reshape", List.of("x", "t"), "y");
        e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(h.graph("y")));
        assertTrue(e.getMessage().contains("(Reshape)") && e.getMessage().contains("position 1"), e.getMessage());
    }

    @Test
    void shapeOfAnUnknownShapeNamesTheReason() {
        G g = new G().input("x", "N", 3, "H", "W")
                .op("Relu", List.of("x"), "r")
                .op("Shape", List.of("r"), "s")
                .op("Reshape", List.of("r", "s"), "y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(g.graph("y")));
        assertTrue(e.getMessage().contains("(Shape)") && e.getMessage().contains("'r'")
                && e.getMessage().contains("symbolic dimension 'H'"), e.getMessage());

        // Given shapes, it folds.
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("y"), Map.of("x", new long[] {BATCH, 3, 4, 4}));
        assertEquals(List.of("Relu", "Reshape"), ops(r.graph()));
        assertArrayEquals(new long[] {0, 3, 4, 4}, initializer(r, only(r.graph(), "Reshape").input(1)));
        assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(g.graph("y"), Map.of("nope", new long[] {1})));
    }

    @Test
    void unsupportedOpsLeaveShapesUnknownWithAReason() {
        G g = new G().input("x", 1, 3, 4, 4)
                .op("Resize", List.of("x"), "r")
                .op("Relu", List.of("r"), "y");
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("y"));
        assertEquals(0, r.foldedNodes());
        assertTrue(r.unknownShapes().get("y").contains("(Resize)"), r.unknownShapes().toString());
    }

    @Test
    void constantsFoldWithOnnxSemantics() {
        G g = new G()
                .ints("data", 10, 20, 30, 40, 50, 60)
                .ints("six", 2, 3)
                .op("Reshape", List.of("data", "six"), "m")                               // [[10,20,30],[40,50,60]]
                .constant("neg", true, -1)
                .op("Gather", List.of("m", "neg"), "row", "axis", 0)                     // [40, 50, 60]
                .ints("st", -1).ints("en", Long.MIN_VALUE).ints("ax", 0).ints("step", -2)
                .op("Slice", List.of("row", "st", "en", "ax", "step"), "rev")           // [60, 40]
                .ints("three", 7).op("Div", List.of("rev", "three"), "q")                // [8, 5]
                .ints("ten", -10).op("Div", List.of("ten", "three"), "tq")               // [-1] (truncation)
                .op("Cast", List.of("q"), "qf", "to", (long) OnnxDataType.FLOAT.code())
                .floats("half", dims(), 0.5f).op("Sub", List.of("qf", "half"), "qs")   // [7.5, 4.5]
                .op("Floor", List.of("qs"), "fl")                                        // [7, 4]
                .op("Cast", List.of("qs"), "qi", "to", (long) OnnxDataType.INT32.code())  // [7, 4] (toward zero)
                .op("Identity", List.of("qi"), "id")
                .op("Shape", List.of("m"), "ms", "start", -1L)                            // [3]
                .op("ConstantOfShape", List.of("ms"), "ones", "value", OnnxTensor.ofLongs("v", dims(1), 1))
                .op("Mul", List.of("ones", "m"), "mm");                                  // broadcast [2,3]
        ShapeFolding.Result r = ShapeFolding.fold(g.graph("fl", "id", "tq", "mm"));
        assertTrue(r.graph().nodes().isEmpty(), ops(r.graph()).toString());
        Map<String, OnnxTensor> init = r.graph().initializers();
        assertArrayEquals(new float[] {7, 4}, init.get("fl").floats());
        assertArrayEquals(new long[] {7, 4}, init.get("id").longs());
        assertEquals(OnnxDataType.INT32, init.get("id").dataType());
        assertArrayEquals(new long[] {-1}, init.get("tq").longs());
        assertArrayEquals(new long[] {10, 20, 30, 40, 50, 60}, init.get("mm").longs());
        assertArrayEquals(new long[] {2, 3}, init.get("mm").dims());
        assertEquals(List.of("fl", "id", "tq", "mm"), List.copyOf(init.keySet()), "inputs of folded nodes are dropped");
    }

    @Test
    void foldingErrorsNameTheNode() {
        G g = new G().ints("a", 1).ints("z", 0).op("Div", List.of("a", "z"), "q");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(g.graph("q")));
        assertTrue(e.getMessage().contains("node 'Div_q' (Div)") && e.getMessage().contains("division by zero"),
                e.getMessage());
        G h = new G().ints("a", 1, 2).ints("i", 5).op("Gather", List.of("a", "i"), "q");
        e = assertThrows(IllegalArgumentException.class, () -> ShapeFolding.fold(h.graph("q")));
        assertTrue(e.getMessage().contains("(Gather)") && e.getMessage().contains("index 5"), e.getMessage());
    }

    // ---- shape inference of the remaining ops ----

    /** The shape inferred for y = op(x, extra inputs...) with x of shape {@code x}. */
    private static long[] infer(long[] x, String op, List<String> extraInputs, G extras, Object... attributes) {
        List<String> in = new ArrayList<>();
        in.add("x");
        in.addAll(extraInputs);
        extras.inputs.clear();
        extras.inputs.add(ValueInfo.of("x", OnnxDataType.FLOAT, new long[0]));
        extras.op(op, in, "y", attributes);
        ShapeFolding.Result r = ShapeFolding.fold(extras.graph("y"), Map.of("x", x));
        long[] y = r.shapes().get("y");
        assertTrue(y != null, op + ": " + r.unknownShapes().get("y"));
        return y;
    }

    private static long[] infer(long[] x, String op, Object... attributes) {
        return infer(x, op, List.of(), new G(), attributes);
    }

    private static long[] s(long... d) {
        return d;
    }

    @Test
    void convolutionAndPooling() {
        G conv = new G().floats("w", dims(16, 4, 3, 3), new float[16 * 36]);
        assertArrayEquals(s(BATCH, 16, 16, 16), infer(s(BATCH, 8, 32, 32), "Conv", List.of("w"), conv,
                "group", 2, "strides", dims(2, 2), "pads", dims(1, 1, 1, 1)));
        G dilated = new G().floats("w", dims(4, 3, 3, 3), new float[4 * 27]);
        assertArrayEquals(s(1, 4, 6, 6), infer(s(1, 3, 10, 10), "Conv", List.of("w"), dilated, "dilations", dims(2, 2)));
        G same = new G().floats("w", dims(4, 3, 3, 3), new float[4 * 27]);
        assertArrayEquals(s(1, 4, 4, 4), infer(s(1, 3, 7, 7), "Conv", List.of("w"), same, "auto_pad", "SAME_UPPER",
                "strides", dims(2, 2)));

        assertArrayEquals(s(BATCH, 3, 55, 55), infer(s(BATCH, 3, 111, 111), "MaxPool", "kernel_shape", dims(3, 3),
                "strides", dims(2, 2), "ceil_mode", 1));
        assertArrayEquals(s(BATCH, 3, 54, 54), infer(s(BATCH, 3, 110, 110), "MaxPool", "kernel_shape", dims(3, 3),
                "strides", dims(2, 2)));
        assertArrayEquals(s(BATCH, 3, 55, 55), infer(s(BATCH, 3, 110, 110), "MaxPool", "kernel_shape", dims(3, 3),
                "strides", dims(2, 2), "ceil_mode", 1));
        // ceil_mode's last window would start in the padding: dropped, as in PyTorch (5 -> 3, not 4).
        assertArrayEquals(s(1, 1, 3, 3), infer(s(1, 1, 5, 5), "AveragePool", "kernel_shape", dims(2, 2),
                "strides", dims(2, 2), "pads", dims(1, 1, 1, 1), "ceil_mode", 1));
        assertArrayEquals(s(BATCH, 7, 1, 1), infer(s(BATCH, 7, 9, 9), "GlobalAveragePool"));
    }

    @Test
    void elementwiseAndNormalization() {
        for (String op : List.of("Relu", "Clip", "Sigmoid", "Softmax", "LRN", "Dropout", "Identity", "HardSwish")) {
            assertArrayEquals(s(BATCH, 3, 4, 4), infer(s(BATCH, 3, 4, 4), op), op);
        }
        G bn = new G().floats("sc", dims(3), 1, 1, 1).floats("bi", dims(3), 0, 0, 0)
                .floats("me", dims(3), 0, 0, 0).floats("va", dims(3), 1, 1, 1);
        assertArrayEquals(s(BATCH, 3, 4, 4), infer(s(BATCH, 3, 4, 4), "BatchNormalization", List.of("sc", "bi", "me", "va"), bn));
        G bias = new G().floats("b", dims(3, 1, 1), 1, 2, 3);
        assertArrayEquals(s(BATCH, 3, 4, 4), infer(s(BATCH, 3, 4, 4), "Add", List.of("b"), bias));
        G scalar = new G().floats("k", dims(), 2);
        assertArrayEquals(s(BATCH, 3), infer(s(BATCH, 3), "Mul", List.of("k"), scalar));
    }

    @Test
    void shapeMovingOps() {
        assertArrayEquals(s(BATCH, 48), infer(s(BATCH, 3, 4, 4), "Flatten"));
        assertArrayEquals(s(1, 48), infer(s(1, 3, 4, 4), "Flatten", "axis", 1));
        assertArrayEquals(s(12, 4), infer(s(1, 3, 4, 4), "Flatten", "axis", -1));
        assertArrayEquals(s(BATCH, 4, 4, 3), infer(s(BATCH, 3, 4, 4), "Transpose", "perm", dims(0, 2, 3, 1)));
        assertArrayEquals(s(BATCH, 3, 6, 8), infer(s(BATCH, 3, 4, 4), "Pad", "pads", dims(0, 0, 1, 2, 0, 0, 1, 2)));
        G pads = new G().ints("p", 0, 0, 1, 1, 0, 0, 1, 1);
        assertArrayEquals(s(BATCH, 3, 6, 6), infer(s(BATCH, 3, 4, 4), "Pad", List.of("p"), pads));
        assertArrayEquals(s(BATCH, 3, 1, 1), infer(s(BATCH, 3, 4, 4), "ReduceMean", "axes", dims(2, 3)));
        assertArrayEquals(s(BATCH, 3), infer(s(BATCH, 3, 4, 4), "ReduceMean", "axes", dims(-1, -2), "keepdims", 0));
        G axes = new G().ints("a", 1);
        assertArrayEquals(s(BATCH, 4, 4), infer(s(BATCH, 3, 4, 4), "ReduceSum", List.of("a"), axes, "keepdims", 0));
        assertArrayEquals(s(BATCH, 1, 3), infer(s(BATCH, 3), "Unsqueeze", "axes", dims(1)));
        assertArrayEquals(s(BATCH, 3), infer(s(BATCH, 3, 1, 1), "Squeeze", "axes", dims(2, 3)));
        G sl = new G().ints("st", 1).ints("en", Long.MAX_VALUE).ints("ax", 1);
        assertArrayEquals(s(BATCH, 2, 4, 4), infer(s(BATCH, 3, 4, 4), "Slice", List.of("st", "en", "ax"), sl));
        G whole = new G().ints("st", 0).ints("en", Long.MAX_VALUE).ints("ax", 0);
        assertArrayEquals(s(BATCH, 3), infer(s(BATCH, 3), "Slice", List.of("st", "en", "ax"), whole));
    }

    @Test
    void reshapeWithBatchAndMinusOne() {
        G g = new G().ints("t", -1, 48);
        assertArrayEquals(s(BATCH, 48), infer(s(BATCH, 3, 4, 4), "Reshape", List.of("t"), g));
        G copy = new G().ints("t", 0, -1);
        assertArrayEquals(s(BATCH, 48), infer(s(BATCH, 3, 4, 4), "Reshape", List.of("t"), copy));
        G fixed = new G().ints("t", 2, -1);
        assertArrayEquals(s(2, 24), infer(s(1, 3, 4, 4), "Reshape", List.of("t"), fixed));
        // -1 = batch * 2 cannot be written with the batch marker: unknown, with the reason.
        G g2 = new G().ints("t", -1, 24);
        g2.inputs.add(ValueInfo.of("x", OnnxDataType.FLOAT, new long[0]));
        g2.op("Reshape", List.of("x", "t"), "y");
        ShapeFolding.Result r = ShapeFolding.fold(g2.graph("y"), Map.of("x", s(BATCH, 3, 4, 4)));
        assertTrue(r.unknownShapes().get("y").contains("multiple of the batch"), r.unknownShapes().toString());
    }

    @Test
    void matrixOpsSplitAndConcat() {
        G gemm = new G().floats("w", dims(10, 48), new float[480]);
        assertArrayEquals(s(BATCH, 10), infer(s(BATCH, 48), "Gemm", List.of("w"), gemm, "transB", 1));
        G mm = new G().floats("w", dims(48, 7), new float[48 * 7]);
        assertArrayEquals(s(BATCH, 5, 7), infer(s(BATCH, 5, 48), "MatMul", List.of("w"), mm));
        G split = new G();
        split.inputs.add(ValueInfo.of("x", OnnxDataType.FLOAT, new long[0]));
        split.nodes.add(OnnxNode.of("sp", "Split", List.of("x"), List.of("a", "b"), TestModels.attrs("axis", 1)));
        split.op("Concat", List.of("b", "a", "x"), "y", "axis", 1);
        ShapeFolding.Result r = ShapeFolding.fold(split.graph("y"), Map.of("x", s(BATCH, 6, 2)));
        assertArrayEquals(s(BATCH, 3, 2), r.shapes().get("a"));
        assertArrayEquals(s(BATCH, 12, 2), r.shapes().get("y"));
        G sizes = new G().ints("sz", 1, 5);
        sizes.inputs.add(ValueInfo.of("x", OnnxDataType.FLOAT, new long[0]));
        sizes.nodes.add(OnnxNode.of("sp", "Split", List.of("x", "sz"), List.of("a", "b"), TestModels.attrs("axis", -2)));
        r = ShapeFolding.fold(sizes.graph("a", "b"), Map.of("x", s(BATCH, 6, 2)));
        assertArrayEquals(s(BATCH, 1, 2), r.shapes().get("a"));
        assertArrayEquals(s(BATCH, 5, 2), r.shapes().get("b"));
    }
}
