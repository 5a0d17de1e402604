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
 * several, because on a shared host whole JVM runs land up to 25 % apart, taken in rounds over the workloads so
 * that a slow phase of the host is spread over them. {@code forks = 0} measures in this JVM.
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

    private Bench() {
    }

    /**
     * One measured workload: the median time (of the forks' medians), the rate and % of peak it gives, and the
     * lowest and highest fork medians ({@code forks} JVMs; 0 when measured in the calling JVM).
     */
    public record Result(String id, int threads, double medianMs, double rate, String unit, double percentOfPeak,
                         int forks, double lowMs, double highMs) {
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
        List<String> ids = ids(workload);
        if (ids.isEmpty()) {
            out.println("unknown workload '" + workload + "'; known: " + Workload.IDS + " (W6 = both poolings)");
            return 2;
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
            if (forks > 0) {
                results.addAll(measureForked(name, ids, t, fma, copy, forks));
            } else {
                for (String id : ids) {
                    results.add(measure(engine, Workload.create(id), t, fma, copy));
                }
            }
        }
        // The peaks again, after the workloads: a transient slowdown of the host during the first probe (a copy
        // peak of 12 GB/s against 22–27 in other runs) must not inflate every fraction. The higher of the two counts.
        fma = Math.max(fma, Peak.fmaGflops(t));
        copy = Math.max(copy, Peak.copyGbps(t));
        if (tsv) {
            out.println("workload\tthreads\tmedian_ms\trate\tunit\tpercent_of_peak\tpeak\tpeak_unit\tforks"
                    + "\tlow_ms\thigh_ms");
            out.printf(Locale.ROOT, "peak-fma\t%d\t\t%.1f\tGFLOP/s\t100.0\t%.1f\tGFLOP/s\t\t\t%n", t, fma, fma);
            out.printf(Locale.ROOT, "peak-copy\t%d\t\t%.1f\tGB/s\t100.0\t%.1f\tGB/s\t\t\t%n", t, copy, copy);
        } else {
            printPeaks(out, fma, copy, t);
            out.println("backend: " + name + (forks > 0 ? "; each workload in " + forks + " JVM"
                    + (forks == 1 ? "" : "s") + " of its own, median [range] of their medians" : ""));
        }
        for (Result measured : results) {
            double peak = measured.unit().equals("GB/s") ? copy : fma;
            Result r = new Result(measured.id(), measured.threads(), measured.medianMs(), measured.rate(),
                    measured.unit(), 100 * measured.rate() / peak, measured.forks(), measured.lowMs(),
                    measured.highMs());
            if (tsv) {
                out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.2f\t%s\t%.1f\t%.1f\t%s\t%d\t%.3f\t%.3f%n", r.id(),
                        r.threads(), r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), peak, r.unit(), r.forks(),
                        r.lowMs(), r.highMs());
            } else {
                out.printf(Locale.ROOT, "%-4s threads %d  median %9.3f ms%s  %8.2f %-7s  %5.1f%% of %s peak%n",
                        r.id(), r.threads(), r.medianMs(), r.forks() > 1 ? String.format(Locale.ROOT,
                                " [%.3f–%.3f]", r.lowMs(), r.highMs()) : "", r.rate(), r.unit(),
                        r.percentOfPeak(), r.unit().equals("GB/s") ? "copy" : "FMA");
            }
        }
        out.flush();
        return 0;
    }

    /** The workloads {@code workload} names (null: all; W6: both poolings); empty when it names none. */
    private static List<String> ids(String workload) {
        if (workload == null) {
            return Workload.IDS;
        }
        if (workload.equalsIgnoreCase("W6")) {
            return List.of("W6a", "W6b");
        }
        return Workload.IDS.stream().filter(w -> w.equalsIgnoreCase(workload)).toList();
    }

    /** One workload against ONNX Runtime: every round median of each runtime, and how far the outputs differ. */
    public record Versus(String id, int threads, String ortName, double[] foveaRoundsMs, double[] ortRoundsMs,
                         double maxAbsDiff, double maxAbsOrt, long flops, long bytes) {
        public double foveaMs() {
            return median(sorted(foveaRoundsMs));
        }

        public double ortMs() {
            return median(sorted(ortRoundsMs));
        }

        /** ONNX Runtime's median time over Fovea's: above 1 Fovea is faster. */
        public double speedRatio() {
            return ortMs() / foveaMs();
        }

        /** GFLOP/s (GB/s for pooling) at {@code ms} per call. */
        public double rate(double ms) {
            return (bytes > 0 ? bytes : flops) / (ms / 1e3) / 1e9;
        }

        public String unit() {
            return memoryBound() ? "GB/s" : "GFLOP/s";
        }

        /** Pooling: reported in GB/s. */
        public boolean memoryBound() {
            return bytes > 0;
        }

        private static double[] sorted(double[] a) {
            double[] s = a.clone();
            Arrays.sort(s);
            return s;
        }
    }

    /**
     * {@code fovea bench --vs ort}: each workload as a graph model in Fovea against the same model exported to ONNX
     * in ONNX Runtime ({@link ModelBench#measureWorkload}). Each workload runs in {@code forks} JVMs of its own (the
     * reason {@link #run} forks), taken in rounds over the workloads; in each, the two runtimes alternate
     * {@code rounds} rounds of at least {@code roundSeconds}, so both meet the same phases of a shared host. A
     * runtime's figure is the median of all its round medians, with their range. {@code forks = 0}: this JVM.
     *
     * @return 0 on success, 2 for an unknown workload
     */
    public static int runVersusOrt(java.io.PrintWriter out, java.io.PrintWriter progress, String backend,
                                   String workload, int threads, boolean tsv, int forks, int rounds,
                                   double roundSeconds, ModelBench.Io io) throws Exception {
        List<String> ids = ids(workload);
        if (ids.isEmpty()) {
            out.println("unknown workload '" + workload + "'; known: " + Workload.IDS + " (W6 = both poolings)");
            return 2;
        }
        int t = new BackendOptions(threads).effectiveThreads();
        String name = backend == null ? "vector" : backend;
        List<Versus> results = new ArrayList<>();
        if (forks == 0) {
            for (String id : ids) {
                results.add(versus(id, name, t, rounds, roundSeconds, io, progress));
            }
        } else {
            List<List<Versus>> byId = new ArrayList<>();
            ids.forEach(id -> byId.add(new ArrayList<>()));
            for (int f = 0; f < forks; f++) {
                for (int i = 0; i < ids.size(); i++) {
                    List<String> cmd = javaCommand(name, t);
                    cmd.addAll(List.of("--rounds", Integer.toString(rounds), "--round-seconds",
                            Double.toString(roundSeconds), "--io", io.label(), "--vs-ort", ids.get(i)));
                    Versus v = parseVersus(child(cmd, ids.get(i), VERSUS_RESULT));
                    byId.get(i).add(v);
                    progress.printf(Locale.ROOT, "%s: JVM %d of %d, fovea %.3f ms, %s %.3f ms%n", v.id(), f + 1,
                            forks, v.foveaMs(), v.ortName(), v.ortMs());
                    progress.flush();
                }
            }
            for (List<Versus> vs : byId) {
                results.add(pooled(vs));
            }
        }
        if (tsv) {
            out.println("workload\tthreads\tio\tfovea_ms\tfovea_low_ms\tfovea_high_ms\tort_ms\tort_low_ms\tort_high_ms"
                    + "\tfovea_rate\tort_rate\tunit\tfovea_over_ort_speed\tmax_abs_diff\tmax_abs_ort\trounds");
        } else {
            out.printf(Locale.ROOT, "fovea (%s) against %s, %d thread%s: the same graph, exported to ONNX; %s, %d "
                    + "alternating round%s of at least %s s each; %s%n", name, results.getFirst().ortName(), t,
                    t == 1 ? "" : "s", forks == 0 ? "all in this JVM" : "each workload in " + forks + " JVM"
                    + (forks == 1 ? "" : "s") + " of its own", rounds, rounds == 1 ? "" : "s", roundSeconds,
                    io == ModelBench.Io.TENSOR ? "--io tensor: input and output tensors made once, no array copies"
                            + " timed" : "--io host: an array in, a new array out, every call");
        }
        for (Versus v : results) {
            double[] f = v.foveaRoundsMs().clone();
            double[] o = v.ortRoundsMs().clone();
            Arrays.sort(f);
            Arrays.sort(o);
            if (tsv) {
                out.printf(Locale.ROOT, "%s\t%d\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f\t%s\t%.3f\t%.2e"
                        + "\t%.3g\t%d%n",
                        v.id(), v.threads(), io.label(), v.foveaMs(), f[0], f[f.length - 1], v.ortMs(), o[0],
                        o[o.length - 1],
                        v.rate(v.foveaMs()), v.rate(v.ortMs()), v.unit(), v.speedRatio(), v.maxAbsDiff(),
                        v.maxAbsOrt(), f.length);
            } else {
                out.printf(Locale.ROOT, "%-4s threads %d  fovea %9.3f ms [%.3f–%.3f] %8.2f %-7s  onnxruntime %9.3f ms "
                        + "[%.3f–%.3f] %8.2f %-7s  fovea/ort speed %.2f  max diff %.1e of %.3g%n", v.id(), v.threads(),
                        v.foveaMs(), f[0], f[f.length - 1], v.rate(v.foveaMs()), v.unit(), v.ortMs(), o[0],
                        o[o.length - 1], v.rate(v.ortMs()), v.unit(), v.speedRatio(), v.maxAbsDiff(), v.maxAbsOrt());
            }
        }
        out.flush();
        return 0;
    }

    /** One workload against ONNX Runtime in this JVM. */
    static Versus versus(String id, String backend, int threads, int rounds, double roundSeconds, ModelBench.Io io,
                         java.io.PrintWriter progress) throws Exception {
        ModelBench.Result r = ModelBench.measureWorkload(id, backend, threads, rounds, roundSeconds, io, progress);
        Workload w = Workload.create(id);
        try (Engine engine = Engine.open(backend, new BackendOptions(threads)); TensorScope scope = new TensorScope()) {
            w.setUp(engine, scope);
            w.tearDown();
        }
        return new Versus(Workload.canonical(id), threads, r.ort().runtime(), r.fovea().roundMs(),
                r.ort().roundMs(), r.maxAbsDiff(), r.maxAbsOrt(), w.memoryBound() ? 0 : w.flops(), w.bytes());
    }

    /** The rounds of several JVMs as one result; the largest difference of any. */
    private static Versus pooled(List<Versus> vs) {
        Versus first = vs.getFirst();
        double[] f = vs.stream().flatMapToDouble(v -> Arrays.stream(v.foveaRoundsMs())).toArray();
        double[] o = vs.stream().flatMapToDouble(v -> Arrays.stream(v.ortRoundsMs())).toArray();
        double diff = vs.stream().mapToDouble(Versus::maxAbsDiff).max().orElseThrow();
        double scale = vs.stream().mapToDouble(Versus::maxAbsOrt).max().orElseThrow();
        return new Versus(first.id(), first.threads(), first.ortName(), f, o, diff, scale, first.flops(),
                first.bytes());
    }

    /** Prefix of the line a forked {@code --vs-ort} measurement prints. */
    private static final String VERSUS_RESULT = "fovea-bench-vs-ort\t";

    private static String versusLine(Versus v) {
        return VERSUS_RESULT + String.join("\t", v.id(), Integer.toString(v.threads()), v.ortName(),
                join(v.foveaRoundsMs()), join(v.ortRoundsMs()), Double.toString(v.maxAbsDiff()),
                Double.toString(v.maxAbsOrt()), Long.toString(v.flops()), Long.toString(v.bytes()));
    }

    private static Versus parseVersus(String line) {
        String[] f = line.substring(VERSUS_RESULT.length()).split("\t");
        return new Versus(f[0], Integer.parseInt(f[1]), f[2], split(f[3]), split(f[4]), Double.parseDouble(f[5]),
                Double.parseDouble(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]));
    }

    private static String join(double[] a) {
        return String.join(",", Arrays.stream(a).mapToObj(Double::toString).toList());
    }

    private static double[] split(String s) {
        return Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** This JVM's command, flags and class path, running {@link #main} for {@code backend} and {@code threads}. */
    private static List<String> javaCommand(String backend, int threads) {
        List<String> java = new ArrayList<>();
        java.add(ProcessHandle.current().info().command().orElse("java"));
        java.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Bench.class.getName(), "--backend", backend,
                "--threads", Integer.toString(threads)));
        return java;
    }

    private static void printPeaks(PrintStream out, double fma, double copy, int t) {
        out.printf(Locale.ROOT, "peak: FMA %.1f GFLOP/s, copy %.1f GB/s (%d thread%s, %s)%n", fma, copy, t,
                t == 1 ? "" : "s", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    /** Prefix of the line a forked measurement prints: id, median ms, FLOPs, bytes. */
    private static final String CHILD_RESULT = "fovea-bench-result\t";

    /** Measures workload {@code id} in {@code forks} new JVMs started with this one's command, flags and class path. */
    static Result measureForked(String backend, String id, int threads, double fmaPeak, double copyPeak, int forks) {
        return measureForked(backend, List.of(id), threads, fmaPeak, copyPeak, forks).getFirst();
    }

    /**
     * Measures each workload of {@code ids} in {@code forks} new JVMs, taken in rounds (the first JVM of every
     * workload, then the second ...): this host slows down for seconds at a time, and a slow phase then costs
     * one JVM of several workloads instead of every JVM of one (W6b once measured 1.36, 1.95 and 2.15 ms in three
     * JVMs back to back, and 1.20–1.28 ms in six JVMs a minute later).
     */
    static List<Result> measureForked(String backend, List<String> ids, int threads, double fmaPeak,
                                      double copyPeak, int forks) {
        int k = ids.size();
        double[][] medians = new double[k][forks];
        long[] flops = new long[k];
        long[] bytes = new long[k];
        List<String> java = javaCommand(backend, threads);
        java.add("--measure");
        for (int f = 0; f < forks; f++) {
            for (int i = 0; i < k; i++) {
                List<String> cmd = new ArrayList<>(java);
                cmd.add(ids.get(i));
                String[] fields = child(cmd, ids.get(i), CHILD_RESULT).split("\t");
                medians[i][f] = Double.parseDouble(fields[2]);
                flops[i] = Long.parseLong(fields[3]);
                bytes[i] = Long.parseLong(fields[4]);
                System.err.printf(Locale.ROOT, "%s: JVM %d of %d, median %.3f ms%n", ids.get(i), f + 1, forks,
                        medians[i][f]);
            }
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Arrays.sort(medians[i]);
            Result r = result(ids.get(i), threads, median(medians[i]), flops[i], bytes[i], fmaPeak, copyPeak);
            results.add(new Result(r.id(), threads, r.medianMs(), r.rate(), r.unit(), r.percentOfPeak(), forks,
                    medians[i][0], medians[i][forks - 1]));
        }
        return results;
    }

    /** Runs one measuring JVM; returns its result line, the one starting with {@code prefix}. */
    private static String child(List<String> cmd, String id, String prefix) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            String line = output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
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
            return new Result(id, threads, median, gbps, "GB/s", 100 * gbps / copyPeak, 0, median, median);
        }
        double gflops = flops / (median / 1e3) / 1e9;
        return new Result(id, threads, median, gflops, "GFLOP/s", 100 * gflops / fmaPeak, 0, median, median);
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

    /** Warms {@code w} up, then times single runs and reports the median. */
    public static Result measure(Engine engine, Workload w, int threads, double fmaPeak, double copyPeak) {
        try (TensorScope scope = new TensorScope()) {
            w.setUp(engine, scope);
            try {
                warmUp(w);
                double[] samples = new double[64];
                int count = 0;
                long start = System.nanoTime();
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
                double median = median(s);
                return result(w.id(), threads, median, w.memoryBound() ? 0 : w.flops(), w.bytes(), fmaPeak, copyPeak);
            } finally {
                w.tearDown();
            }
        }
    }

    /**
     * {@code java dev.fovea.bench.Bench [--workload W2] [--threads N] [--backend NAME] [--tsv] [--peak] [--forks N]};
     * {@code --measure W2} is the forked measurement: it prints one result line and no peak.
     */
    public static void main(String[] args) throws Exception {
        String workload = null;
        String versus = null;
        int rounds = 5;
        double roundSeconds = 1;
        ModelBench.Io io = ModelBench.Io.TENSOR;
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
                case "--vs-ort" -> versus = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--round-seconds" -> roundSeconds = Double.parseDouble(args[++i]);
                case "--io" -> io = ModelBench.Io.parse(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--workload W2] [--threads N] [--backend NAME] [--tsv] [--peak] [--forks N]");
            }
        }
        if (versus != null) {
            System.out.println(versusLine(versus(versus, backend == null ? "vector" : backend,
                    new BackendOptions(threads).effectiveThreads(), rounds, roundSeconds, io,
                    new java.io.PrintWriter(System.err, true))));
            System.exit(0);
        }
        if (measure != null) {
            BackendOptions options = new BackendOptions(threads);
            try (Engine engine = backend == null ? Engine.open(options) : Engine.open(backend, options)) {
                Workload w = Workload.create(measure);
                Result r = measure(engine, w, options.effectiveThreads(), 1, 1);
                System.out.printf(Locale.ROOT, "%s%s\t%.6f\t%d\t%d%n", CHILD_RESULT, r.id(), r.medianMs(), w.flops(),
                        w.bytes());
            }
            System.exit(0);
        }
        System.exit(run(System.out, backend, workload, threads, tsv, peak, forks));
    }
}
