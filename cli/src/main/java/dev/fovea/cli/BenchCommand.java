package dev.fovea.cli;

import dev.fovea.bench.Bench;
import dev.fovea.bench.ModelBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea bench}: the W1–W6 workloads of bench/, as fractions of this machine's measured peak; or, with
 * {@code --model FILE.onnx}, that model's inference time, against ONNX Runtime's with {@code --vs ort}
 * ({@link ModelBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the benchmark workloads W1-W6 (see bench/RESULTS.md): per workload threads, median ms, "
                + "GFLOP/s (GB/s for pooling) and %% of this machine's FMA peak (copy bandwidth for pooling), the "
                + "peaks measured in the same run by a short Vector API probe.",
                "With --model FILE.onnx: time that model on a random batch (vector backend unless --backend is "
                + "given), and with --vs ort ONNX Runtime too (CPU, default graph optimizations, --threads intra-op "
                + "threads, one inter-op thread) on the same file and input, in alternating rounds after a warm-up. "
                + "Prints per runtime the median time per call with the range of the round medians and images/s, "
                + "the speed ratio Fovea/ONNX Runtime (above 1: Fovea faster), and how far the outputs differ.",
                "With --vs ort and no --model: each workload built as a graph model, run by Fovea and, exported to "
                + "ONNX, by ONNX Runtime, alternating rounds in one JVM per workload (--forks JVMs if given): both "
                + "medians with their range, GFLOP/s (GB/s), the speed ratio and the outputs' difference."})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Option(names = "--workload", paramLabel = "W", description = "One workload (W1..W6; W6 = both poolings).")
    String workload;

    @Option(names = "--model", paramLabel = "FILE", description = "Time this ONNX model instead of the workloads.")
    Path model;

    @Option(names = "--vs", paramLabel = "RUNTIME", description = "Time ONNX Runtime too ('ort'): on --model's file, "
            + "or on each workload's graph exported to ONNX.")
    String vs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "With --model: images per call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "5",
            description = "With --model or --vs ort: measured rounds per runtime (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--round-seconds", paramLabel = "S", defaultValue = "1",
            description = "With --model or --vs ort: least time of each round, in seconds (default: ${DEFAULT-VALUE}; at least "
                    + "3 calls); the warm-up takes at least twice that.")
    double roundSeconds;

    @Option(names = "--io", paramLabel = "MODE", defaultValue = "tensor",
            description = "With --model or --vs ort, what a timed call includes besides the model: 'tensor' "
                    + "(default): each runtime's input and output tensors are made once before timing, in its own "
                    + "memory, and no copy to or from Java arrays is timed; 'host': a float[] in and a new float[] "
                    + "out every call.")
    String io;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Worker threads (default: all cores); with --model --vs ort also ONNX Runtime's "
                    + "intra-op threads.")
    int threads;

    @Option(names = "--profile", description = "With --model: time each layer of the compiled model (median over "
            + "passes filling --rounds × --round-seconds after a warm-up) and print its op, output shape, time, "
            + "share and GFLOP/s, the layers summed by kind, and the slowest ten.")
    boolean profile;

    @Option(names = "--tsv", description = "Tab-separated output with a header line.")
    boolean tsv;

    @Option(names = "--peak", description = "Print only the measured FMA and copy peaks.")
    boolean peak;

    @Option(names = "--forks", paramLabel = "N", defaultValue = "" + Bench.DEFAULT_FORKS,
            description = "JVMs per workload (default: ${DEFAULT-VALUE}), each started fresh as JMH forks, so that "
                    + "kernels JIT-compiled for one workload's shapes do not slow the next; the median of their "
                    + "medians is reported with its range. 0: measure every workload in this JVM.")
    int forks;

    @Option(names = "--training", description = "Time fashion-cnn training steps and batch-256 inference instead of "
            + "W1-W6 (1 and 2 threads unless --threads is given).")
    boolean training;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        new Checks(spec).threads("--threads", threads);
        if (model != null) {
            return benchModel();
        }
        if (profile) {
            throw new ParameterException(spec.commandLine(), "--profile applies to --model only");
        }
        List<String> modelOnly = vs != null ? List.of("--batch") : List.of("--batch", "--rounds", "--round-seconds",
                "--io");
        for (String option : modelOnly) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " applies to --model"
                        + (option.equals("--batch") ? "" : " and --vs ort") + " only");
            }
        }
        if (forks < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--forks must be ≥ 0, got " + forks);
        }
        spec.commandLine().getOut().flush();
        if (vs != null) {
            checkVersus();
            for (String option : List.of("--peak", "--training")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " does not apply to --vs ort");
                }
            }
            // Both runtimes alternate rounds inside each JVM: one JVM per workload unless --forks says otherwise.
            int jvms = spec.commandLine().getParseResult().hasMatchedOption("--forks") ? forks : 1;
            return Bench.runVersusOrt(spec.commandLine().getOut(), spec.commandLine().getErr(),
                    fovea.requestedBackend().orElse(null), workload, threads, tsv, jvms, rounds, roundSeconds, io());
        }
        if (training) {
            dev.fovea.bench.TrainingBench.main(new String[] {"--threads", threads > 0 ? Integer.toString(threads)
                    : "1,2"});
            return 0;
        }
        return Bench.run(System.out, fovea.requestedBackend().orElse(null), workload, threads, tsv, peak, forks);
    }

    /** {@code --model FILE.onnx [--vs ort]}: the options checked before anything is loaded. */
    private int benchModel() throws Exception {
        for (String option : List.of("--workload", "--peak", "--training", "--forks")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " applies to the workloads, not to --model");
            }
        }
        if (vs != null) {
            checkVersus();
        }
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        }
        checkRounds();
        if (profile) {
            for (String option : List.of("--vs", "--tsv")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " does not apply to --profile");
                }
            }
        }
        Checks.inputFile("model", model);
        ModelBench.Options options = new ModelBench.Options(model, fovea.requestedBackend().orElse(null), batch,
                threads, rounds, roundSeconds, vs != null, io());
        if (profile) {
            var out = spec.commandLine().getOut();
            ModelBench.profile(options, spec.commandLine().getErr()).print(out);
            return 0;
        }
        ModelBench.Result r = ModelBench.measure(options, spec.commandLine().getErr());
        var out = spec.commandLine().getOut();
        if (tsv) {
            out.println(ModelBench.TSV_HEADER);
            ModelBench.printTsv(r, out);
        } else {
            ModelBench.print(r, out);
        }
        out.flush();
        return 0;
    }

    /** {@code --io}, checked. */
    private ModelBench.Io io() {
        try {
            return ModelBench.Io.parse(io);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--io " + io + ": one of tensor (input and output "
                    + "tensors made once), host (arrays in and out every call)");
        }
    }

    private void checkVersus() {
        if (!vs.equals("ort")) {
            throw new ParameterException(spec.commandLine(), "--vs " + vs + ": the one runtime to compare with is "
                    + "'ort' (ONNX Runtime)");
        }
        checkRounds();
    }

    private void checkRounds() {
        io();
        if (rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        if (!Double.isFinite(roundSeconds) || roundSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--round-seconds must be finite and positive, got "
                    + roundSeconds);
        }
    }
}
