package dev.fovea.bench.jmh;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.nn.Trainable;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import dev.fovea.train.Loss;
import dev.fovea.train.Optimizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the training figures for {@code fashion-cnn} on the vector backend: one training step of the
 * recipe (forward, softmax cross-entropy, backward, Adam; batch 64 — an epoch is 938 steps) and one inference pass
 * at batch 256 through the compiled model, at 1 and 2 worker threads.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "$(cat bench/target/classpath.txt):bench/target/classes" \
 *     org.openjdk.jmh.Main TrainingBenchmark -p threads=1
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 2)
public class TrainingBenchmark {
    @Param({"1", "2"})
    public int threads;

    private Engine engine;
    private Model model;
    private Trainable trainable;
    private Inference inference;
    private Optimizer optimizer;
    private TensorScope scope;
    private Tensor batch;
    private int[] labels;
    private Tensor inferenceBatch;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        engine = Engine.open("vector", new BackendOptions(threads));
        model = ModelZoo.fashionCnn(0);
        trainable = Trainable.of(model, engine);
        inference = model.compile(engine);
        optimizer = Optimizer.adam();
        scope = new TensorScope();
        Dataset data = Datasets.fashionMnistSample().train();
        int[] order = data.identityOrder();
        batch = data.batch(order, 0, 64, scope);
        labels = data.labels(order, 0, 64);
        inferenceBatch = data.batch(order, 0, 256, scope);
    }

    /** One step of the training recipe, batch 64. */
    @Benchmark
    public double trainStep() {
        double loss;
        try (Trainable.Pass pass = trainable.forward(batch, true, true, seed++)) {
            Tensor d = pass.allocate(pass.output().shape());
            loss = Loss.softmaxCrossEntropy().compute(engine, pass.output(), new Loss.Targets(labels, null), d);
            pass.backward(d);
        }
        optimizer.step(engine, model.namedWeights(), trainable.gradients(), 1e-3);
        trainable.weightsChanged();
        return loss;
    }

    /** One inference pass at batch 256 through the compiled model (the weights as trained so far). */
    @Benchmark
    public float inference256() {
        try (TensorScope out = new TensorScope()) {
            return inference.predict(inferenceBatch, out).get(0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inference.close();
        trainable.close();
        scope.close();
        model.close();
        engine.close();
    }
}
