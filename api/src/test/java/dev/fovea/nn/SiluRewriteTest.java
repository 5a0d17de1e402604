package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * {@code x · sigmoid(x)} compiled as one SiLU ({@code x · hardSigmoid(x)} as hard swish), and left alone where it is
 * not exactly that.
 */
class SiluRewriteTest {

    /** conv → BN → {@code mul(x, s)} with {@code s = sigmoid(x)}, operands ordered by {@code order}. */
    private static Model convBnSilu(BiFunction<Value, Value, List<Value>> order) {
        Graph g = Graph.builder("silu", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).useBias(false).apply(in);
        x = BatchNormalization.create().apply(x);
        Value s = ActivationLayer.of(Activation.SIGMOID).apply(x);
        List<Value> operands = order.apply(x, s);
        Value y = Multiply.create().name("swish").apply(operands.get(0), operands.get(1));
        return g.outputs(y).seed(5).build();
    }

    private static List<String> kinds(Inference net) {
        return net.compiledSteps().stream().map(s -> Profile.kind(s.node())).toList();
    }

    /** The compiled model's output against the layer-by-layer run of the graph as built. */
    private static void assertSameAsUnrewritten(Model m, String lastLayer) {
        try (Engine e = Engine.open("reference"); Inference net = m.compile(e); TensorScope s = new TensorScope()) {
            float[] data = new float[2 * (int) m.inputs().getFirst().shape(1).elementCount()];
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (r.nextDouble() * 8 - 4);
            }
            Tensor x = s.fromArray(data, m.inputs().getFirst().shape(2), Layout.NCHW);
            float[] fused = net.predict(x, s).toArray();
            Map<String, Tensor> unfused = net.trace(x, s);
            float[] plain = unfused.get(lastLayer).toArray();
            assertEquals(plain.length, fused.length);
            for (int i = 0; i < fused.length; i++) {
                assertEquals(plain[i], fused[i], 1e-6 * (1 + Math.abs(plain[i])), "element " + i);
            }
        }
    }

    @Test
    void sigmoidTimesItsInputBecomesSiluFusedIntoTheConvolution() {
        for (BiFunction<Value, Value, List<Value>> order : List.<BiFunction<Value, Value, List<Value>>>of(
                (x, s) -> List.of(x, s), (x, s) -> List.of(s, x))) {
            try (Model m = convBnSilu(order); Engine e = Engine.open("reference"); Inference net = m.compile(e)) {
                assertEquals(List.of("conv 3×3 s1 silu"), kinds(net));
            }
            try (Model m = convBnSilu(order)) {
                assertSameAsUnrewritten(m, "swish");
            }
        }
    }

    @Test
    void sigmoidWithAnotherReaderIsLeftAlone() {
        Graph g = Graph.builder("two-readers", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value s = ActivationLayer.of(Activation.SIGMOID).apply(x);
        Value y = Multiply.create().apply(x, s);
        Value sum = Add.create().name("sum").apply(y, s);
        try (Model m = g.outputs(sum).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertTrue(kinds(net).contains("sigmoid") && kinds(net).contains("mul"), kinds(net).toString());
            assertSameAsUnrewritten(m, "sum");
        }
    }

    @Test
    void sigmoidAsAModelOutputIsLeftAlone() {
        Graph g = Graph.builder("gate-out", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value s = ActivationLayer.of(Activation.SIGMOID).apply(x);
        Value y = Multiply.create().apply(x, s);
        try (Model m = g.outputs(y, s).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertTrue(kinds(net).contains("sigmoid") && kinds(net).contains("mul"), kinds(net).toString());
        }
    }

    @Test
    void productOfAnotherTensorAndTheSigmoidIsLeftAlone() {
        Graph g = Graph.builder("gated", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value other = Conv2D.of(4, 1).apply(in);
        Value s = ActivationLayer.of(Activation.SIGMOID).apply(x);
        Value y = Multiply.create().name("gated").apply(other, s);
        try (Model m = g.outputs(y).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            // The sigmoid fuses into its convolution as usual; the product stays a product.
            assertTrue(kinds(net).contains("conv 3×3 s1 sigmoid") && kinds(net).contains("mul"), kinds(net).toString());
            assertSameAsUnrewritten(m, "gated");
        }
    }

    @Test
    void productWithAnActivationOrABroadcastIsLeftAlone() {
        Graph g = Graph.builder("relu-product", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value s = ActivationLayer.of(Activation.SIGMOID).apply(x);
        Value y = Multiply.create().activation(Activation.RELU).apply(x, s);
        try (Model m = g.outputs(y).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertTrue(kinds(net).contains("mul relu"), kinds(net).toString());
        }
        // A [N, C, 1, 1] gate: sigmoid of the pooled tensor, not of x.
        Graph h = Graph.builder("se", Layout.NHWC);
        Value in2 = h.input("image", Input.image(6, 5, 3));
        Value x2 = Conv2D.of(4, 3).padding(Padding.SAME).apply(in2);
        Value pooled = Pooling2D.globalAverage().apply(x2);
        Value gate = ActivationLayer.of(Activation.SIGMOID).apply(pooled);
        Value y2 = Multiply.create().apply(x2, gate);
        try (Model m = h.outputs(y2).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertTrue(kinds(net).contains("mul broadcast"), kinds(net).toString());
        }
    }

    @Test
    void siluAfterAnElementwiseAddFusesIntoTheAdd() {
        Graph g = Graph.builder("add-silu", Layout.NCHW);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value a = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value b = Conv2D.of(4, 1).apply(in);
        Value x = Add.create().apply(a, b);
        Value y = Multiply.create().name("swish").apply(ActivationLayer.of(Activation.SIGMOID).apply(x), x);
        try (Model m = g.outputs(y).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertEquals("add silu", kinds(net).getLast(), kinds(net).toString());
            assertSameAsUnrewritten(m, "swish");
        }
    }

    @Test
    void hardSigmoidTimesItsInputBecomesHardSwish() {
        Graph g = Graph.builder("hard-swish", Layout.NHWC);
        Value in = g.input("image", Input.image(6, 5, 3));
        Value x = Conv2D.of(4, 3).padding(Padding.SAME).apply(in);
        Value y = Multiply.create().name("hswish").apply(x, ActivationLayer.of(Activation.HARD_SIGMOID).apply(x));
        try (Model m = g.outputs(y).seed(5).build(); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertEquals(List.of("conv 3×3 s1 hard_swish"), kinds(net));
            assertSameAsUnrewritten(m, "hswish");
        }
    }
}
