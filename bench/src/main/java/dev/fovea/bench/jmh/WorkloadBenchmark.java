package dev.fovea.bench.jmh;

import dev.fovea.bench.Workload;
import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
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
 * JMH benchmarks of W1–W6 ({@link dev.fovea.bench.Workload}) on the vector backend, one forward pass per
 * invocation, at 1 and 2 worker threads. Several forks, because a third of JVMs land slower on a shared host.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "$(cat bench/target/classpath.txt):bench/target/classes" \
 *     org.openjdk.jmh.Main WorkloadBenchmark -p workload=W2 -p threads=1 -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WorkloadBenchmark {
    @Param({"W1", "W2", "W3", "W4", "W5", "W6a", "W6b"})
    public String workload;

    @Param({"1", "2"})
    public int threads;

    private Engine engine;
    private TensorScope scope;
    private Workload w;

    @Setup(Level.Trial)
    public void setUp() {
        engine = Engine.open("vector", new BackendOptions(threads));
        scope = new TensorScope();
        w = Workload.create(workload);
        w.setUp(engine, scope);
    }

    @Benchmark
    public void forward() {
        w.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        w.tearDown();
        scope.close();
        engine.close();
    }
}
