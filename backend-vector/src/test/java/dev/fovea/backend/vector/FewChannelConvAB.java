package dev.fovea.backend.vector;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A developer's A/B of the first layers of CNNs in one JVM (not a test): {@link ConvPlan} with the few-channel
 * direct kernel against the same plan on its GEMM paths, alternating rounds, medians in ms and GFLOP/s. Arguments:
 * threads (default 1), rounds (default 5), layout ({@code NHWC} or {@code NCHW}, default NHWC), then a part of the
 * shapes' names to run only those. With one thread the time is the calling thread's CPU time (time descheduled on
 * a shared machine does not count). Run it from this module's test classpath, e.g. after
 * {@code mvn -o -q -pl backend-vector -am test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp <test classpath> dev.fovea.backend.vector.FewChannelConvAB 1 5}.
 */
public final class FewChannelConvAB {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private FewChannelConvAB() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Layout layout = args.length > 2 ? Layout.valueOf(args[2]) : Layout.NHWC;
        String only = args.length > 3 ? args[3] : "";
        boolean cpu = threads == 1;
        System.out.printf("%s, %d thread(s), %s, timing: %s%n", Simd.describe(), threads, layout,
                cpu ? "CPU time of the calling thread" : "wall time");
        Object[][] shapes = {
            {"W5 7x7 s2 3->64 224 N4", Shape.of(4, 3, 224, 224), 64, 7, 2, 3, Activation.NONE},
            {"resnet stem 7x7 s2 3->64 N1 relu", Shape.of(1, 3, 224, 224), 64, 7, 2, 3, Activation.RELU},
            {"mnv2 stem 3x3 s2 3->32 N1 relu6", Shape.of(1, 3, 224, 224), 32, 3, 2, 1, Activation.RELU6},
            {"mnv3 stem 3x3 s2 3->16 N1", Shape.of(1, 3, 224, 224), 16, 3, 2, 1, Activation.NONE},
            {"squeezenet 3x3 s2 3->64 N1 relu", Shape.of(1, 3, 224, 224), 64, 3, 2, 0, Activation.RELU},
            {"vgg 3x3 s1 3->64 N1 relu", Shape.of(1, 3, 224, 224), 64, 3, 1, 1, Activation.RELU},
            {"alexnet 11x11 s4 3->64 N1 relu", Shape.of(1, 3, 224, 224), 64, 11, 4, 2, Activation.RELU},
            {"fashion 5x5 1->32 28 N64 relu", Shape.of(64, 1, 28, 28), 32, 5, 1, 2, Activation.RELU},
        };
        try (WorkerPool pool = new WorkerPool(threads); TensorScope scope = new TensorScope()) {
            for (Object[] s : shapes) {
                if (!((String) s[0]).contains(only)) {
                    continue;
                }
                int kernel = (int) s[3];
                ConvolutionParams p = ConvolutionParams.of((int) s[2], kernel, kernel)
                        .withStride((int) s[4], (int) s[4]).withPadding(Padding.explicit((int) s[5]))
                        .withBias(s[6] != Activation.NONE).withActivation((Activation) s[6]);
                ConvolutionDescriptor op = ConvolutionDescriptor.create("ab", (Shape) s[1], layout, p);
                SplittableRandom rnd = new SplittableRandom(1);
                Tensor x = Oracle.tensor(scope, rnd, op.input(), layout);
                Tensor y = scope.allocate(op.output(), layout);
                float[] w = Oracle.random(rnd, op.weightShape().elementCount(), 0.1);
                float[] b = op.bias() ? Oracle.random(rnd, op.filters(), 0.1) : null;
                try (ConvPlan direct = new ConvPlan(op, null, w, b, pool, true);
                     ConvPlan gemm = new ConvPlan(op, null, w, b, pool, false)) {
                    double[] d = new double[rounds];
                    double[] g = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        g[r] = time(gemm, x, y, cpu);
                        d[r] = time(direct, x, y, cpu);
                    }
                    double md = median(d);
                    double mg = median(g);
                    System.out.printf("%-34s gemm %8.3f ms %6.1f GFLOP/s   direct %8.3f ms %6.1f GFLOP/s   x%.2f"
                            + "   (rounds gemm %s, direct %s)%n", s[0], mg * 1e3, op.flops() / mg / 1e9, md * 1e3,
                            op.flops() / md / 1e9, mg / md, ms(g), ms(d));
                }
            }
        }
    }

    /** Median seconds per call over calls filling about 0.4 s, after a warm-up. */
    private static double time(ConvPlan plan, Tensor x, Tensor y, boolean cpu) {
        for (int i = 0; i < 3; i++) {
            plan.execute(x, y);
        }
        double[] t = new double[1000];
        int calls = 0;
        long start = System.nanoTime();
        while (calls < t.length && (calls < 5 || System.nanoTime() - start < 400_000_000L)) {
            long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            plan.execute(x, y);
            t[calls++] = ((cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0) / 1e9;
        }
        return median(Arrays.copyOf(t, calls));
    }

    private static String ms(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%.2f", x * 1e3));
        }
        return sb.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
