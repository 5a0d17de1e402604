package dev.fovea.op;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the violations of one validation call and throws them together as one
 * {@link ValidationException}. Used by every descriptor factory and by model building.
 */
public final class Violations {
    private final String subject;
    private final List<ValidationException.Violation> found = new ArrayList<>();

    public Violations(String subject) {
        this.subject = subject;
    }

    /** Records a violation of {@code parameter} unless {@code ok}. Returns {@code ok}. */
    public boolean check(boolean ok, String parameter, String message) {
        if (!ok) {
            found.add(new ValidationException.Violation(parameter, message));
        }
        return ok;
    }

    public void add(String parameter, String message) {
        found.add(new ValidationException.Violation(parameter, message));
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    /** Throws everything collected so far, with {@code context} (shapes, settings) appended. */
    public void throwIfAny(String context) {
        if (!found.isEmpty()) {
            throw new ValidationException(subject, found, context);
        }
    }
}
