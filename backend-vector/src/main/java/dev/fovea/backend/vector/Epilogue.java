package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.Activation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Bias, fused activation and the store of an output row from a working tile into a (possibly strided) tensor. */
final class Epilogue {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    static final int NONE = 0;
    static final int RELU = 1;
    static final int SIGMOID = 2;
    static final int TANH = 3;
    static final int RELU6 = 4;
    static final int HARD_SIGMOID = 5;
    static final int HARD_SWISH = 6;
    static final int SILU = 7;

    private Epilogue() {
    }

    static int code(Activation a) {
        return switch (a) {
            case NONE -> NONE;
            case RELU -> RELU;
            case SIGMOID -> SIGMOID;
            case TANH -> TANH;
            case RELU6 -> RELU6;
            case HARD_SIGMOID -> HARD_SIGMOID;
            case HARD_SWISH -> HARD_SWISH;
            case SILU -> SILU;
        };
    }

    /**
     * {@code min(max(v, lo), hi)}, NaN kept, as two compares and two blends: AVX-512 has no max or min with Java's
     * NaN and signed-zero results, so {@link FloatVector#max} and {@link FloatVector#min} take five instructions
     * each, which cost a 1×1 convolution of depth 32 a quarter of its time. The same results as {@code max} then
     * {@code min} whenever {@code lo} is not −0 and {@code hi} is not +0 (the activations' 0, 6 and ±∞ are not).
     */
    static FloatVector clamp(FloatVector v, float lo, float hi) {
        FloatVector a = v.blend(lo, v.compare(LE, lo));
        return a.blend(hi, a.compare(GE, hi));
    }

    static FloatVector activate(FloatVector v, int act) {
        return switch (act) {
            case RELU -> clamp(v, 0f, Float.POSITIVE_INFINITY);
            case SIGMOID -> VectorMath.sigmoid(v);
            case TANH -> VectorMath.tanh(v);
            case RELU6 -> clamp(v, 0f, 6f);
            case HARD_SIGMOID -> hardSigmoid(v);
            case HARD_SWISH -> v.mul(hardSigmoid(v));
            case SILU -> v.mul(VectorMath.sigmoid(v));
            default -> v;
        };
    }

    static float activate(float x, int act) {
        return switch (act) {
            case RELU -> Math.max(x, 0f); // NaN stays NaN, as in the vector lanes
            case SIGMOID -> VectorMath.sigmoid(x);
            case TANH -> VectorMath.tanh(x);
            case RELU6 -> Math.min(Math.max(x, 0f), 6f);
            case HARD_SIGMOID -> hardSigmoid(x);
            case HARD_SWISH -> x * hardSigmoid(x);
            case SILU -> VectorMath.silu(x);
            default -> x;
        };
    }

    /**
     * The part of {@code act} that a vector loop applies itself ({@code act}, or NONE for sigmoid, tanh and SiLU,
     * which the caller applies in a second pass, {@link #activateInPlace}). Loops whose activation varies between
     * calls write its cases out in the loop body ({@code max}, {@code min}, {@code fma}, all intrinsics): one branch
     * that is a call C2 does not inline, such as {@link #activate(FloatVector, int)} once it is compiled on its own
     * ("already compiled into a big method"), makes C2 allocate every vector of the loop, whatever the activation
     * (element-wise add + ReLU then allocated 11 bytes per float).
     */
    static int inLoop(int act) {
        return act == RELU || act == RELU6 || act == HARD_SIGMOID || act == HARD_SWISH ? act : NONE;
    }

    /**
     * A loop's activation ({@link #inLoop}) on one float, exactly as the loops' vector forms compute it: ReLU as
     * {@link Math#max} (NaN stays NaN, unlike {@link #activate(float, int)}), for tails and strided lines.
     */
    static float inLoop(float x, int act) {
        return switch (act) {
            case RELU -> Math.max(x, 0f);
            case RELU6 -> Math.min(Math.max(x, 0f), 6f);
            case HARD_SIGMOID -> hardSigmoid(x);
            case HARD_SWISH -> x * hardSigmoid(x);
            default -> x;
        };
    }

