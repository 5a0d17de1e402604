package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class GraphTest {

    /** A residual block with batch norm, squeeze-excitation and a two-output head. */
    private static Model residual(Layout layout) {
        Graph g = Graph.builder("residual", layout);
        Value x = g.input("image", Input.image(9, 7, 3));
        Value stem = Conv2D.of(8, 3).padding(Padding.SAME).useBias(false).apply(x);
        stem = BatchNormalization.create().epsilon(1e-5f).apply(stem);
        stem = ActivationLayer.relu().apply(stem);
        Value branch = Conv2D.of(8, 3).padding(Padding.SAME).apply(stem);
        branch = BatchNormalization.create().apply(branch);
        Value gate = Pooling2D.globalAverage().apply(branch);
        gate = Conv2D.pointwise(8).activation(Activation.SIGMOID).apply(gate);
        branch = Multiply.create().apply(branch, gate);
        Value sum = Add.create().apply(stem, branch);
        sum = ActivationLayer.of(Activation.RELU6).apply(sum);
        Value pooled = Pooling2D.max(2).apply(sum);
        Value flat = Reshape.to(-1).apply(pooled);
        Value logits = Dense.of(4).apply(flat);
        Value side = Concatenate.create().apply(Slice.of(1, 0, 3).apply(sum), Slice.of(1, 5, 8).apply(sum));
        Model m = g.outputs(logits, side).seed(7).build();
        // Random batch-norm statistics, so folding is really exercised.
        SplittableRandom r = new SplittableRandom(3);
        for (var e : m.namedWeights().entrySet()) {
            if (e.getKey().contains("moving_variance") || e.getKey().contains("gamma")) {
                float[] v = new float[(int) e.getValue().shape().elementCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.5 + r.nextDouble());
                }
                e.getValue().copyFrom(v);
            } else if (e.getKey().contains("moving_mean") || e.getKey().contains("beta")) {
                float[] v = new float[(int) e.getValue().shape().elementCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() - 0.5);
                }
                e.getValue().copyFrom(v);
            }
        }
        m.weightsChanged();
        return m;
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void fusedGraphEqualsTheLayerByLayerRun(Layout layout) {
        try (Model m = residual(layout); Engine e = Engine.open("reference"); Inference net = m.compile(e);
             TensorScope s = new TensorScope()) {
            float[] data = new float[2 * 3 * 9 * 7];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (r.nextDouble() * 2 - 1);
            }
            Tensor x = s.fromArray(data, Shape.of(2, 3, 9, 7), Layout.NCHW);
            List<Tensor> fused = net.predictAll(List.of(x), s);
            Map<String, Tensor> unfused = net.trace(x, s);
            assertEquals(2, fused.size());
            assertEquals(Shape.of(2, 4), fused.get(0).shape());
            assertEquals(Shape.of(2, 6, 9, 7), fused.get(1).shape());
            float[] a = fused.get(0).toArray();
            float[] b = unfused.get("dense").toArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), "logit " + i);
            }
            // The concatenated slices are channels 0–2 and 5–7 of the sum.
            Tensor sum = unfused.get("activation");
            Tensor side = fused.get(1);
            assertEquals(sum.get(1, 6, 4, 2), side.get(1, 4, 4, 2), 1e-5);
            assertEquals(sum.get(0, 1, 0, 0), side.get(0, 1, 0, 0), 1e-5);
        }
    }

    @Test
    void compilingFoldsBatchNormAndFusesActivationsAndPooling() {
        try (Model m = residual(Layout.NHWC); Engine e = Engine.open("reference"); Inference net = m.compile(e)) {
            List<String> kinds = net.compiledSteps().stream().map(s -> s.node().getClass().getSimpleName()).toList();
            // conv+BN+ReLU → one folded convolution; the second BN folds too; ReLU6 fuses into the Add; the max
            // pooling joins nothing (its input, the Add, is no convolution).
            assertEquals(m.steps().size() - 4, kinds.size(), kinds.toString());
            assertEquals(2, kinds.stream().filter("FoldedConv"::equals).count(), kinds.toString());
            assertTrue(kinds.stream().noneMatch(k -> k.equals("BatchNormNode") || k.equals("ActivationNode")),
                    kinds.toString());
        }
    }

    @Test
    void summaryShowsWhatEachLayerReads() {
        try (Model m = residual(Layout.NHWC)) {
            String s = m.summary();
            assertTrue(s.contains("Connected to"), s);
            assertTrue(s.lines().anyMatch(l -> l.startsWith(" add (Add)") && l.endsWith("re_lu, multiply")), s);
            assertEquals(List.of("dense", "concatenate"), m.outputNames());
        }
    }

    @Test
    void mismatchedShapesFailAtTheLayerThatMakesThem() {
        Graph g = Graph.builder("bad", Layout.NCHW);
        Value x = g.input("image", Input.image(8, 8, 3));
        Value y = Conv2D.of(4, 3).apply(x);
        ValidationException e = assertThrows(ValidationException.class, () -> Add.create().name("sum").apply(x, y));
        assertTrue(e.getMessage().contains("Add 'sum'") && e.getMessage().contains("do not broadcast"),
                e.getMessage());
    }

    @Test
    void predictUsesNewWeightsOfFoldedBatchNorm() {
        try (Model m = residual(Layout.NCHW); Engine e = Engine.open("reference"); Inference net = m.compile(e)) {
            float[] x = new float[3 * 9 * 7];
            java.util.Arrays.fill(x, 0.5f);
            float[] before = net.predict(x, 1);
            m.setWeights("batch_normalization", List.of(new float[8], new float[8], new float[8], ones(8)));
            float[] after = net.predict(x, 1);
            assertTrue(!java.util.Arrays.equals(before, after), "folded weights must follow setWeights");
            assertArrayEquals(after, net.predict(x, 1));
        }
    }

    private static float[] ones(int n) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, 1f);
        return f;
    }
}
