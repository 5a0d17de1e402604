package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import java.util.function.Function;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * The common shape of a single-op case: build the descriptor, check its output shape against the stated one and
 * the oracle's, run the backend on poisoned outputs, compare with the oracle (and with hand-written numbers).
 */
final class Ops {
    private Ops() {
    }

    static Shape shape(int[] d) {
        return Shape.of(d);
    }

    /**
     * One convolution. {@code expectedOut} (logical dims) and {@code hand} (logical values) may be null.
     * Returns the backend's output in logical order.
     */
    static float[] conv(Engine e, Layout l, int[] xd, float[] x, ConvolutionParams p, float[] w, float[] b,
                        int[] expectedOut, double[] hand) {
        if (b == null && p.bias()) {
            p = p.withBias(false); // null bias data means a convolution without bias
        }
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'conformance'", shape(xd), l, p);
        Run.require(e, d); // skip before computing anything
        Oracle.Result o = Oracle.conv(xd, x, p, w, b);
        if (expectedOut != null) {
            Check.shape("descriptor output", d.output(), expectedOut);
        }
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        if (hand != null) {
            Check.close("oracle vs hand-worked numbers", Oracle.toFloat(o.values()), o.dims(), hand,
                    Tolerance.accumulation(o.magnitude()));
        }
        try (Run r = new Run(e)) {
            float[] y = r.conv(d, x, w, b);
            Tolerance tol = Tolerance.accumulation(o.magnitude()).plus(activationTolerance(p));
            Check.close("y", y, o, tol);
            return y;
        }
    }

    static Tolerance activationTolerance(ConvolutionParams p) {
        return activationTolerance(p.activation());
    }

    static Tolerance activationTolerance(dev.fovea.op.Activation a) {
        return switch (a) {
            case NONE, RELU, RELU6 -> Tolerance.EXACT;
            case SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH, SILU -> Tolerance.TRANSCENDENTAL;
        };
    }

    /** Random integer data and weights for {@code p} on input {@code xd}; checks as {@link #conv}. */
    static Outcome convInts(Engine e, Layout l, long seed, int[] xd, ConvolutionParams p, int[] expectedOut) {
        int cg = xd[1] / p.groups();
        float[] x = Data.ints(seed, Data.count(xd), 4);
        float[] w = Data.ints(seed + 1, p.filters() * cg * p.kernelH() * p.kernelW(), 3);
        float[] b = p.bias() ? Data.ints(seed + 2, p.filters(), 5) : null;
        conv(e, l, xd, x, p, w, b, expectedOut, null);
        return Outcome.pass();
    }

    /** One pooling, checked as {@link #conv}. */
    static float[] pool(Engine e, Layout l, int[] xd, float[] x, PoolingParams p, int[] expectedOut, double[] hand) {
        PoolingDescriptor d = PoolingDescriptor.create(
                (p.mode() == PoolingMode.MAX ? "MaxPooling2D" : "AveragePooling2D") + " 'conformance'", shape(xd), l, p);
        Run.require(e, d); // skip before computing anything
        Oracle.Result o = Oracle.pool(xd, x, p);
        if (expectedOut != null) {
            Check.shape("descriptor output", d.output(), expectedOut);
        }
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        Tolerance tol = p.mode() == PoolingMode.MAX ? Tolerance.EXACT : Tolerance.average(o.magnitude());
        return checked(e, o, hand, tol, finite(x), r -> r.pool(d, x));
    }

    /** A standalone activation on {@code x} of logical dims {@code xd}. Returns y. */
    static float[] activation(Engine e, Layout l, Activation a, int[] xd, float[] x, double[] hand) {
        Oracle.Result o = new Oracle.Result(xd, Oracle.activation(a, x), 0);
        return checked(e, o, hand, activationTolerance(a), finite(x), r -> r.activation(a, shape(xd), l, x));
    }
    // ---- ops of imported networks ----

    /** The poison of destinations in cases with non-finite data: a finite value no case expects. */
    static final float FINITE_POISON = -7777.25f;

