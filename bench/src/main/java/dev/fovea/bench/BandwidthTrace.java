package dev.fovea.bench;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import java.util.Locale;

/**
 * Diagnoses a memory-bound workload on a shared host: alternates rounds of the workload (100 runs, median time)
 * with the copy probe just before and after (best of 3 copies of its arrays), and prints one line per round, so that a slow
 * round can be told apart as the host's (the copy slows with it) or the kernel's (it does not).
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp cli/target/fovea.jar dev.fovea.bench.BandwidthTrace W6a 20 [threads]
 * }</pre>
 */
public final class BandwidthTrace {
    private BandwidthTrace() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: BandwidthTrace WORKLOAD SECONDS [THREADS]   (e.g. W6a 20 1)");
            System.exit(2);
        }
        Workload w = Workload.create(args[0]);
        long seconds = Long.parseLong(args[1]);
        BackendOptions options = new BackendOptions(args.length > 2 ? Integer.parseInt(args[2]) : 1);
        int threads = options.effectiveThreads();
        try (Engine engine = Engine.open(options); TensorScope scope = new TensorScope()) {
            w.setUp(engine, scope);
            if (!w.memoryBound()) {
                System.err.println(w.id() + " is not memory-bound; the trace compares pooling with copies");
                System.exit(2);
            }
            System.out.println("round\tmedian_ms\tGB/s\tcopy_before_GB/s\tcopy_after_GB/s");
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            double[] t = new double[100];
            for (int round = 0; System.nanoTime() < end; round++) {
                double before = Peak.copyGbpsNow(threads);
                for (int i = 0; i < t.length; i++) {
                    long t0 = System.nanoTime();
                    w.run();
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
                double after = Peak.copyGbpsNow(threads);
                Arrays.sort(t);
                double median = (t[49] + t[50]) / 2;
                System.out.printf(Locale.ROOT, "%d\t%.3f\t%.1f\t%.1f\t%.1f%n", round, median,
                        w.bytes() / median / 1e6, before, after);
            }
            w.tearDown();
        }
    }
}