    /** {@code y[i] = act(y[i])} for {@code n} adjacent floats from element {@code y}: the second pass above. */
    static void activateInPlace(MemorySegment ys, long y, int n, int act) {
        if (act == SIGMOID || act == SILU) {
            VectorMath.sigmoidInPlace(ys, y, n, act == SILU);
            return;
        }
        int i = 0;
        for (; i + V <= n; i += V) {
            activate(FloatVector.fromMemorySegment(F, ys, (y + i) * 4, ORDER), act)
                    .intoMemorySegment(ys, (y + i) * 4, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            activate(FloatVector.fromMemorySegment(F, ys, (y + i) * 4, ORDER, m), act)
                    .intoMemorySegment(ys, (y + i) * 4, ORDER, m);
        }
    }

    private static FloatVector hardSigmoid(FloatVector v) {
        return clamp(v.fma(1f / 6, 0.5f), 0f, 1f);
    }

    private static float hardSigmoid(float x) {
        return Math.min(Math.max(Math.fma(x, 1f / 6, 0.5f), 0f), 1f);
    }

    /**
     * {@code out[m·ldo + j] = act(out[m·ldo + j] + bias[j])} for {@code m < rows}, {@code j < ldo} (a multiple
     * of {@link Simd#V}), in place; {@code bias} null for none. Without bias or activation it does nothing.
     */
    static void apply(float[] out, int rows, int ldo, float[] bias, int act) {
        // The common cases each in a loop of their own: one loop over activate()'s whole switch grew past C2's
        // inlining budget, and its vector add then ran unintrinsified, boxing every vector (72 % of mobilenet_v2).
        switch (act) {
            case NONE -> {
                if (bias != null) {
                    clamp(out, rows, ldo, bias, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
                }
            }
            case RELU -> clamp(out, rows, ldo, bias, 0f, Float.POSITIVE_INFINITY);
            case RELU6 -> clamp(out, rows, ldo, bias, 0f, 6f);
            default -> activated(out, rows, ldo, bias, act);
        }
    }

    /** {@code min(max(out + bias, lo), hi)} in place (NaN stays NaN); {@code bias} null for none. */
    private static void clamp(float[] out, int rows, int ldo, float[] bias, float lo, float hi) {
        if (bias == null) {
            for (int i = 0; i < rows * ldo; i += V) {
                clamp(FloatVector.fromArray(F, out, i), lo, hi).intoArray(out, i);
            }
            return;
        }
        for (int m = 0; m < rows; m++) {
            int o = m * ldo;
            for (int j = 0; j < ldo; j += V) {
                clamp(FloatVector.fromArray(F, out, o + j).add(FloatVector.fromArray(F, bias, j)), lo, hi)
                        .intoArray(out, o + j);
            }
        }
    }

    private static void activated(float[] out, int rows, int ldo, float[] bias, int act) {
        if (act == SIGMOID || act == SILU) {
            if (bias != null) {
                clamp(out, rows, ldo, bias, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            }
            VectorMath.sigmoidInPlace(out, 0, rows * ldo, act == SILU);
            return;
        }
        if (bias == null) {
            for (int i = 0; i < rows * ldo; i += V) {
                activate(FloatVector.fromArray(F, out, i), act).intoArray(out, i);
            }
            return;
        }
        for (int m = 0; m < rows; m++) {
            int o = m * ldo;
            for (int j = 0; j < ldo; j += V) {
                FloatVector v = FloatVector.fromArray(F, out, o + j).add(FloatVector.fromArray(F, bias, j));
                activate(v, act).intoArray(out, o + j);
            }
        }
    }

    /**
     * Copies a finished tile of {@code rows × q} pixels into {@code y}: pixel (i, j) of the tile lands at
     * {@code base + i·rowStride + j·pixelStride}, channel {@code g·kg + kl} of it at {@code + (g·kg + kl)·cs},
     * from {@code out[outOff + (i·q + j)·ldo + g·kgPad + kl]}. Dense channels-last rows are copied in one block.
     */
    static void store(float[] out, int outOff, int rows, int q, int ldo, int groups, int kg, int kgPad, MemorySegment y,
                      long base, long rowStride, long pixelStride, long cs) {
        int k = groups * kg;
        if (cs == 1 && pixelStride == k && ldo == k) {
            for (int i = 0; i < rows; i++) {
                MemorySegment.copy(out, outOff + i * q * ldo, y, FLOAT, (base + i * rowStride) * 4, q * k);
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < q; j++) {
                int o = outOff + (i * q + j) * ldo;
                long e = base + i * rowStride + j * pixelStride;
                if (cs == 1 && ldo == k) {
                    MemorySegment.copy(out, o, y, FLOAT, e * 4, k);
                } else if (cs == 1) {
                    for (int g = 0; g < groups; g++) {
                        MemorySegment.copy(out, o + g * kgPad, y, FLOAT, (e + (long) g * kg) * 4, kg);
                    }
                } else {
                    for (int g = 0; g < groups; g++) {
                        for (int kl = 0; kl < kg; kl++) {
                            y.setAtIndex(FLOAT, e + (g * kg + kl) * cs, out[o + g * kgPad + kl]);
                        }
                    }
                }
            }
        }
    }
}
