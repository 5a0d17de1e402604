package dev.fovea.conformance;

import dev.fovea.tensor.Shape;
import java.util.Arrays;

/** The checks cases make; each throws {@link CaseAbort} with a FAIL outcome on the first violation. */
final class Check {
    private Check() {
    }

    static void that(boolean ok, String message) {
        if (!ok) {
            throw CaseAbort.fail(message);
        }
    }

    static void shape(String what, Shape actual, int... expected) {
        if (!Arrays.equals(actual.dims(), expected)) {
            throw CaseAbort.fail(what + " shape " + actual + " expected " + Arrays.toString(expected));
        }
    }

    static void equal(String what, long actual, long expected) {
        if (actual != expected) {
            throw CaseAbort.fail(what + " expected " + expected + " actual " + actual);
        }
    }

    /** Element-wise comparison in logical order; the first element outside {@code tol} fails the case. */
    static void close(String what, float[] actual, int[] dims, double[] expected, Tolerance tol) {
        if (actual.length != expected.length) {
            throw CaseAbort.fail(what + ": " + actual.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (!tol.accepts(expected[i], actual[i])) {
                throw new CaseAbort(Outcome.mismatch(what, i, position(dims, i), expected[i], actual[i]));
            }
        }
    }

    /**
     * As {@link #close}, for expected values that may be NaN or infinite (IEEE propagation): an expected NaN needs a
     * NaN (any payload) at exactly that position, an expected infinity the same infinity, and a finite expected
     * value a finite actual within {@code tol}.
     */
    static void ieee(String what, float[] actual, int[] dims, double[] expected, Tolerance tol) {
        if (actual.length != expected.length) {
            throw CaseAbort.fail(what + ": " + actual.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            double e = expected[i];
            float a = actual[i];
            boolean ok = Double.isNaN(e) ? Float.isNaN(a) : Double.isInfinite(e) ? a == e : tol.accepts(e, a);
            if (!ok) {
                throw new CaseAbort(Outcome.mismatch(what, i, position(dims, i), e, a));
            }
        }
    }

    static void close(String what, float[] actual, Oracle.Result expected, Tolerance tol) {
        close(what, actual, expected.dims(), expected.values(), tol);
    }

    /** Same, for hand-written expected values. */
    static void close(String what, float[] actual, int[] dims, Tolerance tol, double... expected) {
        close(what, actual, dims, expected, tol);
    }

    /** Bitwise equality: used for elements a call must not have written (NaN sentinels compare equal here). */
    static void untouched(String what, float[] actual, float[] before, int[] dims) {
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(before[i])) {
                throw new CaseAbort(Outcome.mismatch(what + " (must be left untouched)", i, position(dims, i),
                        before[i], actual[i]));
            }
        }
    }

    /** {@code [n, c, h, w]}-style coordinates of flat logical index {@code i}. */
    static String position(int[] dims, long i) {
        long[] p = new long[dims.length];
        for (int a = dims.length - 1; a >= 0; a--) {
            p[a] = i % dims[a];
            i /= dims[a];
        }
        return Arrays.toString(p);
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
