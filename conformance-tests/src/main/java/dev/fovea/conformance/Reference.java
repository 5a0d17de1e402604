package dev.fovea.conformance;

import dev.fovea.engine.Engine;

/**
 * The reference backend as the differential cases' oracle. When the backend under test is the reference itself,
 * those cases compare it with the suite's independent {@link Oracle} instead, so they still test something.
 */
final class Reference {
    static final String NAME = "reference";

    private static volatile Engine engine;

    private Reference() {
    }

    static boolean isUnderTest(Engine e) {
        return NAME.equals(e.name());
    }

    /** Opened once; the reference backend holds no resources, so it is never closed. */
    static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (Reference.class) {
                e = engine;
                if (e == null) {
                    engine = e = Engine.open(NAME);
                }
            }
        }
        return e;
    }
}
