package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Which concatenation inputs compiling places in their outputs, and that placing them changes no result: each
 * graph's outputs are compared bit for bit with the same graph compiled with every concatenation copying.
 */
class ConcatPlacementTest {
    /** Inception's pattern: branches read only by the concatenation, all written into its slices. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void branchesAreWrittenIntoTheirSlices(Layout layout) {
        check(layout, g -> Conv2D.pointwise(2).name("out").apply(inceptionOutput(g)), p -> {
            assertEquals(1, p.groups());
            assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("a"));
            assertEquals(new ConcatPlacement.Slot(0, 4), p.slot("b"));
            assertEquals(new ConcatPlacement.Slot(0, 9), p.slot("c"));
            assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("y"));
            assertEquals(12, p.placement.buffer(0).c());
            assertTrue(p.copiesNothing("y"));
        });
    }

    /** The profile names a concatenation that copies nothing as such, and one that copies as before. */
    @org.junit.jupiter.api.Test
    void profileSaysWhichConcatenationsCopyNothing() {
        Graph g = Graph.builder("profile", Layout.NHWC);
        Value x = g.input("x", Input.image(4, 4, 2));
        Value a = Conv2D.pointwise(3).apply(x);
        Value placed = Concatenate.create().name("placed").apply(a, Conv2D.pointwise(2).apply(x));
        Value copied = Concatenate.create().name("copied").apply(x, a);
        try (Model model = g.outputs(Add.create().apply(Conv2D.pointwise(2).apply(placed),
                Conv2D.pointwise(2).apply(copied))).build();
             Engine engine = Engine.open("reference"); Inference net = model.compile(engine)) {
            java.util.Map<String, String> kinds = new java.util.HashMap<>();
            for (Profile.Layer l : Profile.measure(net, input(model, 1), 1, 1).layers()) {
                kinds.put(l.name(), l.kind());
            }
            assertEquals("concatenate in place", kinds.get("placed"));
            assertEquals("concatenate", kinds.get("copied"));
        }
    }

