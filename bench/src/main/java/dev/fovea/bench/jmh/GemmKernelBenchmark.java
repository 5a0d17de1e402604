package dev.fovea.bench.jmh;

import dev.fovea.backend.vector.GemmProbe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The vector backend's GEMM micro-kernels alone, one thread, on a problem that stays in L1/L2 (A 192 × depth, B
 * depth × columns packed in panels): the {@code flop} counter reads in GFLOP/s (floating-point operations per
 * nanosecond). What chose the kernels; compare with {@code fovea bench --peak}.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "$(cat bench/target/classpath.txt):bench/target/classes" \
 *     org.openjdk.jmh.Main GemmKernelBenchmark -p depth=256 -p columns=64
 * }</pre>
 *
 * Add {@code -Dfovea.vector.bits=128} through {@code -jvmArgsAppend} for the narrow vectors.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmKernelBenchmark {
    @Param({"kernel8x2", "packed12x2", "skinny4x2"})
    public String kernel;

    /** Reduction depth: 147 is W5's (7×7 × 3), 256 W4's. */
    @Param({"147", "256", "1024"})
    public int depth;

    /** Output columns: 64 as W4 and W5, 256 as ResNet's wider 1×1 layers. */
    @Param({"64", "256"})
    public int columns;

    /** Rows of A: a multiple of every kernel's tile height, as a task's pixel block. */
    private static final int ROWS = 192;

    private GemmProbe probe;

    /** Floating-point operations done, reported per nanosecond: GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        probe = GemmProbe.create(kernel, ROWS, depth, columns);
    }

    @Benchmark
    public float multiply(Flops counter) {
        counter.flop += probe.flops();
        return probe.run();
    }
}
