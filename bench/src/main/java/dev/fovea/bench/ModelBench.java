package dev.fovea.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.nn.Profile;
import dev.fovea.onnx.Onnx;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import dev.fovea.data.InputFiles;
import java.math.BigDecimal;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Times an ONNX file in Fovea and, optionally, in ONNX Runtime: {@code fovea bench --model FILE.onnx [--vs ort]}.
 *
 * <p>Both runtimes get the same file and the same random input ({@code batch} images, values uniform in [−1, 1)),
 * and the same contract, chosen by {@link Io}:
 * <ul>
 * <li>{@link Io#TENSOR} (the default), a hot loop as an application that keeps a model loaded runs it: each
 *     runtime's input tensor is made once before timing, in its own memory and order, and each call writes the
 *     output into a tensor also made once; nothing is copied to or from Java arrays inside the timed call. Fovea:
 *     {@link Inference#predictInto} on a host tensor in the model's layout; ONNX Runtime: {@code run} with an
 *     {@code OnnxTensor} over a direct buffer as input and another as its pinned output.
 * <li>{@link Io#HOST}: an array in, a new array out, every call. Fovea: {@link Inference#predict(float[], int)};
 *     ONNX Runtime: a tensor made from the array, {@code run}, the first output copied to an array.
 * </ul>
 * Fovea stores activations channels-last ({@link #LAYOUT}) and takes the same values in that order (reordered once,
 * before timing); its output is compared in ONNX's order. Fovea runs on the vector backend (or the one named) with
 * {@code threads} workers; ONNX Runtime on its CPU provider with its default graph optimizations (all levels),
 * {@code threads} intra-op threads and one inter-op thread.
 *
 * <p>Each runtime is warmed up first (until a short round no longer gets 2 % faster), then measured in
 * {@code rounds} rounds of at least {@code roundSeconds} each (and at least {@link #MIN_CALLS} calls); a round's
 * figure is the median call time, and each runtime's result is the median of its rounds with their range.
 */
public final class ModelBench {
    /**
     * How Fovea stores the model's activations: channels-last, the vector backend's own order (with NCHW storage
     * every convolution transposes its input and output: 23 % of mobilenet_v2's profile). The input is handed over
     * in that order, converted once before timing, as an image decoder's HWC pixels would be.
     */
    static final Layout LAYOUT = Layout.NHWC;

    /** Calls per round at least, so that a round's median is the median of something. */
    static final int MIN_CALLS = 3;
    /** A warm-up never takes longer than this many round lengths per runtime. */
    private static final int WARMUP_LIMIT_ROUNDS = 15;
    /**
     * Calls a warm-up makes at least (within its time limit): a kernel that runs once per call (a global pooling, a
     * dense layer at batch 1) reaches C2 only after tens of calls, and until then its vector code runs interpreted,
     * tens of times slower, while the rounds stay steady enough to end a warm-up that watches only the times.
     */
    static final int WARMUP_CALLS = 150;

    private ModelBench() {
    }

    /** What one timed call includes besides the model: see the class comment. */
    public enum Io {
        /** Input and output tensors made once, in each runtime's own memory; no array copies in the call. */
        TENSOR,
        /** A Java array in and a new Java array out in every call. */
        HOST;

        /** The option's value: {@code tensor} or {@code host}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code tensor} or {@code host}; anything else throws naming the value. */
        public static Io parse(String s) {
            for (Io io : values()) {
                if (io.label().equals(s)) {
                    return io;
                }
            }
            throw new IllegalArgumentException("io '" + s + "': one of tensor, host");
        }
    }

    /**
     * What to measure.
     *
     * @param model        the .onnx file
     * @param backend      the Fovea backend, null for "vector"
     * @param batch        images per call, at least 1
     * @param threads      Fovea workers and ONNX Runtime intra-op threads; 0 = all cores
     * @param rounds       measured rounds, at least 1
     * @param roundSeconds the least time of one runtime's round, positive
     * @param vsOrt        whether to time ONNX Runtime too
     * @param io           what a timed call includes besides the model
     */
    public record Options(Path model, String backend, int batch, int threads, int rounds, double roundSeconds,
                          boolean vsOrt, Io io) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(io, "io");
            if (batch < 1) {
                throw new IllegalArgumentException("batch " + batch + " must be at least 1");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads " + threads + " must be ≥ 0 (0 = all cores)");
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds " + rounds + " must be at least 1");
            }
            if (!Double.isFinite(roundSeconds) || roundSeconds <= 0) {
                throw new IllegalArgumentException("round seconds " + roundSeconds + " must be finite and positive");
            }
        }
    }

    /** One runtime's figures: the median of its round medians, their lowest and highest, and the calls timed. */
    public record Timing(String runtime, double medianMs, double lowMs, double highMs, int calls, double[] roundMs) {
        public double imagesPerSecond(int batch) {
            return batch / (medianMs / 1e3);
        }
    }

    /**
     * The measurement: {@code backend} is the Fovea backend's name, {@code ort} is null without {@code vsOrt}; {@code maxAbsDiff} is the largest
     * |Fovea − ONNX Runtime| over the first output and {@code maxAbsOrt} the largest |ONNX Runtime| (NaN without
     * {@code vsOrt}).
     */
    public record Result(Options options, String backend, Shape inputShape, int threads, Timing fovea, Timing ort,
                         double maxAbsDiff, double maxAbsOrt) {
        /** ONNX Runtime's median time over Fovea's: above 1 Fovea is faster. NaN without ONNX Runtime. */
        public double speedRatio() {
            return ort == null ? Double.NaN : ort.medianMs() / fovea.medianMs();
        }
    }

    /** One call of a runtime on the benchmark's input: what is timed. */
    private interface Call {
        void call() throws Exception;
    }

    /** A runtime set up for the benchmark: its timed call, and its last call's first output in NCHW order. */
    private interface Runtime {
        Call call();

        float[] output() throws Exception;
    }

    /** Measures as {@code options} say; progress (warm-up, rounds) goes to {@code progress}. */
    public static Result measure(Options options, PrintWriter progress) throws Exception {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        Path file = options.model();
        InputFiles.require("model", file);
        try (Model model = Onnx.load(file, LAYOUT)) {
            return measure(options, model, progress);
        }
    }

    /**
     * Where the model's time goes in Fovea: after the same warm-up as {@link #measure}, enough passes to fill
     * {@code rounds × roundSeconds} (at least 10), each compiled layer timed ({@link Profile}). {@code vsOrt} is
     * ignored.
     */
    public static Profile profile(Options options, PrintWriter progress) throws Exception {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        Path file = options.model();
        InputFiles.require("model", file);
        try (Model model = Onnx.load(file, LAYOUT)) {
            if (model.inputs().size() != 1) {
                throw new IllegalArgumentException(file + " has " + model.inputs().size() + " inputs "
                        + model.inputNames() + "; the profile feeds one");
            }
            int threads = new BackendOptions(options.threads()).effectiveThreads();
            String backend = options.backend() == null ? "vector" : options.backend();
            int batch = options.batch();
            Shape shape = model.inputShape(batch);
            float[] x = randomInput(shape);
            float[] xModel = shape.rank() == 4 ? reorder(x, shape, true) : x;
            try (Engine engine = Engine.open(backend, new BackendOptions(threads));
                 Inference net = model.compile(engine)) {
                Call fovea = () -> net.predict(xModel, batch);
                String name = "fovea (" + engine.name() + ", " + threads + " thread" + (threads == 1 ? "" : "s") + ")";
                warmUp(name, fovea, options.roundSeconds(), progress);
                double passMs = median(round(fovea, options.roundSeconds() / 2));
                int passes = (int) Math.min(10_000, Math.max(10,
                        Math.ceil(options.rounds() * options.roundSeconds() * 1e3 / passMs)));
                progress.printf(Locale.ROOT, "profiling %d passes of %s%n", passes, name);
                progress.flush();
                return Profile.measure(net, xModel, batch, passes);
            }
        }
    }

    /**
     * Benchmark workload {@code id} (W1–W6b) against ONNX Runtime: its graph model ({@link Workload#model}, activations
     * channels-last as the workloads store them) runs in Fovea, the same model exported by {@link Onnx#save} runs in
     * ONNX Runtime; {@code rounds} alternating rounds of at least {@code roundSeconds}.
     */
    public static Result measureWorkload(String id, String backend, int threads, int rounds, double roundSeconds,
                                         Io io, PrintWriter progress) throws Exception {
        try (Model model = Workload.model(id, Layout.NHWC)) {
            Path file = Files.createTempFile("fovea-bench-" + model.name() + "-", ".onnx");
            try {
                Onnx.save(model, file);
                Options options = new Options(file, backend, Workload.batch(id), threads, rounds, roundSeconds, true,
                        io);
                return measure(options, model, progress);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Fovea runs {@code model}; ONNX Runtime (with {@code vsOrt}) runs {@code options.model()}, the same model as an
     * ONNX file. Both get the same values: ONNX Runtime in NCHW order, Fovea in the model's layout order, and
     * Fovea's output is compared in NCHW order.
     */
    static Result measure(Options options, Model model, PrintWriter progress) throws Exception {
        Path file = options.model();
        int threads = new BackendOptions(options.threads()).effectiveThreads();
        String backend = options.backend() == null ? "vector" : options.backend();
        if (model.inputs().size() != 1) {
            throw new IllegalArgumentException(file + " has " + model.inputs().size() + " inputs "
                    + model.inputNames() + "; the benchmark feeds one");
        }
        int batch = options.batch();
        Shape shape = model.inputShape(batch);
        Shape outShape = model.outputShape(batch);
        float[] x = randomInput(shape);
        float[] xModel = model.layout() == Layout.NHWC && shape.rank() == 4 ? reorder(x, shape, true) : x;
        boolean outNhwc = model.layout() == Layout.NHWC && outShape.rank() == 4;
        try (Engine engine = Engine.open(backend, new BackendOptions(threads));
             Inference net = model.compile(engine);
             TensorScope tensors = new TensorScope()) {
            String foveaName = "fovea (" + engine.name() + ")";
            Runtime fovea = foveaRuntime(options.io(), net, batch, xModel, outShape, outNhwc, tensors);
            if (!options.vsOrt()) {
                warmUp(foveaName, fovea.call(), options.roundSeconds(), progress);
                List<double[]> rounds = new ArrayList<>();
                for (int r = 0; r < options.rounds(); r++) {
                    rounds.add(round(fovea.call(), options.roundSeconds()));
                    progress.printf(Locale.ROOT, "round %d of %d: %s %.3f ms%n", r + 1, options.rounds(),
                            foveaName, median(rounds.getLast()));
                }
                return new Result(options, engine.name(), shape, threads, timing(foveaName, rounds), null,
                        Double.NaN, Double.NaN);
            }
            return versusOrt(options, file, shape, outShape, x, threads, engine.name(), fovea, progress);
        }
    }

    /**
     * Fovea as {@code io} says: {@link Io#TENSOR} runs {@link Inference#predictInto} on an input and an output tensor
     * in the model's layout made here once by the engine (its own memory: on a GPU backend, device memory);
     * {@link Io#HOST} runs {@link Inference#predict(float[], int)}.
     */
    private static Runtime foveaRuntime(Io io, Inference net, int batch, float[] xModel, Shape outShape,
                                        boolean outNhwc, TensorScope tensors) {
        Layout layout = net.model().layout();
        if (io == Io.TENSOR) {
            Engine engine = net.engine();
            Tensor in = engine.allocate(net.model().inputShape(batch), layout, tensors);
            engine.copy(tensors.fromArray(xModel, in.shape(), layout), in);
            Tensor out = engine.allocate(outShape, layout, tensors);
            return new Runtime() {
                public Call call() {
                    return () -> net.predictInto(in, out);
                }

                public float[] output() {
                    Tensor host = tensors.allocate(outShape, layout);
                    engine.copy(out, host);
                    float[] y = host.toArray();
                    return outNhwc ? reorder(y, outShape, false) : y;
                }
            };
        }
        float[][] last = new float[1][];
        return new Runtime() {
            public Call call() {
                return () -> last[0] = net.predict(xModel, batch);
            }

            public float[] output() {
                return outNhwc ? reorder(last[0], outShape, false) : last[0];
            }
        };
    }

    /**
     * ONNX Runtime as {@code io} says: {@link Io#TENSOR} runs on an {@code OnnxTensor} over a direct buffer made here
     * once, writing into a pinned output tensor also made once; {@link Io#HOST} makes the input tensor from the
     * array, runs, and copies the first output to a new array, every call. The tensors are closed with {@code open}.
     */
    private static Runtime ortRuntime(Io io, OrtEnvironment env, OrtSession session, float[] x, Shape shape,
                                      Shape outShape, List<AutoCloseable> open) throws OrtException {
        String input = session.getInputNames().iterator().next();
        long[] dims = Arrays.stream(shape.dims()).asLongStream().toArray();
        if (io == Io.TENSOR) {
            FloatBuffer inBuffer = directFloats(x.length);
            inBuffer.put(x).flip();
            FloatBuffer outBuffer = directFloats(Math.toIntExact(outShape.elementCount()));
            OnnxTensor in = OnnxTensor.createTensor(env, inBuffer, dims);
            open.add(in);
            OnnxTensor out = OnnxTensor.createTensor(env, outBuffer,
                    Arrays.stream(outShape.dims()).asLongStream().toArray());
            open.add(out);
            Map<String, OnnxTensor> inputs = Map.of(input, in);
            Map<String, OnnxTensor> outputs = Map.of(session.getOutputNames().iterator().next(), out);
            return new Runtime() {
                public Call call() {
                    return () -> session.run(inputs, outputs).close(); // the pinned output stays open
                }

                public float[] output() {
                    float[] y = new float[outBuffer.capacity()];
                    outBuffer.get(0, y);
                    return y;
                }
            };
        }
        float[][] last = new float[1][];
        return new Runtime() {
            public Call call() {
                return () -> {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
                         OrtSession.Result r = session.run(Map.of(input, t))) {
                        FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        float[] out = new float[b.remaining()];
                        b.get(out);
                        last[0] = out;
                    }
                };
            }

            public float[] output() {
                return last[0];
            }
        };
    }

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static Result versusOrt(Options options, Path file, Shape shape, Shape outShape, float[] x, int threads,
                                    String backend, Runtime foveaRuntime, PrintWriter progress) throws Exception {
        String foveaName = "fovea (" + backend + ")";
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String ortName = "onnxruntime " + env.getVersion();
        List<AutoCloseable> open = new ArrayList<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            // CPU provider, default graph optimizations; as many intra-op threads as Fovea has workers, and one
            // inter-op thread (the models are one chain of operators: nothing to overlap between them).
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), so)) {
                Runtime ortRuntime = ortRuntime(options.io(), env, session, x, shape, outShape, open);
                Call fovea = foveaRuntime.call();
                Call ort = ortRuntime.call();
                // The outputs must agree before the times mean anything.
                fovea.call();
                ort.call();
                float[] a = foveaRuntime.output();
                float[] b = ortRuntime.output();
                if (a.length != b.length) {
                    throw new IllegalStateException(file + ": Fovea gives " + a.length + " output values, ONNX Runtime "
                            + b.length);
                }
                double diff = 0;
                double scale = 0;
                for (int i = 0; i < a.length; i++) {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                    scale = Math.max(scale, Math.abs(b[i]));
                }
                // Both runtimes in one JVM, in alternating rounds, rather than each in a process of its own:
                // - the host is shared, and its speed drifts by tens of percent over seconds to minutes; rounds
                //   taken in turn put both runtimes in the same phase of the host, so a slow phase widens both
                //   ranges instead of favouring whichever ran in the fast one; the order within a round alternates
                //   too, so neither always runs right after the other (caches, clock boost);
                // - Fovea is measured in the JIT's steady state, as an application that keeps a model loaded runs
                //   it; ONNX Runtime is native code and does not depend on the JIT, and both are warmed up before
                //   the first round, Fovea first, so the JIT's compiler threads are idle by the time any round is
                //   timed.
                warmUp(foveaName, fovea, options.roundSeconds(), progress);
                warmUp(ortName, ort, options.roundSeconds(), progress);
                List<double[]> foveaRounds = new ArrayList<>();
                List<double[]> ortRounds = new ArrayList<>();
                for (int r = 0; r < options.rounds(); r++) {
                    if (r % 2 == 0) {
                        foveaRounds.add(round(fovea, options.roundSeconds()));
                        ortRounds.add(round(ort, options.roundSeconds()));
                    } else {
                        ortRounds.add(round(ort, options.roundSeconds()));
                        foveaRounds.add(round(fovea, options.roundSeconds()));
                    }
                    progress.printf(Locale.ROOT, "round %d of %d: %s %.3f ms, %s %.3f ms%n", r + 1, options.rounds(),
                            foveaName, median(foveaRounds.getLast()), ortName, median(ortRounds.getLast()));
                }
                return new Result(options, backend, shape, threads, timing(foveaName, foveaRounds),
                        timing(ortName, ortRounds), diff, scale);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime on " + file + ": " + e.getMessage(), e);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    /**
     * Runs {@code runtime} in short rounds (half a round length, at least {@link #MIN_CALLS} calls) until one no
     * longer gets 2 % faster than the best before it, after at least two round lengths and {@link #WARMUP_CALLS}
     * calls in all; at most {@link #WARMUP_LIMIT_ROUNDS} round lengths.
     */
    private static void warmUp(String name, Call runtime, double roundSeconds, PrintWriter progress)
            throws Exception {
        long start = System.nanoTime();
        long least = (long) (2 * roundSeconds * 1e9);
        long limit = (long) (WARMUP_LIMIT_ROUNDS * roundSeconds * 1e9);
        double best = Double.MAX_VALUE;
        int calls = 0;
        while (true) {
            double[] times = round(runtime, roundSeconds / 2);
            double median = median(times);
            calls += times.length;
            long elapsed = System.nanoTime() - start;
            if (elapsed > limit || (elapsed >= least && calls >= WARMUP_CALLS && median > 0.98 * best)) {
                progress.printf(Locale.ROOT, "warmed up %s in %.1f s: %.3f ms%n", name, elapsed / 1e9, median);
                return;
            }
            best = Math.min(best, median);
        }
    }

    /** One round: call times in ms, sorted; at least {@link #MIN_CALLS} calls and {@code seconds} in all. */
    private static double[] round(Call runtime, double seconds) throws Exception {
        long least = (long) (seconds * 1e9);
        double[] t = new double[16];
        int n = 0;
        long start = System.nanoTime();
        while (n < MIN_CALLS || System.nanoTime() - start < least) {
            long t0 = System.nanoTime();
            runtime.call();
            long t1 = System.nanoTime();
            if (n == t.length) {
                t = Arrays.copyOf(t, 2 * n);
            }
            t[n++] = (t1 - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(t, n);
        Arrays.sort(sorted);
        return sorted;
    }

    private static Timing timing(String name, List<double[]> rounds) {
        double[] medians = new double[rounds.size()];
        int calls = 0;
        for (int i = 0; i < medians.length; i++) {
            medians[i] = median(rounds.get(i));
            calls += rounds.get(i).length;
        }
        Arrays.sort(medians);
        return new Timing(name, median(medians), medians[0], medians[medians.length - 1], calls, medians);
    }

    /** {@code a} (logical {@code [N, C, H, W]}) moved between NCHW and NHWC order, {@code toNhwc} saying which way. */
    static float[] reorder(float[] a, Shape s, boolean toNhwc) {
        int n = s.n();
        int c = s.c();
        int hw = s.h() * s.w();
        float[] out = new float[a.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int nchw = (i * c + ch) * hw + p;
                    int nhwc = (i * hw + p) * c + ch;
                    out[toNhwc ? nhwc : nchw] = a[toNhwc ? nchw : nhwc];
                }
            }
        }
        return out;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code shape}'s element count of values uniform in [−1, 1), the same for every run (seed 1). */
    private static float[] randomInput(Shape shape) {
        long n = shape.elementCount();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input " + shape + " has more than 2^31 − 1 values: use a smaller batch");
        }
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        return x;
    }

    /** The tab-separated header of {@link #printTsv}. */
    public static final String TSV_HEADER = "model\tbatch\tthreads\tbackend\tfovea_ms\tfovea_low_ms\tfovea_high_ms"
            + "\tfovea_images_s\tort_ms\tort_low_ms\tort_high_ms\tort_images_s\tfovea_over_ort_speed\tmax_abs_diff"
            + "\tmax_abs_ort\trounds";

    /** One tab-separated line (see {@link #TSV_HEADER}); the ONNX Runtime columns are empty without it. */
    public static void printTsv(Result r, PrintWriter out) {
        Options o = r.options();
        int batch = o.batch();
        StringBuilder sb = new StringBuilder();
        sb.append(o.model().getFileName()).append('\t').append(batch).append('\t').append(r.threads()).append('\t')
                .append(r.backend());
        sb.append(String.format(Locale.ROOT, "\t%.3f\t%.3f\t%.3f\t%.2f", r.fovea().medianMs(), r.fovea().lowMs(),
                r.fovea().highMs(), r.fovea().imagesPerSecond(batch)));
        if (r.ort() != null) {
            sb.append(String.format(Locale.ROOT, "\t%.3f\t%.3f\t%.3f\t%.2f\t%.3f\t%.2e\t%.3g", r.ort().medianMs(),
                    r.ort().lowMs(), r.ort().highMs(), r.ort().imagesPerSecond(batch), r.speedRatio(),
                    r.maxAbsDiff(), r.maxAbsOrt()));
        } else {
            sb.append("\t\t\t\t\t\t\t");
        }
        sb.append('\t').append(o.rounds());
        out.println(sb);
    }

    /** The result for a reader: the setting, a line per runtime, the speed ratio and how far the outputs differ. */
    public static void print(Result r, PrintWriter out) {
        Options o = r.options();
        int batch = o.batch();
        out.printf(Locale.ROOT, "model: %s, input %s, %d thread%s, %d round%s of at least %s s after warm-up%s; "
                + "--io %s%n", o.model(), r.inputShape(), r.threads(), r.threads() == 1 ? "" : "s", o.rounds(),
                o.rounds() == 1 ? "" : "s", BigDecimal.valueOf(o.roundSeconds()).stripTrailingZeros().toPlainString(),
                r.ort() != null ? ", runtimes alternating" : "", o.io().label());
        List<Timing> timings = r.ort() == null ? List.of(r.fovea()) : List.of(r.fovea(), r.ort());
        for (Timing t : timings) {
            out.printf(Locale.ROOT, "%-20s median %10.3f ms [%.3f–%.3f]  %9.2f images/s  (%d calls)%n", t.runtime(),
                    t.medianMs(), t.lowMs(), t.highMs(), t.imagesPerSecond(batch), t.calls());
        }
        if (r.ort() != null) {
            out.printf(Locale.ROOT, "fovea/onnxruntime speed: %.2f (above 1: Fovea faster)%n", r.speedRatio());
            out.printf(Locale.ROOT, "outputs: max |fovea − onnxruntime| %.2e, max |onnxruntime| %.3g%n",
                    r.maxAbsDiff(), r.maxAbsOrt());
        }
        out.flush();
    }
}
