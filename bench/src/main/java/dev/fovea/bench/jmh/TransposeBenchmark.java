package dev.fovea.bench.jmh;

import dev.fovea.engine.Engine;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;
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
 * The cost of channels-first data on the vector backend: a copy between NCHW and NHWC (what feeding NCHW tensors to
 * a channels-last model costs per call), and convolutions over NCHW tensors (their gathers transpose each block of
 * input rows to channels-last): a 1×1 and a 3×3 stride-2 convolution to 64 filters.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "$(cat bench/target/classpath.txt):bench/target/classes" \
 *     org.openjdk.jmh.Main TransposeBenchmark -p threads=1
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TransposeBenchmark {
    /** N×C×H×W of the copies and of the convolutions' input. */
    @Param({"1x64x56x56", "8x3x224x224"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Engine engine;
    private TensorScope scope;
    private Tensor nchw;
    private Tensor nhwc;
    private Tensor nchwIn;
    private Plan pointwise;
    private Tensor pointwiseOut;
    private Plan strided;
    private Tensor stridedOut;

    @Setup(Level.Trial)
    public void setUp() {
        engine = Engine.open("vector", new BackendOptions(threads));
        scope = new TensorScope();
        String[] d = shape.split("x");
        Shape s = Shape.of(Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]),
                Integer.parseInt(d[3]));
        SplittableRandom rnd = new SplittableRandom(1);
        float[] values = new float[Math.toIntExact(s.elementCount())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextDouble();
        }
        nchw = scope.fromArray(values, s, Layout.NCHW);
        nhwc = engine.allocate(s, Layout.NHWC, scope);
        nchwIn = engine.allocate(s, Layout.NCHW, scope);
        ConvolutionDescriptor one = ConvolutionDescriptor.create("pointwise", s, Layout.NCHW,
                ConvolutionParams.of(64, 1, 1).withBias(false));
        pointwise = engine.planConvolution(one, weights(one, rnd), null);
        pointwiseOut = engine.allocate(one.output(), Layout.NCHW, scope);
        ConvolutionDescriptor three = ConvolutionDescriptor.create("strided", s, Layout.NCHW,
                ConvolutionParams.of(64, 3, 3).withStride(2, 2).withPadding(Padding.SAME).withBias(false));
        strided = engine.planConvolution(three, weights(three, rnd), null);
        stridedOut = engine.allocate(three.output(), Layout.NCHW, scope);
    }

    private Tensor weights(ConvolutionDescriptor op, SplittableRandom rnd) {
        float[] w = new float[Math.toIntExact(op.weightShape().elementCount())];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextDouble() - 0.5) * 0.1f;
        }
        return scope.fromArray(w, op.weightShape(), Layout.NCHW);
    }

    /** NCHW → NHWC: an NCHW batch going into a channels-last model. */
    @Benchmark
    public Tensor toChannelsLast() {
        engine.copy(nchw, nhwc);
        return nhwc;
    }

    /** NHWC → NCHW: a channels-last result handed back in NCHW. */
    @Benchmark
    public Tensor toChannelsFirst() {
        engine.copy(nhwc, nchwIn);
        return nchwIn;
    }

    /** A 1×1 convolution reading NCHW. */
    @Benchmark
    public Tensor pointwiseFromNchw() {
        pointwise.execute(nchw, pointwiseOut);
        return pointwiseOut;
    }

    /** A 3×3 stride-2 convolution reading NCHW. */
    @Benchmark
    public Tensor strided3x3FromNchw() {
        strided.execute(nchw, stridedOut);
        return stridedOut;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pointwise.close();
        strided.close();
        scope.close();
        engine.close();
    }
}
