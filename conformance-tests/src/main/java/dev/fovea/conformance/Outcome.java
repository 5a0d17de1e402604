package dev.fovea.conformance;

/**
 * The result of one conformance case: passed, failed (with the first mismatching element when values were
 * compared), or skipped with the reason (an op the backend reported unsupported, or a backend unavailable here).
 */
public sealed interface Outcome {
    /** Every check of the case held. */
    record Pass() implements Outcome {
    }

    /**
     * A check failed. {@code index} is the first mismatching element in logical order (or −1 when the failure is
     * not an element, e.g. a wrong shape or an exception), {@code position} its logical coordinates; {@code cause}
     * is the exception behind the failure, or null.
     */
    record Fail(String message, long index, String position, double expected, double actual, Throwable cause)
            implements Outcome {
        /** A failure that no exception caused. */
        public Fail(String message, long index, String position, double expected, double actual) {
            this(message, index, position, expected, actual, null);
        }
    }

    /** Not run: {@code reason} says why (the backend's own reason for an unsupported op). */
    record Skip(String reason) implements Outcome {
    }

    static Outcome pass() {
        return new Pass();
    }

    static Outcome skip(String reason) {
        return new Skip(reason);
    }

    static Outcome fail(String message) {
        return new Fail(message, -1, "", Double.NaN, Double.NaN);
    }

    /** {@code what} followed by the exception and where it was thrown ({@code class.method:line}), kept as cause. */
    static Outcome thrown(String what, Throwable e) {
        return new Fail(what + " " + e + " at " + where(e), -1, "", Double.NaN, Double.NaN, e);
    }

    /** The first frame of {@code e}'s stack: the code that threw, usually in the backend under test. */
    static String where(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        if (st.length == 0) {
            return "(no stack trace)";
        }
        StackTraceElement f = st[0];
        return f.getClassName() + "." + f.getMethodName() + (f.getLineNumber() >= 0 ? ":" + f.getLineNumber() : "");
    }

    static Outcome mismatch(String what, long index, String position, double expected, double actual) {
        return new Fail((what.isEmpty() ? "" : what + ": ") + "index " + index + " " + position + " expected "
                + expected + " actual " + actual, index, position, expected, actual);
    }

    /** {@code PASS name}, {@code FAIL name: detail} or {@code SKIP name: reason}: one line of a run's report. */
    default String line(String caseName) {
        return switch (this) {
            case Pass p -> "PASS " + caseName;
            case Fail f -> "FAIL " + caseName + ": " + f.message();
            case Skip s -> "SKIP " + caseName + ": " + s.reason();
        };
    }
}