    /**
     * DenseNet's pattern: every layer reads the concatenation of all earlier features, and the block's features
     * share one buffer: each written once at its offset, each concatenation a view of the first channels.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void denseBlockSharesOneBuffer(Layout layout) {
        check(layout, g -> {
            Value x = g.input("x", Input.image(5, 5, 2));
            Value f0 = Conv2D.of(3, 3).padding(Padding.SAME).name("f0").apply(x);
            Value joined = Concatenate.create().name("y0").apply(f0);
            Value[] features = {f0};
            for (int i = 1; i <= 3; i++) {
                Value h = ActivationLayer.relu().apply(BatchNormalization.create().apply(joined));
                Value f = Conv2D.of(2, 3).padding(Padding.SAME).name("f" + i).apply(Conv2D.pointwise(4).apply(h));
                features = java.util.Arrays.copyOf(features, i + 1);
                features[i] = f;
                joined = Concatenate.create().name("y" + i).apply(features);
            }
            return Pooling2D.globalAverage().name("out").apply(joined);
        }, p -> {
            assertEquals(1, p.groups());
            assertEquals(9, p.placement.buffer(0).c());
            int[] offsets = {0, 3, 5, 7};
            for (int i = 0; i <= 3; i++) {
                assertEquals(new ConcatPlacement.Slot(0, offsets[i]), p.slot("f" + i), "f" + i);
                assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("y" + i), "y" + i);
                assertTrue(p.copiesNothing("y" + i), "y" + i);
            }
        });
    }

    /** A value read by two concatenations at different offsets: both are views of one buffer [b, v, a]. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void valueAtTwoOffsetsOfTwoConcatenations(Layout layout) {
        check(layout, g -> {
            Value in = g.input("x", Input.image(4, 4, 2));
            Value x = Conv2D.pointwise(3).name("v").apply(in);
            Value a = Conv2D.pointwise(2).name("a").apply(in);
            Value b = Conv2D.pointwise(4).name("b").apply(in);
            Value y1 = Concatenate.create().name("y1").apply(x, a);
            Value y2 = Concatenate.create().name("y2").apply(b, x);
            return Add.create().name("out").apply(Conv2D.pointwise(2).apply(y1), Conv2D.pointwise(2).apply(y2));
        }, p -> {
            assertEquals(1, p.groups());
            assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("b"));
            assertEquals(new ConcatPlacement.Slot(0, 4), p.slot("v"));
            assertEquals(new ConcatPlacement.Slot(0, 7), p.slot("a"));
            assertEquals(new ConcatPlacement.Slot(0, 4), p.slot("y1"));
            assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("y2"));
        });
    }

    /**
     * Two concatenations that would put different values into the same channels ({@code [v, a]} and
     * {@code [v, b]}): the second keeps its own buffer and copies {@code v}; a value listed twice is copied the
     * second time.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void conflictingPlacementsFallBackToCopies(Layout layout) {
        check(layout, g -> {
            Value in = g.input("x", Input.image(4, 4, 2));
            Value x = Conv2D.pointwise(3).name("v").apply(in);
            Value a = Conv2D.pointwise(2).name("a").apply(in);
            Value b = Conv2D.pointwise(2).name("b").apply(in);
            Value y1 = Concatenate.create().name("y1").apply(x, a);
            Value y2 = Concatenate.create().name("y2").apply(x, b);
            Value d = Conv2D.pointwise(2).name("d").apply(in);
            Value y3 = Concatenate.create().name("y3").apply(d, d);
            Value s = Add.create().apply(Conv2D.pointwise(2).apply(y1), Conv2D.pointwise(2).apply(y2));
            return Add.create().name("out").apply(s, Conv2D.pointwise(2).apply(y3));
        }, p -> {
            assertEquals(p.slot("y1").group(), p.slot("v").group());
            assertEquals(new ConcatPlacement.Slot(p.slot("y1").group(), 3), p.slot("a"));
            assertNotEquals(p.slot("y2").group(), p.slot("v").group());
            assertEquals(new ConcatPlacement.Slot(p.slot("y2").group(), 3), p.slot("b"));
            assertEquals(new ConcatPlacement.Slot(p.slot("y3").group(), 0), p.slot("d"));
            assertEquals(4, p.placement.buffer(p.slot("y3").group()).c());
            assertTrue(p.copiesNothing("y1"));
            assertFalse(p.copiesNothing("y2"));
            assertFalse(p.copiesNothing("y3"));
        });
    }

    /**
     * The caller's tensors keep their contracts: a graph input is copied into its slice, and a value also read by a
     * layer that needs dense memory (flatten) keeps its own tensor. A concatenation that is a model output read by
     * no layer is placed, its buffer being the output (so the caller's tensor when it can hold it); an input it cannot
     * place without overlapping another group's copies is copied.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void inputsAndDenseReadersKeepTheirTensors(Layout layout) {
        check(layout, g -> {
            Value in = g.input("x", Input.image(3, 3, 2));
            Value a = Conv2D.pointwise(3).name("a").apply(in);
            Value f = Conv2D.pointwise(2).name("f").apply(in);
            Value y = Concatenate.create().name("y").apply(in, a, f);
            Value flat = Flatten.create().apply(f);
            Value z = Concatenate.create().name("z").apply(Conv2D.pointwise(2).name("c").apply(y), a);
            g.outputs(z, Dense.of(3).name("dense").apply(flat));
            return null;
        }, p -> {
            assertNull(p.slot("x"), "graph input");
            assertNull(p.slot("f"), "read by flatten");
            assertNotNull(p.slot("a"));
            assertEquals(p.slot("y").group(), p.slot("a").group());
            int out = p.slot("z").group();
            assertEquals(new ConcatPlacement.Slot(out, 0), p.slot("z"));
            assertEquals(new ConcatPlacement.Slot(out, 0), p.slot("c"));
            assertEquals(p.value("z"), p.placement.outputOf(out));
            assertEquals(-1, p.placement.outputOf(p.slot("y").group()));
            assertFalse(p.copiesNothing("z"), "a stays in y's buffer and is copied");
        });
    }

    /** Inception's pattern as the model's output: the branches write straight into the output. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void outputConcatenationIsTheBuffer(Layout layout) {
        check(layout, ConcatPlacementTest::inceptionOutput, p -> {
            assertEquals(1, p.groups());
            assertEquals(new ConcatPlacement.Slot(0, 0), p.slot("y"));
            assertEquals(new ConcatPlacement.Slot(0, 4), p.slot("b"));
            assertEquals(p.value("y"), p.placement.outputOf(0));
            assertTrue(p.copiesNothing("y"));
        });
    }

    /** A model output that a layer also reads keeps its own tensor: its concatenation copies as before. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void outputReadByALayerIsNotPlaced(Layout layout) {
        check(layout, g -> {
            Value x = g.input("x", Input.image(4, 4, 2));
            Value y = Concatenate.create().name("y").apply(Conv2D.pointwise(3).name("a").apply(x),
                    Conv2D.pointwise(2).name("b").apply(x));
            g.outputs(y, Conv2D.pointwise(2).name("after").apply(y));
            return null;
        }, p -> {
            assertNull(p.slot("y"));
            assertNull(p.slot("a"));
            assertEquals(0, p.groups());
        });
    }

    /**
     * The output tensors a caller passes: one in the model's layout becomes the buffer, one in the other layout
     * cannot, and gets the copy; passes of both kinds alternate on one compiled model (its activation arena kept
     * from pass to pass) with the same results as a model whose concatenations all copy.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void callersOutputTensorInEitherLayout(Layout layout) {
        Graph g = Graph.builder("concat-output", layout);
        g.outputs(inceptionOutput(g));
        Layout other = layout == Layout.NHWC ? Layout.NCHW : Layout.NHWC;
        try (Model model = g.seed(3).build(); Engine engine = Engine.open("reference");
             dev.fovea.tensor.TensorScope s = new dev.fovea.tensor.TensorScope()) {
            dev.fovea.tensor.Tensor x = s.allocate(model.inputShape(2), layout);
            x.copyFrom(input(model, 2));
            java.util.Map<Layout, float[]> copied = new java.util.EnumMap<>(Layout.class);
            try (Inference net = compileCopying(model, engine)) {
                for (Layout out : Layout.values()) {
                    dev.fovea.tensor.Tensor y = s.allocate(model.outputShape(0, 2), out);
                    net.predictInto(x, y);
                    copied.put(out, y.toArray());
                }
            }
            try (Inference net = model.compile(engine)) {
                assertEquals(1, net.placement().groups());
                for (Layout out : new Layout[] {layout, other, layout, other}) {
                    dev.fovea.tensor.Tensor y = s.allocate(model.outputShape(0, 2), out);
                    float[] stale = new float[Math.toIntExact(y.shape().elementCount())];
                    java.util.Arrays.fill(stale, Float.NaN);
                    y.copyFrom(stale); // every value must be written
                    net.predictInto(x, y);
                    assertArrayEquals(copied.get(out), y.toArray(), "output tensor " + out);
                }
            }
        }
    }

    /** Three branches of an input, concatenated as the model's output ("a" 4, "b" 5, "c" 3 channels). */
    private static Value inceptionOutput(Graph g) {
        Value x = g.input("x", Input.image(6, 6, 3));
        Value a = Conv2D.pointwise(4).name("a").apply(x);
        Value b = Conv2D.of(5, 3).padding(Padding.SAME).activation(Activation.RELU).name("b").apply(x);
        Value c = Pooling2D.max(3).stride(1).padding(Padding.SAME).name("c").apply(x);
        return Concatenate.create().name("y").apply(a, b, c);
    }

