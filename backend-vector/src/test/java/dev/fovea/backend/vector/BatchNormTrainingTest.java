package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Value;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Layout;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization trained on the vector backend: its statistics are over the whole batch whatever the thread
 * count (fixed blocks summed in order), so one and two threads give bit-identical weights and moving statistics.
 */
class BatchNormTrainingTest {
    private static Model residualBn() {
        Graph g = Graph.builder("residual-bn", Layout.NHWC);
        Value x = g.input("image", Input.image(28, 28, 1));
        Value a = Conv2D.of(8, 3).stride(2).padding(Padding.SAME).useBias(false).apply(x);
        a = ActivationLayer.relu().apply(BatchNormalization.create().momentum(0.9f).apply(a));
        Value b = BatchNormalization.create().apply(Conv2D.of(8, 3).padding(Padding.SAME).useBias(false).apply(a));
        Value sum = Add.create().activation(Activation.RELU).apply(a, b);
        Value logits = Dense.of(10).softmax().apply(Flatten.create().apply(Pooling2D.globalAverage().apply(sum)));
        return g.outputs(logits).seed(3).build();
    }

    private static Map<String, float[]> train(Dataset data, int threads) {
        try (Engine engine = Engine.open(VectorBackendProvider.NAME, new BackendOptions(threads));
             Model m = residualBn();
             Trainer t = Trainer.builder(m, engine).optimizer(Optimizer.adam()).learningRate(2e-3).batchSize(64)
                     .epochs(1).seed(5).build()) {
            t.fit(data, null);
            Map<String, float[]> out = new LinkedHashMap<>();
            m.namedWeights().forEach((k, v) -> out.put(k, v.toArray()));
            return out;
        }
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalWeightsAndMovingStatistics() {
        Dataset train = Datasets.fashionMnistSample().train().head(256);
        Map<String, float[]> one = train(train, 1);
        Map<String, float[]> two = train(train, 2);
        assertTrue(one.containsKey("batch_normalization.moving_variance"), one.keySet().toString());
        for (String k : one.keySet()) {
            assertArrayEquals(one.get(k), two.get(k), "1 and 2 threads: " + k);
        }
        float[] var = one.get("batch_normalization.moving_variance");
        boolean moved = false;
        for (float v : var) {
            moved |= v != 1f;
        }
        assertTrue(moved, "the moving variance moved from its initial 1");
        assertFalse(Float.isNaN(var[0]));
    }
}
