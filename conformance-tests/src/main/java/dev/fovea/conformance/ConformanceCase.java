package dev.fovea.conformance;

import dev.fovea.engine.Engine;

/**
 * One named, self-contained check of a backend. The name says what is checked and with which parameters (and,
 * for random data, the seed), so a failing case can be rerun alone with {@code --filter}.
 *
 * <p>A body throws nothing on purpose: {@link #run} turns a skip, a failed check or any exception the backend
 * throws into an {@link Outcome}.
 */
public record ConformanceCase(String name, Body body) {
    /** What a case does with the engine under test. */
    @FunctionalInterface
    public interface Body {
        Outcome run(Engine engine) throws Exception;
    }

    /** Runs the case on {@code engine}; never throws for a backend's error, which becomes a FAIL. */
    public Outcome run(Engine engine) {
        try {
            Outcome o = body.run(engine);
            return o == null ? Outcome.fail("case returned no outcome") : o;
        } catch (CaseAbort a) {
            return a.outcome();
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            return Outcome.thrown("threw", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
