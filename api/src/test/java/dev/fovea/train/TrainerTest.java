package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private final Engine engine = Engine.open("reference");

    /** A small CNN for 28×28 images that the reference backend trains in seconds. */
    static Model tinyCnn(long seed) {
        return Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("tiny").seed(seed)
                .add(Conv2D.of(4, 3).stride(2).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dropout.of(0.1))
                .add(Dense.of(10).softmax())
                .build();
    }

    @Test
    void sgdMomentumAndNesterovFollowTheirDefinitions() {
        // One weight, gradients 1 then 2 (w starts at 0), lr 0.1, μ 0.5.
        float[] w = {0};
        Optimizer.Sgd plain = Optimizer.sgd(0.5, false);
        plain.update("w", w, new float[] {1}, 0.1, 1);   // v = 1, w = -0.1
        plain.update("w", w, new float[] {2}, 0.1, 2);   // v = 0.5 + 2 = 2.5, w = -0.35
        assertEquals(-0.35f, w[0], 1e-7);
        float[] n = {0};
        Optimizer.Sgd nesterov = Optimizer.sgd(0.5, true);
        nesterov.update("w", n, new float[] {1}, 0.1, 1); // v = 1, step = 1 + 0.5 = 1.5
        nesterov.update("w", n, new float[] {2}, 0.1, 2); // v = 2.5, step = 2 + 1.25 = 3.25
        assertEquals(-0.475f, n[0], 1e-7);
        float[] d = {2};
        Optimizer.sgd().weightDecay(0.5).update("w", d, new float[] {0}, 0.1, 1); // g = 0 + 0.5·2
        assertEquals(1.9f, d[0], 1e-7);
    }

    @Test
    void adamFollowsItsDefinition() {
        float[] w = {1};
        Optimizer.Adam adam = Optimizer.adam();
        adam.update("w", w, new float[] {0.5f}, 0.01, 1);
        // First step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr.
        assertEquals(1 - 0.01, w[0], 1e-6);
        adam.update("w", w, new float[] {-1f}, 0.01, 2);
        double m = 0.9 * 0.05 + 0.1 * -1;
        double v = 0.999 * 0.00025 + 0.001 * 1;
        double expected = 0.99 - 0.01 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.998001)) + 1e-8);
        assertEquals(expected, w[0], 1e-6);
        float[] dw = {1};
        Optimizer.adamW(0.1).update("w", dw, new float[] {0}, 0.01, 1); // decoupled: w −= lr·wd·w, no gradient step
        assertEquals(1 - 0.001, dw[0], 1e-7);
    }

    @Test
    void adamBiasCorrectionFollowsTheStepCountOverSeveralSteps() {
        // Through step(): the optimizer counts its steps, and each step's bias correction uses that count. Checked
        // against PyTorch's definition in double, for Adam with L2 decay and AdamW, over six steps.
        double[][] grads = {{0.5, -2}, {-1, 0.25}, {0.75, 1}, {0.1, -0.3}, {-0.6, 0.9}, {2, -1}};
        for (boolean decoupled : new boolean[] {false, true}) {
            Optimizer opt = decoupled ? Optimizer.adamW(0.05) : Optimizer.adam().weightDecay(0.05);
            double lr = 0.01;
            double[] w = {1, -0.5};
            double[] m = new double[2];
            double[] v = new double[2];
            try (dev.fovea.engine.Engine engine = dev.fovea.engine.Engine.open("reference");
                 dev.fovea.tensor.TensorScope s = new dev.fovea.tensor.TensorScope()) {
                var wt = s.fromArray(new float[] {1, -0.5f}, dev.fovea.tensor.Shape.of(2),
                        dev.fovea.tensor.Layout.NCHW);
                var gt = s.allocate(dev.fovea.tensor.Shape.of(2), dev.fovea.tensor.Layout.NCHW);
                for (int t = 1; t <= grads.length; t++) {
                    gt.copyFrom(new float[] {(float) grads[t - 1][0], (float) grads[t - 1][1]});
                    opt.step(engine, java.util.Map.of("w", wt), java.util.Map.of("w", gt), lr);
                    for (int i = 0; i < 2; i++) {
                        double wi = (float) w[i];
                        double g = (float) grads[t - 1][i] + (decoupled ? 0 : 0.05 * wi);
                        m[i] = 0.9 * m[i] + 0.1 * g;
                        v[i] = 0.999 * v[i] + 0.001 * g * g;
                        double mHat = m[i] / (1 - Math.pow(0.9, t));
                        double vHat = v[i] / (1 - Math.pow(0.999, t));
                        w[i] = (decoupled ? wi * (1 - lr * 0.05) : wi) - lr * mHat / (Math.sqrt(vHat) + 1e-8);
                    }
                    float[] got = wt.toArray();
                    assertEquals(t, opt.steps());
                    assertEquals(w[0], got[0], 2e-6, (decoupled ? "AdamW" : "Adam") + " step " + t + " w[0]");
                    assertEquals(w[1], got[1], 2e-6, (decoupled ? "AdamW" : "Adam") + " step " + t + " w[1]");
                }
            }
        }
    }

    @Test
    void schedules() {
        assertEquals(0.1, Schedule.constant().rate(0.1, 3, 0.5));
        assertEquals(0.1 * 0.25, Schedule.step(2, 0.5).rate(0.1, 4, 0.9), 1e-15);
        assertEquals(0.1, Schedule.step(2, 0.5).rate(0.1, 1, 0.2), 1e-15);
        assertEquals(0.1, Schedule.cosine(0).rate(0.1, 0, 0), 1e-15);
        assertEquals(0.05, Schedule.cosine(0).rate(0.1, 0, 0.5), 1e-15);
        assertEquals(0.01 + 0.09 * (1 + Math.cos(Math.PI * 0.25)) / 2, Schedule.cosine(0.1).rate(0.1, 0, 0.25), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Schedule.step(0, 0.5));
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot() {
        Dataset train = Datasets.fashionMnistSample().train().head(96);
        Map<String, float[]> a = trainedWeights(train, 7);
        Map<String, float[]> b = trainedWeights(train, 7);
        Map<String, float[]> c = trainedWeights(train, 8);
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
        }
        assertFalse(java.util.Arrays.equals(a.get("dense.kernel"), c.get("dense.kernel")),
                "another shuffling/dropout seed gives other weights");
    }

    @Test
    void anInferenceCompiledBeforeTrainingPredictsWithTheTrainedWeights() {
        Dataset train = Datasets.fashionMnistSample().train().head(64);
        float[] x;
        try (TensorScope s = new TensorScope()) {
            x = train.batch(train.identityOrder(), 0, 3, s).toArray();
        }
        try (Model m = tinyCnn(1); Inference net = m.compile(engine);
             Trainer t = Trainer.builder(m, engine).batchSize(32).epochs(1).seed(1).build()) {
            float[] before = net.predict(x, 3);
            t.fit(train, null);
            float[] after = net.predict(x, 3);
            assertFalse(java.util.Arrays.equals(before, after), "training changed the weights");
            try (Inference fresh = m.compile(engine)) {
                assertArrayEquals(fresh.predict(x, 3), after);
            }
        }
    }

    @Test
    void nullArgumentsAreNamed() {
        try (Model m = tinyCnn(1)) {
            assertEquals("model", assertThrows(NullPointerException.class, () -> Trainer.builder(null, engine))
                    .getMessage());
            assertEquals("engine", assertThrows(NullPointerException.class, () -> Trainer.builder(m, null))
                    .getMessage());
            assertEquals("callback", assertThrows(NullPointerException.class,
                    () -> Trainer.builder(m, engine).callback(null)).getMessage());
            try (Trainer t = Trainer.builder(m, engine).build()) {
                assertEquals("train", assertThrows(NullPointerException.class, () -> t.fit(null, null))
                        .getMessage());
            }
        }
    }

    private Map<String, float[]> trainedWeights(Dataset train, long seed) {
        try (Model m = tinyCnn(1);
             Trainer t = Trainer.builder(m, engine).optimizer(Optimizer.sgd(0.9, true)).learningRate(0.05)
                     .batchSize(32).epochs(2).seed(seed).build()) {
            t.fit(train, null);
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            m.namedWeights().forEach((k, v) -> out.put(k, v.toArray()));
            return out;
        }
    }

    @Test
    void fitLearnsTheSampleAndReportsThroughCallbacks() {
        Datasets.Split data = Datasets.fashionMnistSample();
        List<Callback.BatchEnd> batches = new ArrayList<>();
        List<Callback.EpochEnd> epochs = new ArrayList<>();
        try (Model m = tinyCnn(0);
             Trainer t = Trainer.builder(m, engine).optimizer(Optimizer.adam()).learningRate(3e-3).batchSize(50)
                     .epochs(3).seed(1).schedule(Schedule.cosine(0.1)).callback(new Callback() {
                         @Override
                         public void onBatch(BatchEnd b) {
                             batches.add(b);
                         }

                         @Override
                         public void onEpoch(EpochEnd e) {
                             epochs.add(e);
                         }
                     }).build()) {
            Evaluation before = t.evaluate(data.test());
            List<Callback.EpochEnd> history = t.fit(data.train(), data.test());
            assertEquals(history, epochs);
            assertEquals(3 * 20, batches.size());
            assertEquals(1000, batches.get(19).examples());
            assertTrue(batches.get(59).learningRate() < batches.get(0).learningRate(), "cosine schedule decays");
            Evaluation after = history.getLast().test();
            assertEquals(200, after.count());
            assertTrue(before.accuracy() < 0.3, "untrained: " + before);
            assertTrue(after.accuracy() > 0.6, "trained on 1,000 images for 3 epochs: " + after);
            assertTrue(history.getLast().trainLoss() < history.getFirst().trainLoss(), "training loss falls");
            // The evaluation agrees with compiled inference of the trained weights.
            try (var inf = m.compile(engine); TensorScope s = new TensorScope()) {
                Tensor x = data.test().batch(data.test().identityOrder(), 0, 200, s);
                float[] probs = inf.predict(x, s).toArray();
                long ok = 0;
                for (int i = 0; i < 200; i++) {
                    int best = 0;
                    for (int j = 1; j < 10; j++) {
                        best = probs[i * 10 + j] > probs[i * 10 + best] ? j : best;
                    }
                    ok += best == data.test().label(i) ? 1 : 0;
                }
                assertEquals(after.accuracy(), ok / 200.0, 1e-12);
            }
        }
    }

    @Test
    void badSettingsAndMismatchedDataAreRefused() {
        try (Model m = tinyCnn(0)) {
            var e = assertThrows(ValidationException.class, () -> Trainer.builder(m, engine).batchSize(0).epochs(0)
                    .learningRate(-1).build());
            assertTrue(e.getMessage().contains("batch size 0") && e.getMessage().contains("epochs 0")
                    && e.getMessage().contains("learning rate -1"), e.getMessage());
            Model wrong = Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).add(Flatten.create())
                    .add(Dense.of(3).softmax()).build();
            try (Trainer t = Trainer.builder(wrong, engine).build()) {
                var e2 = assertThrows(ValidationException.class,
                        () -> t.fit(Datasets.fashionMnistSample().test(), null));
                assertTrue(e2.getMessage().contains("10 classes"), e2.getMessage());
            }
        }
    }
}
