package dev.fovea.cli;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea backends}: every discovered backend with its priority and availability. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List discovered backends: name, priority, available, and the reason when not.")
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("%-12s %-9s %-10s %s%n", "NAME", "PRIORITY", "AVAILABLE", "REASON");
        for (BackendInfo b : Backends.list()) {
            out.printf("%-12s %-9d %-10s %s%n", b.name(), b.priority(), b.availability().available() ? "yes" : "no",
                    b.availability().available() ? "" : b.availability().describe());
        }
        return 0;
    }
}
