package dev.fovea.cli;

import dev.fovea.bench.Bench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea bench}: the W1–W6 workloads of bench/, as fractions of this machine's measured peak. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the benchmark workloads W1-W6 (see bench/RESULTS.md): per workload threads, median ms, "
                + "GFLOP/s (GB/s for pooling) and %% of this machine's FMA peak (copy bandwidth for pooling), the "
                + "peaks measured in the same run by a short Vector API probe."})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Option(names = "--workload", paramLabel = "W", description = "One workload (W1..W6; W6 = both poolings).")
    String workload;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Worker threads (default: all cores).")
    int threads;

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
    public Integer call() {
        if (threads < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be ≥ 0");
        }
        if (forks < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--forks must be ≥ 0, got " + forks);
        }
        spec.commandLine().getOut().flush();
        if (training) {
            dev.fovea.bench.TrainingBench.main(new String[] {"--threads", threads > 0 ? Integer.toString(threads)
                    : "1,2"});
            return 0;
        }
        return Bench.run(System.out, fovea.requestedBackend().orElse(null), workload, threads, tsv, peak, forks);
    }
}
