package dev.fovea.conformance;

/** Ends a case early with a FAIL or SKIP outcome; thrown by the checks, caught by {@link ConformanceCase#run}. */
final class CaseAbort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Outcome outcome;

    CaseAbort(Outcome outcome) {
        super(outcome.line("case"), null, false, false);
        this.outcome = outcome;
    }

    Outcome outcome() {
        return outcome;
    }

    static CaseAbort fail(String message) {
        return new CaseAbort(Outcome.fail(message));
    }

    /** A failure caused by {@code e}: the line says where it was thrown, and the outcome keeps it. */
    static CaseAbort thrown(String what, Throwable e) {
        return new CaseAbort(Outcome.thrown(what, e));
    }

    static CaseAbort skip(String reason) {
        return new CaseAbort(Outcome.skip(reason));
    }
}
