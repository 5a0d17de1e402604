package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;

import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.V;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, tanh and sigmoid built from IEEE operations only (multiply, add, fma, compare, bit moves), so that a result
 * does not depend on whether the JIT has compiled the caller yet: {@link VectorOperators#EXP} and
 * {@link VectorOperators#TANH} use an intrinsic once C2 compiles them and a Java fallback before, and the two
 * differ in the last bits (a model's softmax output changed by 1–2 ulp after 2 500 identical predictions).
 * Accuracy: within 2 ulp of {@link Math#exp} and {@link Math#tanh} over the float range (tested).
 */
final class VectorMath {
    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n·LN2_HI is exact for |n| ≤ 2^9 (Cody–Waite reduction).
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    // Minimax coefficients of exp(r) ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (Cephes expf).
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    // tanh(x) ≈ x + x³·T(x²) for |x| < 0.625 (Cephes tanhf); beyond, from exp.
    private static final float T0 = -5.70498872745e-3f;
    private static final float T1 = 2.06390887954e-2f;
    private static final float T2 = -5.37397155531e-2f;
    private static final float T3 = 1.33314422036e-1f;
    private static final float T4 = -3.33332819422e-1f;

    private VectorMath() {
    }

    /** e^x per lane; +∞ above 88.72, +0 below −103.97 (through the subnormals), NaN for NaN. */
    static FloatVector exp(FloatVector x) {
        // Clamped so that n stays within [−150, 129]; outside, the result is already 0 or ∞.
        FloatVector xc = x.lanewise(VectorOperators.MIN, 89f).lanewise(VectorOperators.MAX, -104f);
        FloatVector t = xc.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDER));
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(F, P0), FloatVector.broadcast(F, P1));
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        // 2^n as two factors, each a normal float: 2^n alone would not reach the subnormals below 2^−126.
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** tanh per lane, odd-symmetric, ±1 beyond |x| = 9.1, NaN for NaN. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(FloatVector.broadcast(F, T0), FloatVector.broadcast(F, T1));
        p = p.fma(z, FloatVector.broadcast(F, T2));
        p = p.fma(z, FloatVector.broadcast(F, T3));
        p = p.fma(z, FloatVector.broadcast(F, T4));
        FloatVector small = p.mul(z).fma(x, x);
        // 1 − 2/(e^{2|x|} + 1); e^{2|x|} overflows to ∞ and gives exactly 1.
        FloatVector large = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f)
                .div(exp(a.add(a)).add(1f)));
        FloatVector r = large.blend(small.abs(), a.compare(VectorOperators.LT, 0.625f));
        // The sign of x, −0 included (x + x·p rounds −0 to +0).
        return r.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
    }

    /**
     * {@code y[i] = sigmoid(y[i])}, or {@code y[i]·sigmoid(y[i])} with {@code silu}, for {@code n} adjacent floats
     * from element {@code y}: {@code 1 / (1 + e^−x)} with {@link #exp}'s reduction and polynomial written out in one
     * loop (0 below x = −88.38, where the exact value is under 4.3e−39). No
     * vector crosses a call here: a vector passed to a method that C2 had compiled on its own (it does not inline
     * "a big method") was allocated, 24 bytes per float, and the sigmoid ran 10× slower than its arithmetic. Nor
     * does the loop use masks (masked loads and stores made C2 allocate every vector too): the last
     * {@code n mod V} floats go through a scratch vector.
     */
    static void sigmoidInPlace(MemorySegment ys, long y, int n, boolean silu) {
        int main = n - n % V;
        sigmoidVectors(null, ys, y, main, silu);
        if (main < n) {
            float[] tail = Scratch.get().tail();
            MemorySegment.copy(ys, Epilogue.FLOAT, (y + main) * 4, tail, 0, n - main);
            sigmoidVectors(tail, null, 0, V, silu);
            MemorySegment.copy(tail, 0, ys, Epilogue.FLOAT, (y + main) * 4, n - main);
        }
    }

    /** {@link #sigmoidInPlace} over {@code n} floats of {@code a} from {@code from}. */
    static void sigmoidInPlace(float[] a, int from, int n, boolean silu) {
        int main = n - n % V;
        sigmoidVectors(a, null, from, main, silu);
        if (main < n) {
            float[] tail = Scratch.get().tail();
            System.arraycopy(a, from + main, tail, 0, n - main);
            sigmoidVectors(tail, null, 0, V, silu);
            System.arraycopy(tail, 0, a, from + main, n - main);
        }
    }

    /**
     * {@link #sigmoidInPlace} of {@code n}, a multiple of {@link Simd#V}, floats of the array {@code a}, or of the
     * segment {@code ys} when {@code a} is null. Arrays are not wrapped in segments: a load site that sees both
     * heap and native segments is not compiled to vector loads either.
     */
    private static void sigmoidVectors(float[] a, MemorySegment ys, long y, int n, boolean silu) {
        FloatVector log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector rounder = FloatVector.broadcast(F, ROUNDER);
        FloatVector ln2hi = FloatVector.broadcast(F, -LN2_HI);
        FloatVector ln2lo = FloatVector.broadcast(F, -LN2_LO);
        FloatVector p0 = FloatVector.broadcast(F, P0);
        FloatVector p1 = FloatVector.broadcast(F, P1);
        FloatVector p2 = FloatVector.broadcast(F, P2);
        FloatVector p3 = FloatVector.broadcast(F, P3);
        FloatVector p4 = FloatVector.broadcast(F, P4);
        FloatVector p5 = FloatVector.broadcast(F, P5);
        FloatVector one = FloatVector.broadcast(F, 1f);
        int rounderBits = Float.floatToRawIntBits(ROUNDER);
        for (int i = 0; i < n; i += V) {
            long at = y + i;
            FloatVector x = a != null ? FloatVector.fromArray(F, a, (int) at)
                    : FloatVector.fromMemorySegment(F, ys, at * 4, ORDER);
            // e^−x as exp() reduces it, but clamped to [e^−87.3, e^89]: below, 1 + e^−x rounds to 1 anyway, so the
            // scale 2^k needs no subnormals and is one factor; k = 128 (from −x above 88.38) makes it +∞, and the
            // sigmoid 0. Two multiply-adds where exp() rounds twice.
            FloatVector xc = x.neg().lanewise(VectorOperators.MIN, 89f).lanewise(VectorOperators.MAX, -87.3f);
            FloatVector t = xc.fma(log2e, rounder);
            FloatVector k = t.sub(rounder);
            IntVector ki = t.reinterpretAsInts().sub(rounderBits);
            FloatVector r = k.fma(ln2hi, xc);
            r = k.fma(ln2lo, r);
            FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
            FloatVector e = p.fma(r.mul(r), r).add(one);
            FloatVector scale = ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector sig = one.div(e.fma(scale, one));
            FloatVector out = silu ? x.mul(sig) : sig;
            if (a != null) {
                out.intoArray(a, (int) at);
            } else {
                out.intoMemorySegment(ys, at * 4, ORDER);
            }
        }
    }

    /** 1 / (1 + e^−x) per lane, by {@link #sigmoidInPlace}'s operations (for the rare per-vector callers). */
    static FloatVector sigmoid(FloatVector x) {
        float[] a = x.toArray();
        sigmoidInPlace(a, 0, a.length, false);
        return FloatVector.fromArray(F, a, 0);
    }

    /** {@link #exp}, {@link #tanh} or {@link #sigmoid} of one float, by the same operations. */
    static float exp(float x) {
        return exp(FloatVector.broadcast(F, x)).lane(0);
    }

    static float tanh(float x) {
        return tanh(FloatVector.broadcast(F, x)).lane(0);
    }

    static float sigmoid(float x) {
        float[] a = {x};
        sigmoidInPlace(a, 0, 1, false);
        return a[0];
    }

    /** {@code x · sigmoid(x)}, as {@link #sigmoidInPlace} computes it with {@code silu}. */
    static float silu(float x) {
        float[] a = {x};
        sigmoidInPlace(a, 0, 1, true);
        return a[0];
    }

    /** The sum of the lanes in lane order: {@code reduceLanes(ADD)} may add in another order once compiled. */
    static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
