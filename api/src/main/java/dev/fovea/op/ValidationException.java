package dev.fovea.op;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every problem found in one call that builds a layer, model or op, reported together. Thrown before any
 * work starts. The message names the layer, the parameters and the numbers, e.g.
 * {@code Conv2D 'conv2d_1': input channels 64 != weight channels 32 × groups 1; output height -1 ≤ 0
 * (input [1, 64, 5, 5] NCHW, kernel 7×7, VALID)}.
 */
public final class ValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** One broken rule: which parameter, and what is wrong with it in numbers. */
    public record Violation(String parameter, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    private final String subject;
    private final transient List<Violation> violations;
    private final String context;

    public ValidationException(String subject, List<Violation> violations, String context) {
        super(subject + ": " + violations.stream().map(Violation::message).collect(Collectors.joining("; "))
                + (context == null || context.isEmpty() ? "" : " (" + context + ")"));
        this.subject = subject;
        this.violations = List.copyOf(violations);
        this.context = context;
    }

    /** The layer or op, e.g. {@code Conv2D 'conv2d_1'}. */
    public String subject() {
        return subject;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The shapes and settings the violations were found in. */
    public String context() {
        return context;
    }
}
