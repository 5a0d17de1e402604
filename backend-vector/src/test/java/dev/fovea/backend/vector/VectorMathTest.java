package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.VECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** exp, tanh and sigmoid against {@link Math} in double, and softmax that does not change as the JIT compiles it. */
class VectorMathTest {
    /** Distance in units in the last place of the float nearest to {@code exact}. */
    private static double ulps(float actual, double exact) {
        float nearest = (float) exact;
        if (Float.isInfinite(nearest) || Float.isNaN(nearest)) {
            return Float.compare(actual, nearest) == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(actual - exact) / Math.ulp(nearest);
    }

    private static void sweep(String name, DoubleUnaryOperator exact, java.util.function.Function<Float, Float> f,
                              float lo, float hi, double maxUlps) {
        SplittableRandom rnd = new SplittableRandom(7);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < 200_000; i++) {
            float x = i < 1000 ? lo + (hi - lo) * i / 999f : (float) rnd.nextDouble(lo, hi);
            double u = ulps(f.apply(x), exact.applyAsDouble(x));
            if (u > worst) {
                worst = u;
                worstAt = x;
            }
        }
        assertTrue(worst <= maxUlps, name + ": " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void expIsWithinTwoUlpsIncludingSubnormalsAndOverflow() {
        sweep("exp", Math::exp, VectorMath::exp, -87f, 88.7f, 2);
        // Subnormal results: within 2 of the smallest subnormal steps.
        for (float x = -103.9f; x < -87.4f; x += 0.01f) {
            assertEquals(Math.exp(x), VectorMath.exp(x), 2 * Float.MIN_VALUE, "exp(" + x + ")");
        }
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, VectorMath.exp(-104f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, VectorMath.exp(0f));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
    }

    @Test
    void tanhAndSigmoidAreWithinAFewUlps() {
        sweep("tanh", Math::tanh, VectorMath::tanh, -12f, 12f, 3);
        sweep("tanh near 0", Math::tanh, VectorMath::tanh, -1e-3f, 1e-3f, 2);
        sweep("sigmoid", x -> 1 / (1 + Math.exp(-x)), VectorMath::sigmoid, -80f, 30f, 3);
        // Down to the documented cut, subnormal results included; beyond it 0 (exactly below 4.3e-39).
        sweep("sigmoid's tail", x -> 1 / (1 + Math.exp(-x)), VectorMath::sigmoid, -88.37f, -80f, 3);
        assertEquals(0f, VectorMath.sigmoid(-88.4f));
        assertEquals(0f, VectorMath.sigmoid(-1000f));
        assertEquals(1f, VectorMath.sigmoid(90f));
        assertEquals(1f, VectorMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, VectorMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(-0f, VectorMath.tanh(-0f));
        assertTrue(Float.isNaN(VectorMath.tanh(Float.NaN)));
        assertEquals(0f, VectorMath.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(1f, VectorMath.sigmoid(Float.POSITIVE_INFINITY));
    }

    /**
     * The same softmax thousands of times, bit for bit: before, the EXP intrinsic C2 switches to after a few
     * thousand calls changed outputs by 1–2 ulp. (A mutation back to {@code lanewise(EXP)} fails here.)
     */
    @Test
    void softmaxIsTheSameBeforeAndAfterTheJitCompilesIt() {
        try (TensorScope scope = new TensorScope()) {
            int n = 3;
            int f = 37;
            float[] data = new float[n * f];
            SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) rnd.nextDouble(-20, 20);
            }
            Tensor x = scope.fromArray(data, Shape.of(n, f), Layout.NCHW);
            Tensor y = scope.allocate(Shape.of(n, f), Layout.NCHW);
            VECTOR.softmaxForward(x, y);
            float[] first = y.toArray();
            for (int call = 0; call < 20_000; call++) {
                VECTOR.softmaxForward(x, y);
                if (call % 1000 == 999) {
                    assertArrayEquals(first, y.toArray(), "softmax output after " + (call + 1) + " calls");
                }
            }
            assertArrayEquals(first, y.toArray());
        }
    }

    /**
     * The line kernel the epilogues use: every length (whole vectors, tails, shorter than one vector) gives, bit for
     * bit, the one-float sigmoid at every position, and SiLU is x times it; within 3 ulp of the exact sigmoid.
     */
    @Test
    void sigmoidAndSiluLinesOfAnyLengthMatchTheOneFloatFunction() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n : new int[] {1, 3, 7, 13, 16, 17, 31, 33, 65, 200}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextDouble(-30, 30);
            }
            x[1] = Float.NaN;
            x[x.length - 2] = Float.POSITIVE_INFINITY;
            for (boolean silu : new boolean[] {false, true}) {
                float[] y = x.clone();
                VectorMath.sigmoidInPlace(y, 1, n, silu); // from element 1: an unaligned start
                assertEquals(x[0], y[0], "element before the line");
                assertEquals(x[n + 1], y[n + 1], "element after the line");
                for (int i = 1; i <= n; i++) {
                    float expected = silu ? VectorMath.silu(x[i]) : VectorMath.sigmoid(x[i]);
                    assertEquals(expected, y[i], "n = " + n + ", x = " + x[i] + (silu ? " (SiLU)" : ""));
                    if (!silu && Float.isFinite(x[i])) {
                        assertTrue(ulps(y[i], 1 / (1 + Math.exp(-x[i]))) <= 3, "sigmoid(" + x[i] + ") = " + y[i]);
                    }
                }
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.silu(Float.POSITIVE_INFINITY));
        assertEquals(0f, VectorMath.silu(-200f), 1e-30);
        assertEquals(3 * VectorMath.sigmoid(3f), VectorMath.silu(3f));
    }
}
