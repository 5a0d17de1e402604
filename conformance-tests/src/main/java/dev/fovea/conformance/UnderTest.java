package dev.fovea.conformance;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.BackendUnavailableException;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The backend a run tests, found, probed and opened once for the whole run (command line and JUnit alike): open,
 * unavailable here (its cases are skipped with the reason), or one error that stops the run before any case.
 */
sealed interface UnderTest {
    /** Opened; the run closes it. */
    record Open(Engine engine) implements UnderTest {
    }

    /** Present, but its probe says it cannot run here. */
    record Unavailable(String reason) implements UnderTest {
    }

    /** Not found, claimed by two providers, or failed to open: {@code cause} is what was thrown. */
    record Failed(String message, Throwable cause) implements UnderTest {
    }

    /** The discovered backend called {@code name}. */
    static UnderTest find(String name) {
        Objects.requireNonNull(name, "the backend name is null");
        List<BackendInfo> same = Backends.list().stream().filter(b -> b.name().equals(name)).toList();
        if (same.size() == 1 && same.getFirst().state() == BackendInfo.State.UNAVAILABLE) {
            return new Unavailable("backend '" + name + "' is unavailable here: "
                    + same.getFirst().availability().describe());
        }
        // Every other reason it cannot be used (missing, duplicate, broken, misnamed) is Engine.open's to give.
        return open(name, () -> Engine.open(name));
    }

    /** A backend {@code opener} builds, e.g. one not registered yet; {@code label} names it in messages. */
    static UnderTest open(String label, Supplier<Engine> opener) {
        try {
            return new Open(Objects.requireNonNull(opener.get(), "the opener returned null"));
        } catch (BackendUnavailableException e) {
            return new Failed(e.getMessage(), e);
        } catch (RuntimeException | LinkageError e) {
            return new Failed("backend '" + label + "' failed to open: " + e + " at " + Outcome.where(e), e);
        }
    }
}
