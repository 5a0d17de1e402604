package dev.fovea.cli;

import dev.fovea.data.Datasets;
import dev.fovea.data.Idx;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea soak --minutes N}: a mixed workload for N minutes — threads sharing one Inference of
 * {@code fashion-cnn} with random batch sizes, and one thread that saves and loads weights, compiles and closes
 * Inferences, builds and closes models and reads IDX files — printing resident memory, heap after GC, direct (native)
 * memory, threads and open file descriptors every interval, then the trend of each per minute.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run a mixed inference and file workload for a while and print resident memory, heap, native"
                + " memory, threads and file descriptors every interval, then each one's trend per minute.",
                "A leak shows as a steady positive trend after the first interval (warm-up)."})
final class SoakCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "N", defaultValue = "15", description = "How long (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--interval", paramLabel = "S", defaultValue = "60",
            description = "Seconds between two reports (default: ${DEFAULT-VALUE}).")
    int interval;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "4",
            description = "Threads calling predict (default: ${DEFAULT-VALUE}).")
    int threads;

    /** One report. */
    record Sample(double minute, long calls, long cycles, double rssMb, double heapMb, double directMb, int threads,
                  int descriptors) {
    }

    @Override
    public Integer call() throws Exception {
        if (!(minutes > 0 && minutes <= 24 * 60)) {
            throw new IllegalArgumentException("--minutes " + minutes + " must be in (0, 1440]");
        }
        if (interval < 1 || interval > 3600) {
            throw new IllegalArgumentException("--interval " + interval + " must be in [1, 3600] seconds");
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("--threads " + threads + " must be in [1, 256]");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("fovea-soak");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicLong cycles = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Sample> samples = new ArrayList<>();
        try (Engine engine = fovea.openEngine(); Model model = ModelZoo.fashionCnn(1);
             Inference net = model.compile(engine)) {
            out.printf("soak: %s minutes on backend %s, %d predict threads + 1 file/lifecycle thread, report every"
                    + " %d s%n", fmt(minutes), engine.name(), threads, interval);
            out.printf("%7s %10s %7s %9s %9s %10s %8s %5s%n", "minute", "calls", "cycles", "rss MB", "heap MB",
                    "direct MB", "threads", "fds");
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                workers.add(Thread.ofPlatform().name("soak-predict-" + t).daemon().start(() -> guard(failure, stop,
                        () -> predictLoop(net, seed, stop, calls))));
            }
            workers.add(Thread.ofPlatform().name("soak-files").daemon().start(() -> guard(failure, stop,
                    () -> lifecycleLoop(engine, dir, stop, cycles))));
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            long next = start;
            while (failure.get() == null) {
                next = Math.min(next + interval * 1_000_000_000L, end);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                Sample s = sample((System.nanoTime() - start) / 60e9, calls.get(), cycles.get());
                samples.add(s);
                out.printf(Locale.ROOT, "%7.2f %,10d %,7d %9.1f %9.1f %10.1f %8d %5s%n", s.minute(), s.calls(),
                        s.cycles(), s.rssMb(), s.heapMb(), s.directMb(), s.threads(),
                        s.descriptors() < 0 ? "n/a" : Integer.toString(s.descriptors()));
                out.flush();
                if (next >= end) {
                    break;
                }
            }
            stop.set(true);
            for (Thread w : workers) {
                w.join(60_000);
            }
        } finally {
            stop.set(true);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("soak: a worker failed: " + failure.get(), failure.get());
        }
        printTrend(out, samples);
        return 0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, AtomicBoolean stop, Work w) {
        try {
            w.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            stop.set(true);
        }
    }

    /** Random batch sizes 1–64 of random images, forever. */
    private static void predictLoop(Inference net, long seed, AtomicBoolean stop, AtomicLong calls) {
        SplittableRandom r = new SplittableRandom(seed);
        while (!stop.get()) {
            int batch = 1 + r.nextInt(64);
            float[] x = new float[batch * 28 * 28];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble();
            }
            float[] y = net.predict(x, batch);
            if (y.length != batch * 10) {
                throw new IllegalStateException("predict returned " + y.length + " values for batch " + batch);
            }
            calls.incrementAndGet();
        }
    }

    /** Weights saved and loaded, Inferences compiled and closed, models built and closed, IDX files read. */
    private static void lifecycleLoop(Engine engine, Path dir, AtomicBoolean stop, AtomicLong cycles)
            throws IOException {
        Path weights = dir.resolve("soak.safetensors");
        Path images = dir.resolve("images.idx.gz");
        Datasets.fashionMnistSample();  // the bundled sample, read from the jar
        new Idx(Idx.UBYTE, new int[] {64, 28, 28}, new byte[64 * 28 * 28]).write(images, true);
        long seed = 0;
        while (!stop.get()) {
            try (Model m = ModelZoo.fashionCnn(seed++)) {
                SafeTensors.save(m, weights);
                try (Model loaded = SafeTensors.loadModel(weights); Inference net = loaded.compile(engine)) {
                    net.predict(new float[2 * 28 * 28], 2);
                }
            }
            Idx.read(images);
            cycles.incrementAndGet();
        }
    }

    private static Sample sample(double minute, long calls, long cycles) {
        System.gc();  // heap after a collection: what is still referenced
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return new Sample(minute, calls, cycles, rssKb() / 1024.0, heap / 1048576.0, direct / 1048576.0,
                ManagementFactory.getThreadMXBean().getThreadCount(), descriptors());
    }

    /** Resident set size from {@code /proc/self/status} (Linux), or −1024 elsewhere. */
    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1024;
    }

    /** Open file descriptors from {@code /proc/self/fd} (Linux), or −1 elsewhere. */
    private static int descriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Each measure's least-squares slope per minute over the samples after the first (the first interval holds the
     * warm-up: plans, pools and JIT), with its first and last value.
     */
    static void printTrend(PrintWriter out, List<Sample> samples) {
        List<Sample> s = samples.size() > 2 ? samples.subList(1, samples.size()) : samples;
        out.printf("trend per minute over minutes %.2f–%.2f (%d samples; the first interval is warm-up):%n",
                s.getFirst().minute(), s.getLast().minute(), s.size());
        trend(out, "rss MB", s, Sample::rssMb);
        trend(out, "heap MB", s, Sample::heapMb);
        trend(out, "direct MB", s, Sample::directMb);
        trend(out, "threads", s, x -> x.threads());
        trend(out, "fds", s, x -> x.descriptors());
        Sample last = samples.getLast();
        out.printf(Locale.ROOT, "calls: %,d predict calls, %,d save/load/compile/close cycles%n", last.calls(),
                last.cycles());
    }

    private static void trend(PrintWriter out, String name, List<Sample> s, java.util.function.ToDoubleFunction<Sample> f) {
        double n = s.size();
        double mx = 0;
        double my = 0;
        for (Sample x : s) {
            mx += x.minute() / n;
            my += f.applyAsDouble(x) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (Sample x : s) {
            sxy += (x.minute() - mx) * (f.applyAsDouble(x) - my);
            sxx += (x.minute() - mx) * (x.minute() - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        out.printf(Locale.ROOT, "  %-10s %+9.2f /min   first %9.1f   last %9.1f   min %9.1f   max %9.1f%n", name,
                slope, f.applyAsDouble(s.getFirst()), f.applyAsDouble(s.getLast()),
                s.stream().mapToDouble(f).min().orElse(0), s.stream().mapToDouble(f).max().orElse(0));
    }
}