    /** The compiled placement, looked up by layer name. */
    private record Placed(Inference net, ConcatPlacement placement) {
        ConcatPlacement.Slot slot(String name) {
            return placement.slot(value(name));
        }

        boolean copiesNothing(String name) {
            return placement.copiesNothing(value(name));
        }

        int value(String name) {
            if (name.equals("x")) {
                return 0; // the graph input
            }
            for (Model.Step s : net.compiledSteps()) {
                if (s.node().name.equals(name)) {
                    return s.output();
                }
            }
            throw new AssertionError("no compiled step '" + name + "'");
        }

        int groups() {
            return placement.groups();
        }
    }

    /**
     * Builds the graph {@code body} returns the (last) output of, checks its placement, and compares its outputs at
     * batch 1 and 2, twice each (the second pass reuses the activation arena), with those of the copying graph.
     */
    private static void check(Layout layout, Function<Graph, Value> body, java.util.function.Consumer<Placed> expect) {
        Graph g = Graph.builder("concat-placement", layout);
        Value out = body.apply(g);
        if (out != null) {
            g.outputs(out);
        }
        Model model = g.seed(7).build();
        try (model; Engine engine = Engine.open("reference")) {
            float[][] copied = new float[3][];
            try (Inference net = compileCopying(model, engine)) {
                assertEquals(0, net.placement().groups());
                for (int batch = 1; batch <= 2; batch++) {
                    copied[batch] = net.predict(input(model, batch), batch);
                }
            }
            try (Inference net = model.compile(engine)) {
                expect.accept(new Placed(net, net.placement()));
                for (int batch = 1; batch <= 2; batch++) {
                    for (int pass = 0; pass < 2; pass++) {
                        assertArrayEquals(copied[batch], net.predict(input(model, batch), batch),
                                layout + " batch " + batch + " pass " + pass);
                    }
                }
            }
        }
    }

    /** {@code model} compiled with every concatenation copying (the reference the placed graphs must equal). */
    private static Inference compileCopying(Model model, Engine engine) {
        String before = System.getProperty(Inference.CONCAT_IN_PLACE_PROPERTY);
        System.setProperty(Inference.CONCAT_IN_PLACE_PROPERTY, "false");
        try {
            return model.compile(engine);
        } finally {
            if (before == null) {
                System.clearProperty(Inference.CONCAT_IN_PLACE_PROPERTY);
            } else {
                System.setProperty(Inference.CONCAT_IN_PLACE_PROPERTY, before);
            }
        }
    }

    private static float[] input(Model model, int batch) {
        SplittableRandom r = new SplittableRandom(batch);
        float[] x = new float[Math.toIntExact(model.inputShape(batch).elementCount())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        assertTrue(x.length > 0);
        return x;
    }
}
