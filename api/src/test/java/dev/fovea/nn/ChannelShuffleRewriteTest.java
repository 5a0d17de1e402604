package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ShuffleNet's channel shuffle as ONNX exports write it (reshape, transpose of axes 1 and 2, reshape back) compiled
 * as one channel permutation, with the same results as the three layers; left alone where it is anything else.
 */
class ChannelShuffleRewriteTest {

    /** conv (12 channels) → shuffle in {@code groups} groups with transpose {@code perm} → concat with a branch. */
    private static Model shuffled(Layout layout, int groups, int[] perm) {
        Graph g = Graph.builder("shuffle", layout);
        Value in = g.input("image", Input.image(5, 6, 3));
        Value x = Conv2D.of(12, 3).padding(Padding.SAME).apply(in);
        Value s = Reshape.to(groups, 12 / groups, 5, 6).apply(x);
        s = Transpose.of(perm).apply(s);
        s = Reshape.to(12, 5, 6).name("shuffled").apply(s);
        Value other = Conv2D.of(4, 1).apply(in);
        Value joined = Concatenate.create().name("joined").apply(s, other);
        return g.outputs(joined).seed(7).build();
    }

    private static List<String> kinds(Inference net) {
        return net.compiledSteps().stream().map(s -> Profile.kind(s.node())).toList();
    }

    /** The compiled model's output against the layer-by-layer run of the graph as built. */
    private static void assertSameAsUnrewritten(Model m, Engine e) {
        try (Inference net = m.compile(e); TensorScope s = new TensorScope()) {
            float[] data = new float[2 * (int) m.inputs().getFirst().shape(1).elementCount()];
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (r.nextDouble() * 2 - 1);
            }
            Tensor x = s.fromArray(data, m.inputs().getFirst().shape(2), Layout.NCHW);
            float[] compiled = net.predict(x, s).toArray();
            Map<String, Tensor> unfused = net.trace(x, s);
            float[] plain = unfused.get("joined").toArray();
            assertEquals(plain.length, compiled.length);
            for (int i = 0; i < compiled.length; i++) {
                assertEquals(plain[i], compiled[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void reshapeTransposeReshapeBecomesOneShuffle() {
        for (Layout layout : Layout.values()) {
            for (int groups : new int[] {2, 3, 4}) {
                try (Model m = shuffled(layout, groups, new int[] {0, 2, 1, 3, 4}); Engine e = Engine.open("reference");
                     Inference net = m.compile(e)) {
                    List<String> kinds = kinds(net);
                    assertFalse(kinds.contains("reshape"), kinds.toString());
                    assertEquals(1, kinds.stream().filter("transpose"::equals).count(), kinds.toString());
                }
                try (Model m = shuffled(layout, groups, new int[] {0, 2, 1, 3, 4}); Engine e = Engine.open("reference")) {
                    assertSameAsUnrewritten(m, e);
                }
            }
        }
    }

    @Test
    void anotherTransposeIsLeftAlone() {
        try (Model m = shuffled(Layout.NHWC, 2, new int[] {0, 1, 2, 4, 3}); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            assertTrue(kinds(net).contains("reshape"), kinds(net).toString());
        }
    }
}
