package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Trainable;
import dev.fovea.nn.Value;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization in training mode on the reference backend: gradients through the batch statistics against
 * central finite differences of the training-mode loss, the moving averages, the inference form after training
 * (folded into the convolution by compiling) and frozen layers.
 */
class BatchNormTrainingTest {
    private static final int H = 4;
    private static final int W = 4;
    private static final int C = 2;
    private final Engine engine = Engine.open("reference");

    /** conv → BN → ReLU → conv → BN, added to the first BN's output, ReLU → dense. */
    static Model residualBn(Layout layout) {
        Graph g = Graph.builder("residual-bn", layout);
        Value x = g.input("image", Input.image(H, W, C));
        Value a = BatchNormalization.create().momentum(0.9f).name("bn1")
                .apply(Conv2D.of(3, 3).padding(Padding.SAME).useBias(false).name("conv1").apply(x));
        Value r = ActivationLayer.of(Activation.TANH).apply(a);
        Value b = BatchNormalization.create().name("bn2")
                .apply(Conv2D.of(3, 3).padding(Padding.SAME).name("conv2").apply(r));
        Value sum = Add.create().activation(Activation.TANH).apply(a, b);
        return g.outputs(Dense.of(3).softmax().name("head").apply(Flatten.create().apply(sum))).seed(3).build();
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void gradientsThroughTheBatchStatisticsMatchFiniteDifferences(Layout layout) {
        Model model = residualBn(layout);
        SplittableRandom rnd = new SplittableRandom(5);
        for (Map.Entry<String, Tensor> e : model.namedWeights().entrySet()) {
            if (e.getKey().contains("moving")) {
                continue;
            }
            float[] v = e.getValue().toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            e.getValue().copyFrom(v);
        }
        Loss loss = Loss.softmaxCrossEntropy();
        Loss.Targets targets = new Loss.Targets(new int[] {0, 2, 1, 1}, null);
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine)) {
            Tensor x = randomInput(s, model, 4, rnd);
            try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), 0)) {
                Tensor d = pass.allocate(pass.output().shape());
                loss.compute(engine, pass.output(), targets, d);
                pass.backward(d);
            }
            assertFalse(t.gradients().containsKey("bn1.moving_mean"), "moving statistics are not learned");
            assertTrue(t.gradients().containsKey("bn1.gamma"));
            for (Map.Entry<String, Tensor> e : t.gradients().entrySet()) {
                float[] analytic = e.getValue().toArray();
                Tensor w = model.namedWeights().get(e.getKey());
                float[] v = w.toArray();
                double maxAbs = 0;
                for (int i = 0; i < v.length; i++) {
                    float orig = v[i];
                    v[i] = orig + 1e-3f;
                    w.copyFrom(v);
                    double lp = trainingLoss(t, x, loss, targets);
                    v[i] = orig - 1e-3f;
                    w.copyFrom(v);
                    double lm = trainingLoss(t, x, loss, targets);
                    v[i] = orig;
                    w.copyFrom(v);
                    double numeric = (lp - lm) / ((double) (orig + 1e-3f) - (orig - 1e-3f));
                    maxAbs = Math.max(maxAbs, Math.abs(numeric));
                    if (Math.abs(numeric - analytic[i]) > 2e-3 + 2e-2 * Math.abs(numeric)) {
                        fail(layout + " " + e.getKey() + "[" + i + "] analytic " + analytic[i]
                                + " vs finite difference " + numeric);
                    }
                }
                if (e.getKey().equals("conv2.bias")) {
                    // A bias before batch normalization is subtracted again with the batch mean: no gradient.
                    assertTrue(maxAbs < 1e-4, "conv2.bias gradient " + maxAbs);
                } else {
                    assertTrue(maxAbs > 1e-4, e.getKey() + ": gradients all ~0, the check would be vacuous");
                }
            }
        }
    }

    @Test
    void eachTrainingPassMovesTheMovingAveragesTowardTheBatchStatistics() {
        Model model = residualBn(Layout.NHWC);
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine)) {
            Tensor x = randomInput(s, model, 5, new SplittableRandom(9));
            // The first BN's input is conv1's output: compute it with conv1 alone (same weights, no bias).
            Graph g = Graph.builder("conv-only", Layout.NHWC);
            Value in = g.input("image", Input.image(H, W, C));
            Model conv = g.outputs(Conv2D.of(3, 3).padding(Padding.SAME).useBias(false).name("conv1").apply(in))
                    .build();
            conv.setWeights("conv1", model.getWeights("conv1"));
            float[] y;
            try (Inference inf = conv.compile(engine)) {
                y = inf.predict(x.toArray(), 5);
            }
            int m = y.length / 3;
            double[] mean = new double[3];
            double[] var = new double[3];
            for (int i = 0; i < y.length; i++) {
                mean[i % 3] += y[i] / m;
            }
            for (int i = 0; i < y.length; i++) {
                var[i % 3] += (y[i] - mean[i % 3]) * (y[i] - mean[i % 3]) / m;
            }
            t.forward(x, true, false, 0).close();
            float[] movingMean = model.getWeights("bn1").get(2);
            float[] movingVar = model.getWeights("bn1").get(3);
            for (int c = 0; c < 3; c++) {
                assertEquals(0.1 * mean[c], movingMean[c], 1e-5, "moving mean " + c);
                assertEquals(0.9 + 0.1 * var[c], movingVar[c], 1e-5, "moving variance " + c);
            }
            try (Trainable.Pass pass = t.forward(x, false, false, 0)) {
                assertEquals(movingMean[0], model.getWeights("bn1").get(2)[0], "evaluation leaves them alone");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void afterTrainingTheCompiledModelUsesTheMovingStatistics(Layout layout) {
        Model model = residualBn(layout);
        Loss loss = Loss.softmaxCrossEntropy();
        Loss.Targets targets = new Loss.Targets(new int[] {0, 1, 2, 0, 1, 2}, null);
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine)) {
            Tensor x = randomInput(s, model, 6, new SplittableRandom(2));
            Optimizer opt = Optimizer.adam();
            for (int step = 0; step < 20; step++) {
                try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), step)) {
                    Tensor d = pass.allocate(pass.output().shape());
                    loss.compute(engine, pass.output(), targets, d);
                    pass.backward(d);
                }
                opt.step(engine, t.learnedWeights(), t.gradients(), 0.01);
                t.weightsChanged();
            }
            float[] eval;
            try (Trainable.Pass pass = t.forward(x, false, false, 0)) {
                eval = pass.output().toArray();
            }
            float[] compiled;
            try (Inference inf = model.compile(engine)) {
                compiled = inf.predict(x.toArray(), 6);
            }
            for (int i = 0; i < eval.length; i++) {
                assertEquals(eval[i], compiled[i], 1e-4, "output " + i);
            }
            assertTrue(model.getWeights("bn2").get(3)[0] != 1f, "the moving variance moved");
        }
    }

    @Test
    void frozenLayersKeepTheirWeightsAndStatistics() {
        Model model = residualBn(Layout.NHWC);
        Map<String, float[]> before = new java.util.HashMap<>();
        model.namedWeights().forEach((k, v) -> before.put(k, v.toArray()));
        Loss loss = Loss.softmaxCrossEntropy();
        Loss.Targets targets = new Loss.Targets(new int[] {0, 1, 2, 0}, null);
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine, Set.of("conv1", "bn1"))) {
            assertFalse(t.gradients().containsKey("conv1.kernel"));
            assertFalse(t.gradients().containsKey("bn1.gamma"));
            Tensor x = randomInput(s, model, 4, new SplittableRandom(4));
            Optimizer opt = Optimizer.adam();
            for (int step = 0; step < 3; step++) {
                try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), step)) {
                    Tensor d = pass.allocate(pass.output().shape());
                    loss.compute(engine, pass.output(), targets, d);
                    pass.backward(d);
                }
                opt.step(engine, t.learnedWeights(), t.gradients(), 0.01);
                t.weightsChanged();
            }
        }
        model.namedWeights().forEach((k, v) -> {
            boolean frozen = k.startsWith("conv1.") || k.startsWith("bn1.");
            assertEquals(frozen, java.util.Arrays.equals(before.get(k), v.toArray()), k);
        });
    }

    private static double trainingLoss(Trainable t, Tensor x, Loss loss, Loss.Targets targets) {
        t.weightsChanged();
        try (Trainable.Pass p = t.forward(x, true, loss.wantsLogits(), 0)) {
            return loss.compute(t.engine(), p.output(), targets, null);
        }
    }

    private static Tensor randomInput(TensorScope s, Model model, int n, SplittableRandom rnd) {
        float[] xv = new float[Math.toIntExact(model.inputShape(n).elementCount())];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return s.fromArray(xv, model.inputShape(n), model.layout());
    }
}
