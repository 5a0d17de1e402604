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

    /**
     * Throws unless a descriptor's {@code given} value of {@code parameter} is the one its other attributes give:
     * the check that keeps a descriptor built with its public constructor from skipping validation.
     */
    static void requireDerived(String layer, String parameter, Object given, Object expected) {
        if (!java.util.Objects.equals(given, expected)) {
            Violations v = new Violations(layer);
            v.add(parameter, parameter + " " + given + " does not follow from the other attributes, which give "
                    + expected + " (descriptors are made by their create factories)");
            v.throwIfAny("forged descriptor");
        }
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