    /** Whether every value of every array is finite (null arrays count as finite). */
    static boolean finite(float[]... arrays) {
        for (float[] a : arrays) {
            if (a != null) {
                for (float v : a) {
                    if (!Float.isFinite(v)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Checks the oracle against hand-worked numbers (when given), runs {@code body} on a fresh {@link Run} and
     * compares its result with the oracle. With non-finite inputs the destinations are poisoned with a finite
     * value and NaN and infinities are compared position by position ({@link Check#ieee}).
     */
    static float[] checked(Engine e, Oracle.Result o, double[] hand, Tolerance tol, boolean finite,
                           Function<Run, float[]> body) {
        if (hand != null) {
            if (finite && finite(Oracle.toFloat(hand))) {
                Check.close("oracle vs hand-worked numbers", Oracle.toFloat(o.values()), o.dims(), hand, tol);
            } else {
                Check.ieee("oracle vs hand-worked numbers", Oracle.toFloat(o.values()), o.dims(), hand, tol);
            }
        }
        try (Run r = finite ? new Run(e) : new Run(e, FINITE_POISON)) {
            float[] y = body.apply(r);
            if (finite) {
                Check.close("y", y, o, tol);
            } else {
                Check.ieee("y", y, o.dims(), o.values(), tol);
            }
            return y;
        }
    }

    /** The tolerance of {@code a op b} followed by {@code act}. */
    static Tolerance binaryTolerance(Activation act) {
        return Tolerance.ELEMENTWISE.plus(activationTolerance(act));
    }

    /** {@code y = act(a op b)} with broadcasting; {@code hand} (logical values) may be null. Returns y. */
    static float[] binary(Engine e, Layout l, BinaryOp op, int[] ad, float[] a, int[] bd, float[] b, Activation act,
                          double[] hand) {
        BinaryDescriptor d = BinaryDescriptor.create(op + " 'conformance'", op, shape(ad), shape(bd), l, act);
        Run.require(e, d); // skip before computing anything
        Oracle.Result o = Oracle.binary(op, ad, a, bd, b, act);
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        return checked(e, o, hand, binaryTolerance(act), finite(a, b), r -> r.binary(d, a, b));
    }

    /** The tolerance of scale-and-shift (or clamp) whose largest {@code |x·scale| + |shift|} is {@code magnitude}. */
    static Tolerance affineTolerance(double magnitude, Activation act) {
        return Tolerance.accumulation(magnitude).plus(activationTolerance(act));
    }

    /** {@code y = act(x·scale[c] + shift[c])} for {@code x [N, C, H, W]} or {@code [N, C]}. Returns y. */
    static float[] scaleShift(Engine e, Layout l, int[] xd, float[] x, float[] scale, float[] shift, Activation act,
                              double[] hand) {
        ScaleShiftDescriptor d = ScaleShiftDescriptor.create("BatchNormalization 'conformance'", shape(xd), l, act);
        Run.require(e, d);
        Oracle.Result o = Oracle.scaleShift(xd, x, scale, shift, act);
        Check.shape("parameter shape", d.parameterShape(), xd[1]);
        return checked(e, o, hand, affineTolerance(o.magnitude(), act), finite(x, scale, shift),
                r -> r.scaleShift(d, x, scale, shift));
    }

    /**
     * The tolerance of a clamp: exact when {@code alpha = 1, beta = 0} (the result is x, min or max), else the
     * two-term accumulation bound.
     */
    static Tolerance clampTolerance(float alpha, float beta, double magnitude) {
        return alpha == 1 && beta == 0 ? Tolerance.EXACT : Tolerance.accumulation(magnitude);
    }

    /** {@code y = min(max(alpha·x + beta, min), max)}. Returns y. */
    static float[] clamp(Engine e, Layout l, int[] xd, float[] x, float alpha, float beta, float min, float max,
                         double[] hand) {
        ClampDescriptor d = ClampDescriptor.create("Clip 'conformance'", shape(xd), l, alpha, beta, min, max);
        Run.require(e, d);
        Oracle.Result o = Oracle.clamp(xd, x, alpha, beta, min, max);
        return checked(e, o, hand, clampTolerance(alpha, beta, o.magnitude()), finite(x), r -> r.clamp(d, x));
    }

    /** Cross-channel local response normalization of {@code x [N, C, H, W]}. Returns y. */
    static float[] lrn(Engine e, Layout l, int[] xd, float[] x, int size, float alpha, float beta, float bias,
                       double[] hand) {
        LrnDescriptor d = LrnDescriptor.create("LRN 'conformance'", shape(xd), l, size, alpha, beta, bias);
        Run.require(e, d);
        Oracle.Result o = Oracle.lrn(xd, x, size, alpha, beta, bias);
        return checked(e, o, hand, Tolerance.normalization(o.magnitude()), finite(x), r -> r.lrn(d, x));
    }

    /** Constant padding; {@code expectedOut} (logical dims) may be null. Returns y. */
    static float[] pad(Engine e, Layout l, int[] xd, float[] x, int[] before, int[] after, float value,
                       int[] expectedOut, double[] hand) {
        PadDescriptor d = PadDescriptor.create("Pad 'conformance'", shape(xd), l, before, after, value);
        Run.require(e, d);
        Oracle.Result o = Oracle.pad(xd, x, before, after, value);
        if (expectedOut != null) {
            Check.shape("descriptor output", d.output(), expectedOut);
        }
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        return checked(e, o, hand, Tolerance.EXACT, finite(x) && Float.isFinite(value), r -> r.pad(d, x));
    }

    /** Axis permutation; {@code expectedOut} (logical dims) may be null. Returns y. */
    static float[] transpose(Engine e, Layout l, int[] xd, float[] x, int[] perm, int[] expectedOut, double[] hand) {
        TransposeDescriptor d = TransposeDescriptor.create("Transpose 'conformance'", shape(xd), l, perm);
        Run.require(e, d);
        Oracle.Result o = Oracle.transpose(xd, x, perm);
        if (expectedOut != null) {
            Check.shape("descriptor output", d.output(), expectedOut);
        }
        Check.shape("descriptor output (oracle)", d.output(), o.dims());
        return checked(e, o, hand, Tolerance.EXACT, finite(x), r -> r.transpose(d, x));
    }
}
