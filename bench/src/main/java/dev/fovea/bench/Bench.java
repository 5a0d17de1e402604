package dev.fovea.bench;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The plain-Java runner behind {@code fovea bench}: measures this machine's FMA peak and copy bandwidth, then
 * each workload's median time, and prints GFLOP/s (GB/s for pooling) as a fraction of that peak.
 *
 * <p>The peaks are measured before the workloads and again after them; the higher figure is the one compared.
 * Each workload is measured in {@code forks} JVMs of its own (as JMH forks), started with this JVM's command
 * and flags, and the median of their medians is reported with their range. A fresh JVM per workload, because the
 * GEMM micro-kernels are shared by every workload and C2 compiles them for the shapes that ran first (measured in
 * one JVM after W1–W4, W5 lost 10–30 %: a kernel recompiled after W1's short reduction runs hit an uncommon trap);
 * several, because on a shared host whole JVM runs land up to 25 % apart. {@code forks = 0} measures in this JVM.
 * Pooling is also compared with the copy bandwidth measured between its own measuring rounds (see
 * {@link #measure}), next to the comparison with the run's copy peak.
 *
 * <pre>{@code
 * Bench.run(System.out, null, "W2", 1, false, false, 3);   // fovea bench --workload W2 --threads 1
 * }</pre>
 */
public final class Bench {
    /** Time spent warming each workload up before measuring, and the least time measured. */
    private static final long WARMUP_NANOS = 1_500_000_000L;
    private static final long WARMUP_LIMIT_NANOS = 12_000_000_000L;
    private static final long MEASURE_NANOS = 2_000_000_000L;
    /** JVMs per workload unless told otherwise. */
    public static final int DEFAULT_FORKS = 3;
    private static final int MIN_SAMPLES = 10;
    /** A memory-bound workload's measuring round between two copy probes. */
    private static final long ROUND_NANOS = 250_000_000L;

    private Bench() {
    }

    /**
     * One measured workload: the median time (of the forks' medians), the rate and % of peak it gives, and the
     * lowest and highest fork medians ({@code forks} JVMs; 0 when measured in the calling JVM). For a memory-bound
     * workload also {@code percentOfCopyAlongside}: the median of its rounds' rates as % of the copy bandwidth
     * measured between them (median over the forks); NaN otherwise.
     */
    public record Result(String id, int threads, double medianMs, double rate, String unit, double percentOfPeak,
                         int forks, double lowMs, double highMs, double percentOfCopyAlongside) {
    }

    private static Result withAlongside(Result r, double percentOfCopyAlongside) {
        return new Result(r.id(), r.threads(), r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), r.forks(),
                r.lowMs(), r.highMs(), percentOfCopyAlongside);
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
        return run(out, backend, workload, threads, tsv, peakOnly, DEFAULT_FORKS);
    }

    /** As {@link #run(PrintStream, String, String, int, boolean, boolean)}, each workload in {@code forks} JVMs. */
    public static int run(PrintStream out, String backend, String workload, int threads, boolean tsv,
                          boolean peakOnly, int forks) {
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
        if (peakOnly) {
            printPeaks(out, fma, copy, t);
            return 0;
        }
        List<Result> results = new ArrayList<>();
        String name;
        try (Engine engine = backend == null ? Engine.open(options) : Engine.open(backend, options)) {
            name = engine.name();
            for (String id : ids) {
                Result r = forks > 0 ? measureForked(name, id, t, fma, copy, forks)
                        : measure(engine, Workload.create(id), t, fma, copy);
                results.add(r);
                System.err.printf(Locale.ROOT, "%s: median %.3f ms%n", id, r.medianMs());
            }
        }
        // The peaks again, after the workloads: a transient slowdown of the host during the first probe (a copy
        // peak of 12 GB/s against 22–27 in other runs) must not inflate every fraction. The higher of the two counts.
        fma = Math.max(fma, Peak.fmaGflops(t));
        copy = Math.max(copy, Peak.copyGbps(t));
        if (tsv) {
            out.println("workload\tthreads\tmedian_ms\trate\tunit\tpercent_of_peak\tpeak\tpeak_unit\tforks"
                    + "\tlow_ms\thigh_ms\tpercent_of_copy_alongside");
            out.printf(Locale.ROOT, "peak-fma\t%d\t\t%.1f\tGFLOP/s\t100.0\t%.1f\tGFLOP/s\t\t\t\t%n", t, fma, fma);
            out.printf(Locale.ROOT, "peak-copy\t%d\t\t%.1f\tGB/s\t100.0\t%.1f\tGB/s\t\t\t\t%n", t, copy, copy);
        } else {
            printPeaks(out, fma, copy, t);
            out.println("backend: " + name + (forks > 0 ? "; each workload in " + forks + " JVM"
                    + (forks == 1 ? "" : "s") + " of its own, median [range] of their medians" : ""));
        }
        for (Result measured : results) {
            double peak = measured.unit().equals("GB/s") ? copy : fma;
            Result r = new Result(measured.id(), measured.threads(), measured.medianMs(), measured.rate(),
                    measured.unit(), 100 * measured.rate() / peak, measured.forks(), measured.lowMs(),
                    measured.highMs(), measured.percentOfCopyAlongside());
            if (tsv) {
                out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.2f\t%s\t%.1f\t%.1f\t%s\t%d\t%.3f\t%.3f\t%s%n", r.id(),
                        r.threads(), r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), peak, r.unit(), r.forks(),
                        r.lowMs(), r.highMs(), Double.isNaN(r.percentOfCopyAlongside()) ? ""
                                : String.format(Locale.ROOT, "%.1f", r.percentOfCopyAlongside()));
            } else {
                out.printf(Locale.ROOT, "%-4s threads %d  median %9.3f ms%s  %8.2f %-7s  %5.1f%% of %s peak%s%n",
                        r.id(), r.threads(), r.medianMs(), r.forks() > 1 ? String.format(Locale.ROOT,
                                " [%.3f–%.3f]", r.lowMs(), r.highMs()) : "", r.rate(), r.unit(),
                        r.percentOfPeak(), r.unit().equals("GB/s") ? "copy" : "FMA",
                        Double.isNaN(r.percentOfCopyAlongside()) ? "" : String.format(Locale.ROOT,
                                " (%.1f%% of the copy measured between its rounds)", r.percentOfCopyAlongside()));
            }
        }
        out.flush();
        return 0;
    }

    private static void printPeaks(PrintStream out, double fma, double copy, int t) {
        out.printf(Locale.ROOT, "peak: FMA %.1f GFLOP/s, copy %.1f GB/s (%d thread%s, %s)%n", fma, copy, t,
                t == 1 ? "" : "s", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    /** Prefix of the line a forked measurement prints: id, median ms, FLOPs, bytes, % of copy alongside. */
    private static final String CHILD_RESULT = "fovea-bench-result\t";

    /** Measures workload {@code id} in {@code forks} new JVMs started with this one's command, flags and class path. */
    static Result measureForked(String backend, String id, int threads, double fmaPeak, double copyPeak, int forks) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Bench.class.getName(), "--measure", id,
                "--backend", backend, "--threads", Integer.toString(threads)));
        double[] medians = new double[forks];
        double[] alongside = new double[forks];
        long flops = 0;
        long bytes = 0;
        for (int f = 0; f < forks; f++) {
            String line = child(cmd, id);
            String[] fields = line.split("\t");
            medians[f] = Double.parseDouble(fields[2]);
            flops = Long.parseLong(fields[3]);
            bytes = Long.parseLong(fields[4]);
            alongside[f] = Double.parseDouble(fields[5]);
        }
        Arrays.sort(medians);
        Arrays.sort(alongside);
        Result r = result(id, threads, median(medians), flops, bytes, fmaPeak, copyPeak);
        return new Result(r.id(), threads, r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), forks, medians[0],
                medians[forks - 1], median(alongside));
    }

    /** Runs one measuring JVM; returns its result line. */
    private static String child(List<String> cmd, String id) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            String line = output.lines().filter(l -> l.startsWith(CHILD_RESULT)).findFirst().orElse(null);
            if (code != 0 || line == null) {
                throw new IllegalStateException("benchmark JVM for " + id + " failed (exit " + code + "):\n" + output);
            }
            return line;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a benchmark JVM for " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring " + id, e);
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Result result(String id, int threads, double median, long flops, long bytes, double fmaPeak,
                                 double copyPeak) {
        if (bytes > 0) {
            double gbps = bytes / (median / 1e3) / 1e9;
            return new Result(id, threads, median, gbps, "GB/s", 100 * gbps / copyPeak, 0, median, median, Double.NaN);
        }
        double gflops = flops / (median / 1e3) / 1e9;
        return new Result(id, threads, median, gflops, "GFLOP/s", 100 * gflops / fmaPeak, 0, median, median,
                Double.NaN);
    }

    /**
     * Runs {@code w} in rounds of about {@link #WARMUP_NANOS}/3 until a round's median time no longer improves by
     * 2 % (at least {@link #WARMUP_NANOS} in all, at most {@link #WARMUP_LIMIT_NANOS}). With every core computing,
     * the JIT's compiler threads get little time: W1 with 2 threads still ran at half speed after 2 s.
     */
    private static void warmUp(Workload w) {
        long start = System.nanoTime();
        double previous = Double.MAX_VALUE;
        while (true) {
            long roundStart = System.nanoTime();
            double[] t = new double[16];
            int n = 0;
            while (n < 3 || System.nanoTime() - roundStart < WARMUP_NANOS / 3) {
                long t0 = System.nanoTime();
                w.run();
                if (n == t.length) {
                    t = Arrays.copyOf(t, n * 2);
                }
                t[n++] = System.nanoTime() - t0;
            }
            double[] sorted = Arrays.copyOf(t, n);
            Arrays.sort(sorted);
            double median = median(sorted);
            long elapsed = System.nanoTime() - start;
            if (elapsed > WARMUP_LIMIT_NANOS || (elapsed >= WARMUP_NANOS && median > 0.98 * previous)) {
                return;
            }
            previous = Math.min(previous, median);
        }
    }

    /**
     * Warms {@code w} up, then times single runs and reports the median. A memory-bound workload is timed in rounds
     * of {@link #ROUND_NANOS} with the copy probe between them, and each round's rate is also taken as a fraction of
     * the copy bandwidth measured next to it (the lower of the probes before and after): this host's bandwidth moves
     * for seconds at a time (copy 17 vs 26 GB/s), and a peak measured a minute earlier does not see it.
     */
    public static Result measure(Engine engine, Workload w, int threads, double fmaPeak, double copyPeak) {
        try (TensorScope scope = new TensorScope()) {
            w.setUp(engine, scope);
            try {
                warmUp(w);
                double[] samples = new double[64];
                int count = 0;
                double[] alongside = new double[16];
                int rounds = 0;
                double copyBefore = w.memoryBound() ? Peak.copyGbpsNow(threads) : 0;
                long start = System.nanoTime();
                while (count < MIN_SAMPLES || (System.nanoTime() - start < MEASURE_NANOS && count < 1000)) {
                    long roundStart = System.nanoTime();
                    int first = count;
                    do {
                        long t0 = System.nanoTime();
                        w.run();
                        long t1 = System.nanoTime();
                        if (count == samples.length) {
                            samples = Arrays.copyOf(samples, count * 2);
                        }
                        samples[count++] = (t1 - t0) / 1e6;
                    } while (w.memoryBound() ? count - first < 3 || System.nanoTime() - roundStart < ROUND_NANOS
                            : count < MIN_SAMPLES || (System.nanoTime() - start < MEASURE_NANOS && count < 1000));
                    if (w.memoryBound()) {
                        double copyAfter = Peak.copyGbpsNow(threads);
                        double[] round = Arrays.copyOfRange(samples, first, count);
                        Arrays.sort(round);
                        double gbps = w.bytes() / median(round) / 1e6;
                        if (rounds == alongside.length) {
                            alongside = Arrays.copyOf(alongside, rounds * 2);
                        }
                        alongside[rounds++] = 100 * gbps / Math.min(copyBefore, copyAfter);
                        copyBefore = copyAfter;
                    }
                }
                double[] s = Arrays.copyOf(samples, count);
                Arrays.sort(s);
                double median = median(s);
                double[] a = Arrays.copyOf(alongside, rounds);
                Arrays.sort(a);
                Result r = result(w.id(), threads, median, w.memoryBound() ? 0 : w.flops(), w.bytes(), fmaPeak,
                        copyPeak);
                return withAlongside(r, rounds > 0 ? median(a) : Double.NaN);
            } finally {
                w.tearDown();
            }
        }
    }

    /**
     * {@code java dev.fovea.bench.Bench [--workload W2] [--threads N] [--backend NAME] [--tsv] [--peak] [--forks N]};
     * {@code --measure W2} is the forked measurement: it prints one result line and no peak.
     */
    public static void main(String[] args) {
        String workload = null;
        String backend = null;
        String measure = null;
        int threads = 0;
        boolean tsv = false;
        boolean peak = false;
        int forks = DEFAULT_FORKS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workload" -> workload = args[++i];
                case "--backend" -> backend = args[++i];
                case "--measure" -> measure = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--tsv" -> tsv = true;
                case "--peak" -> peak = true;
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--workload W2] [--threads N] [--backend NAME] [--tsv] [--peak] [--forks N]");
            }
        }
        if (measure != null) {
            BackendOptions options = new BackendOptions(threads);
            try (Engine engine = backend == null ? Engine.open(options) : Engine.open(backend, options)) {
                Workload w = Workload.create(measure);
                Result r = measure(engine, w, options.effectiveThreads(), 1, 1);
                System.out.printf(Locale.ROOT, "%s%s\t%.6f\t%d\t%d\t%.3f%n", CHILD_RESULT, r.id(), r.medianMs(),
                        w.flops(), w.bytes(), r.percentOfCopyAlongside());
            }
            System.exit(0);
        }
        System.exit(run(System.out, backend, workload, threads, tsv, peak, forks));
    }
}
