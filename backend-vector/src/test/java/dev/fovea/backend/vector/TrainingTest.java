package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Trainable;
import dev.fovea.op.Activation;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import dev.fovea.train.Callback;
import dev.fovea.train.Loss;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training on the vector backend: gradients as the reference's, determinism, and learning. */
class TrainingTest {
    /** fashion-cnn's structure, narrower: conv–ReLU–max pool twice, then two dense layers. */
    static Model smallCnn(long seed, Layout layout) {
        return Sequential.builder(Input.image(28, 28, 1), layout).name("small").seed(seed)
                .add(Conv2D.of(8, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(16, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(32).activation(Activation.RELU))
                .add(Dense.of(10).softmax())
                .build();
    }

    @Test
    void gradientsOfAWholeModelMatchTheReference() {
        Dataset data = Datasets.fashionMnistSample().train();
        for (Layout layout : Layout.values()) {
            Map<String, float[]> ref = gradients(Oracle.REFERENCE, data, layout);
            Map<String, float[]> vec = gradients(Oracle.VECTOR, data, layout);
            for (String name : ref.keySet()) {
                float[] e = ref.get(name);
                float[] a = vec.get(name);
                double scale = 0;
                for (float v : e) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < e.length; i++) {
                    assertEquals(e[i], a[i], 1e-4 * scale + 1e-7, layout + " " + name + "[" + i + "]");
                }
            }
        }
    }

    private static Map<String, float[]> gradients(Engine engine, Dataset data, Layout layout) {
        try (Model m = smallCnn(3, layout); Trainable t = Trainable.of(m, engine); TensorScope s = new TensorScope()) {
            int[] order = data.identityOrder();
            Tensor x = data.batch(order, 0, 24, s);
            int[] labels = data.labels(order, 0, 24);
            try (Trainable.Pass pass = t.forward(x, true, true, 0)) {
                Tensor d = pass.allocate(pass.output().shape());
                Loss.softmaxCrossEntropy().compute(engine, pass.output(), new Loss.Targets(labels, null), d);
                pass.backward(d);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            t.gradients().forEach((k, v) -> out.put(k, v.toArray()));
            return out;
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsForOneOrTwoThreads() {
        Dataset train = Datasets.fashionMnistSample().train().head(320);
        Map<String, float[]> a = train(train, 2);
        Map<String, float[]> b = train(train, 2);
        Map<String, float[]> c = train(train, 1);
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), "2 threads, twice: " + k);
            assertArrayEquals(a.get(k), c.get(k), "1 and 2 threads: " + k);
        }
    }

    private static Map<String, float[]> train(Dataset data, int threads) {
        try (Engine engine = Engine.open(VectorBackendProvider.NAME, new BackendOptions(threads));
             Model m = smallCnn(1, Layout.NHWC);
             Trainer t = Trainer.builder(m, engine).optimizer(Optimizer.adam()).learningRate(2e-3).batchSize(64)
                     .epochs(2).seed(5).build()) {
            t.fit(data, null);
            Map<String, float[]> out = new LinkedHashMap<>();
            m.namedWeights().forEach((k, v) -> out.put(k, v.toArray()));
            return out;
        }
    }

    @Test
    void learnsTheSample() {
        Datasets.Split data = Datasets.fashionMnistSample();
        try (Model m = smallCnn(0, Layout.NHWC);
             Trainer t = Trainer.builder(m, Oracle.VECTOR).optimizer(Optimizer.adam()).learningRate(3e-3)
                     .batchSize(50).epochs(4).seed(1).build()) {
            List<Callback.EpochEnd> history = t.fit(data.train(), data.test());
            assertTrue(history.getLast().test().accuracy() > 0.65, "after 4 epochs on 1,000 images: " + history);
            assertTrue(history.getLast().trainLoss() < history.getFirst().trainLoss(), "training loss falls");
        }
    }
}
