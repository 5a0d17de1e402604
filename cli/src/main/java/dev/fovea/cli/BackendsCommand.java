package dev.fovea.cli;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fovea backends}: every discovered backend with its priority and availability, broken entries included. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = {"List discovered backends: name, priority, available (yes, no, duplicate or broken), and "
                + "the reason when not.",
                "A broken entry is a provider ServiceLoader could not load (its reason names the class); a duplicate "
                        + "is a name two provider classes claim, and neither is used until one is removed."})
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Fovea fovea;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("%-12s %-9s %-10s %s%n", "NAME", "PRIORITY", "AVAILABLE", "REASON");
        for (BackendInfo b : Backends.list()) {
            out.printf("%-12s %-9s %-10s %s%n", b.name(), b.state() == BackendInfo.State.BROKEN ? "-" : b.priority(),
                    state(b), b.availability().available() ? "" : b.availability().describe());
            if (fovea.verbose && b.error() != null) {
                b.error().printStackTrace(out);
            }
        }
        return 0;
    }

    private static String state(BackendInfo b) {
        return switch (b.state()) {
            case AVAILABLE -> "yes";
            case UNAVAILABLE -> "no";
            default -> b.state().name().toLowerCase(Locale.ROOT);
        };
    }
}
