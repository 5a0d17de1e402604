package dev.fovea.bench;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The plain-Java runner behind {@code fovea bench}: measures this machine's FMA peak and copy bandwidth, then
 * each workload's median time, and prints GFLOP/s (GB/s for pooling) as a fraction of that peak.
 *
 * <pre>{@code
 * Bench.run(System.out, null, "W2", 1, false, false);   // fovea bench --workload W2 --threads 1
 * }</pre>
 */
public final class Bench {
    /** Time spent warming each workload up before measuring, and the least time measured. */
    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final long MEASURE_NANOS = 3_000_000_000L;
    private static final int MIN_SAMPLES = 10;

    private Bench() {
    }

    /** One measured workload. */
    public record Result(String id, int threads, double medianMs, double rate, String unit, double percentOfPeak) {
    }

    /**
     * Runs the benchmark and prints one line per workload.
     *
     * @param backend  backend name, or null for the best available one
     * @param workload one id of {@link Workload#IDS} (W6 runs both poolings), or null for all
     * @param threads  worker threads, 0 = all cores
     * @param tsv      tab-separated output with a header line
     * @param peakOnly print the machine's peak figures only
     * @return 0 on success, 2 for an unknown workload
     */
    public static int run(PrintStream out, String backend, String workload, int threads, boolean tsv,
                          boolean peakOnly) {
        List<String> ids;
        if (workload == null) {
            ids = Workload.IDS;
        } else if (workload.equalsIgnoreCase("W6")) {
            ids = List.of("W6a", "W6b");
        } else {
            ids = Workload.IDS.stream().filter(w -> w.equalsIgnoreCase(workload)).toList();
            if (ids.isEmpty()) {
                out.println("unknown workload '" + workload + "'; known: " + Workload.IDS + " (W6 = both poolings)");
                return 2;
            }
        }
        BackendOptions options = new BackendOptions(threads);
        int t = options.effectiveThreads();
        double fma = Peak.fmaGflops(t);
        double copy = Peak.copyGbps(t);
        if (tsv) {
            out.println("workload\tthreads\tmedian_ms\trate\tunit\tpercent_of_peak\tpeak\tpeak_unit");
            out.printf(Locale.ROOT, "peak-fma\t%d\t\t%.1f\tGFLOP/s\t100.0\t%.1f\tGFLOP/s%n", t, fma, fma);
            out.printf(Locale.ROOT, "peak-copy\t%d\t\t%.1f\tGB/s\t100.0\t%.1f\tGB/s%n", t, copy, copy);
        } else {
            out.printf(Locale.ROOT, "peak: FMA %.1f GFLOP/s, copy %.1f GB/s (%d thread%s, %s)%n", fma, copy, t,
                    t == 1 ? "" : "s", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
        }
        if (peakOnly) {
            return 0;
        }
        try (Engine engine = backend == null ? Engine.open(options) : Engine.open(backend, options)) {
            if (!tsv) {
                out.println("backend: " + engine.name());
            }
            for (String id : ids) {
                Result r = measure(engine, Workload.create(id), t, fma, copy);
                if (tsv) {
                    out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.2f\t%s\t%.1f\t%.1f\t%s%n", r.id(), r.threads(),
                            r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), r.unit().equals("GB/s") ? copy : fma,
                            r.unit());
                } else {
                    out.printf(Locale.ROOT, "%-4s threads %d  median %9.3f ms  %8.2f %-7s  %5.1f%% of %s peak%n",
                            r.id(), r.threads(), r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(),
                            r.unit().equals("GB/s") ? "copy" : "FMA");
                }
                out.flush();
            }
        }
        return 0;
    }

    /** Warms {@code w} up, then times single runs and reports the median. */
    public static Result measure(Engine engine, Workload w, int threads, double fmaPeak, double copyPeak) {
        try (TensorScope scope = new TensorScope()) {
            w.setUp(engine, scope);
            try {
                long start = System.nanoTime();
                int warm = 0;
                while (warm < 3 || System.nanoTime() - start < WARMUP_NANOS) {
                    w.run();
                    warm++;
                }
                double[] samples = new double[64];
                int count = 0;
                start = System.nanoTime();
                while (count < MIN_SAMPLES || (System.nanoTime() - start < MEASURE_NANOS && count < 1000)) {
                    long t0 = System.nanoTime();
                    w.run();
                    long t1 = System.nanoTime();
                    if (count == samples.length) {
                        samples = Arrays.copyOf(samples, count * 2);
                    }
                    samples[count++] = (t1 - t0) / 1e6;
                }
                double[] s = Arrays.copyOf(samples, count);
                Arrays.sort(s);
                double median = count % 2 == 1 ? s[count / 2] : (s[count / 2 - 1] + s[count / 2]) / 2;
                if (w.memoryBound()) {
                    double gbps = w.bytes() / (median / 1e3) / 1e9;
                    return new Result(w.id(), threads, median, gbps, "GB/s", 100 * gbps / copyPeak);
                }
                double gflops = w.flops() / (median / 1e3) / 1e9;
                return new Result(w.id(), threads, median, gflops, "GFLOP/s", 100 * gflops / fmaPeak);
            } finally {
                w.tearDown();
            }
        }
    }

    /** {@code java dev.fovea.bench.Bench [--workload W2] [--threads N] [--tsv] [--peak]}. */
    public static void main(String[] args) {
        String workload = null;
        int threads = 0;
        boolean tsv = false;
        boolean peak = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workload" -> workload = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--tsv" -> tsv = true;
                case "--peak" -> peak = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--workload W2] [--threads N] [--tsv] [--peak]");
            }
        }
        System.exit(run(System.out, null, workload, threads, tsv, peak));
    }
}
