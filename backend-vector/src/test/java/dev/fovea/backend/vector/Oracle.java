package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;

/**
 * Shared fixtures: the reference backend as oracle, the vector backend under test (2 threads, so the
 * multi-threaded path runs even on one core), random data and the comparison rule.
 *
 * <p>Tolerance: {@code |x − ref| ≤ ATOL + RTOL·|ref|} with ATOL = RTOL = 1e-4. The reference accumulates in
 * double; float accumulation over the deepest reductions tested here (≈ 900 products of values in [−1, 1])
 * stays below 1e-5 in practice, so 1e-4 still catches any wrong tap, weight or divisor (errors of order 0.01+).
 */
final class Oracle {
    static final double ATOL = 1e-4;
    static final double RTOL = 1e-4;

    static final Engine REFERENCE = Engine.open("reference");
    static final Engine VECTOR = Engine.open(VectorBackendProvider.NAME, new BackendOptions(2));

    private Oracle() {
    }

    static float[] random(SplittableRandom rnd, long count, double scale) {
        float[] a = new float[Math.toIntExact(count)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    static Tensor tensor(TensorScope scope, SplittableRandom rnd, Shape shape, Layout layout) {
        return scope.fromArray(random(rnd, shape.elementCount(), 1), shape, layout);
    }

    /** A NaN-filled tensor of {@code shape}. */
    static Tensor poisoned(TensorScope scope, Shape shape, Layout layout) {
        Tensor t = scope.allocate(shape, layout);
        t.fill(Float.NaN);
        return t;
    }

    /**
     * A NaN-filled destination: a channel slice {@code [extraBefore, extraBefore + C)} of a wider tensor when
     * {@code strided} (as a concat output), else a dense tensor. Returns {@code {view, whole}}.
     */
    static Tensor[] destination(TensorScope scope, Shape shape, Layout layout, boolean strided) {
        if (!strided) {
            Tensor t = poisoned(scope, shape, layout);
            return new Tensor[] {t, t};
        }
        int axis = 1;
        int before = 3;
        Tensor whole = poisoned(scope, shape.with(axis, shape.dim(axis) + 5), layout);
        return new Tensor[] {whole.slice(axis, before, shape.dim(axis)), whole};
    }

    /** Asserts every element of {@code actual} matches (NaN matches NaN only) {@code expected} (same logical shape), by logical index. */
    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, ATOL, RTOL);
    }

    /**
     * As {@link #assertClose(String, Tensor, Tensor)} with {@code |x − ref| ≤ atol + rtol·|ref|}; with both 0, the
     * same float bits (so a −0 for a +0 fails).
     */
    static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        int[] dims = expected.shape().dims();
        int[] pos = new int[dims.length];
        long total = expected.shape().elementCount();
        for (long k = 0; k < total; k++) {
            float ef = expected.get(pos);
            float af = actual.get(pos);
            double e = ef;
            double a = af;
            boolean bothNaN = Double.isNaN(e) && Double.isNaN(a);
            boolean ok = atol == 0 && rtol == 0 ? Float.floatToIntBits(ef) == Float.floatToIntBits(af)
                    : ef == af || Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!bothNaN && !ok) {
                fail(what + ": at " + java.util.Arrays.toString(pos) + " expected " + e + " but got " + a
                        + " (|diff| " + Math.abs(a - e) + ")");
            }
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++pos[d] < dims[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
    }

    /** Asserts that the elements of {@code whole} outside channels {@code [3, 3 + count)} are still NaN. */
    static void assertUntouchedOutside(String what, Tensor whole, int count) {
        int[] dims = whole.shape().dims();
        int[] pos = new int[dims.length];
        for (long k = 0, total = whole.shape().elementCount(); k < total; k++) {
            boolean inside = pos[1] >= 3 && pos[1] < 3 + count;
            if (!inside && !Float.isNaN(whole.get(pos))) {
                fail(what + ": wrote outside its channel slice at " + java.util.Arrays.toString(pos));
            }
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++pos[d] < dims[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
    }
}
