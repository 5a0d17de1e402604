package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;

/**
 * A developer's A/B of the bare 1×1 plans in one JVM (not a test): the general convolution ({@link ConvPlan})
 * against {@link Conv1x1} on the pointwise shapes of the benchmark workloads, alternating rounds, medians in
 * GFLOP/s, next to a register-only FMA loop as this machine's peak. Arguments: threads (default 1), rounds
 * (default 5), then a part of the shapes' names to run only those, or {@code siblings} for Inception 3a's three
 * 1×1 convolutions as one plan. With one thread the time is the calling
 * thread's CPU time, so that time descheduled on a shared machine does not count; on such a machine the figures
 * are still indicative only. Run it from the test classpath of this module, e.g. after
 * {@code mvn -o -q -pl backend-vector -am test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp <test classpath> dev.fovea.backend.vector.Conv1x1AB 1 5}.
 */
public final class Conv1x1AB {
    private Conv1x1AB() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String only = args.length > 2 ? args[2] : "";
        CPU = threads == 1;
        System.out.printf("%s, %d thread(s), FMA peak %.1f GFLOP/s%n", Simd.describe(), threads, peak() * threads);
        System.out.printf("(timing: %s)%n", CPU ? "CPU time of the calling thread" : "wall time");
        if (only.equals("siblings")) {
            siblings(threads, rounds);
            return;
        }
        Object[][] shapes = {
            {"W4 1x1 256->64 56x56 N8", Shape.of(8, 256, 56, 56), 64, 1},
            {"W3 1x1 192->64 28x28 N8", Shape.of(8, 192, 28, 28), 64, 1},
            {"W3 1x1 192->176 (3 fused) N8", Shape.of(8, 192, 28, 28), 176, 1},
            {"W3 1x1 192->96 N8", Shape.of(8, 192, 28, 28), 96, 1},
            {"W3 1x1 192->16 N8", Shape.of(8, 192, 28, 28), 16, 1},
            {"r50 1x1 512->1024 s2 28x28 N1", Shape.of(1, 512, 28, 28), 1024, 2},
            {"r50 1x1 1024->256 14x14 N1", Shape.of(1, 1024, 14, 14), 256, 1},
            {"r50 1x1 512->2048 7x7 N1", Shape.of(1, 512, 7, 7), 2048, 1},
            {"mnv2 1x1 24->144 56x56 N1", Shape.of(1, 24, 56, 56), 144, 1},
            {"mnv2 1x1 144->24 56x56 N1", Shape.of(1, 144, 56, 56), 24, 1},
        };
        try (WorkerPool pool = new WorkerPool(threads); TensorScope scope = new TensorScope()) {
            for (Object[] s : shapes) {
                if (!((String) s[0]).contains(only)) {
                    continue;
                }
                ConvolutionParams p = ConvolutionParams.of((int) s[2], 1, 1).withStride((int) s[3], (int) s[3])
                        .withActivation(Activation.RELU);
                ConvolutionDescriptor op = ConvolutionDescriptor.create("ab", (Shape) s[1], Layout.NHWC, p);
                SplittableRandom rnd = new SplittableRandom(1);
                Tensor x = Oracle.tensor(scope, rnd, op.input(), Layout.NHWC);
                Tensor y = scope.allocate(op.output(), Layout.NHWC);
                float[] w = Oracle.random(rnd, op.weightShape().elementCount(), 0.1);
                float[] b = Oracle.random(rnd, op.filters(), 0.1);
                try (Plan general = new ConvPlan(op, null, w, b, pool); Plan gemm = new Conv1x1(op, w, b, pool)) {
                    double[] a = new double[rounds];
                    double[] g = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        a[r] = time(general, x, y);
                        g[r] = time(gemm, x, y);
                    }
                    double ma = median(a);
                    double mg = median(g);
                    System.out.printf("%-32s ConvPlan %7.3f ms [%.3f-%.3f] %6.1f GFLOP/s   Conv1x1 %7.3f ms "
                            + "[%.3f-%.3f] %6.1f GFLOP/s   x%.2f%n", s[0], ma * 1e3, min(a) * 1e3, max(a) * 1e3,
                            op.flops() / ma / 1e9, mg * 1e3, min(g) * 1e3, max(g) * 1e3, op.flops() / mg / 1e9,
                            ma / mg);
                }
            }
        }
    }


    /**
     * Inception 3a's three 1×1 convolutions over the same input (192 → 64, 96, 16; 28×28, N = 8): three
     * {@link Conv1x1} plans against one plan of 176 filters (what a graph-level fusion would run), alternating.
     */
    private static void siblings(int threads, int rounds) {
        Shape in = Shape.of(8, 192, 28, 28);
        int[] filters = {64, 96, 16};
        try (WorkerPool pool = new WorkerPool(threads); TensorScope scope = new TensorScope()) {
            SplittableRandom rnd = new SplittableRandom(2);
            Tensor x = Oracle.tensor(scope, rnd, in, Layout.NHWC);
            Plan[] parts = new Plan[3];
            Tensor[] ys = new Tensor[3];
            long flops = 0;
            for (int i = 0; i < 3; i++) {
                ConvolutionDescriptor op = ConvolutionDescriptor.create("ab", in, Layout.NHWC,
                        ConvolutionParams.of(filters[i], 1, 1).withActivation(Activation.RELU));
                parts[i] = new Conv1x1(op, Oracle.random(rnd, op.weightShape().elementCount(), 0.1),
                        Oracle.random(rnd, filters[i], 0.1), pool);
                ys[i] = scope.allocate(op.output(), Layout.NHWC);
                flops += op.flops();
            }
            ConvolutionDescriptor all = ConvolutionDescriptor.create("ab", in, Layout.NHWC,
                    ConvolutionParams.of(176, 1, 1).withActivation(Activation.RELU));
            Plan fused = new Conv1x1(all, Oracle.random(rnd, all.weightShape().elementCount(), 0.1),
                    Oracle.random(rnd, 176, 0.1), pool);
            Tensor y = scope.allocate(all.output(), Layout.NHWC);
            Plan three = new Plan() {
                @Override
                public void execute(Tensor xx, Tensor unused) {
                    for (int i = 0; i < 3; i++) {
                        parts[i].execute(xx, ys[i]);
                    }
                }
            };
            double[] a = new double[rounds];
            double[] g = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                a[r] = time(three, x, y);
                g[r] = time(fused, x, y);
            }
            System.out.printf("W3 1x1 siblings: three plans %.3f ms [%.3f-%.3f]   one fused plan %.3f ms [%.3f-%.3f]"
                    + "   x%.2f%n", median(a) * 1e3, min(a) * 1e3, max(a) * 1e3, median(g) * 1e3, min(g) * 1e3,
                    max(g) * 1e3, median(a) / median(g));
        }
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    /** Median seconds per call over calls filling about 0.4 s, after a warm-up. */
    private static double time(Plan plan, Tensor x, Tensor y) {
        for (int i = 0; i < 3; i++) {
            plan.execute(x, y);
        }
        int calls = 0;
        double[] t = new double[1000];
        long start = System.nanoTime();
        while (calls < t.length && (calls < 5 || System.nanoTime() - start < 400_000_000L)) {
            long t0 = now();
            plan.execute(x, y);
            t[calls++] = (now() - t0) / 1e9;
        }
        return median(Arrays.copyOf(t, calls));
    }

    /**
     * Nanoseconds: this thread's CPU time with one thread (time descheduled on a shared machine does not count),
     * wall time with more.
     */
    private static long now() {
        return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static boolean CPU;

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** GFLOP/s of one thread's FMA loop on 24 independent accumulators (median of 5). */
    private static double peak() {
        double[] r = new double[5];
        for (int i = 0; i < r.length; i++) {
            long iters = 20_000_000L;
            long t0 = THREADS.getCurrentThreadCpuTime();
            float sink = fmaLoop(iters);
            double s = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
            r[i] = iters * 12.0 * 2 * F.length() / s / 1e9 + (sink == 42 ? 1e-9 : 0);
        }
        return median(r);
    }

    private static float fmaLoop(long iters) {
        FloatVector m = FloatVector.broadcast(F, 0.999f);
        FloatVector a = FloatVector.broadcast(F, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(F, 1f);
        FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
