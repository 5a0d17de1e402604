package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.ConvolutionDescriptor;
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
        if (hand != null) {
            Check.close("oracle vs hand-worked numbers", Oracle.toFloat(o.values()), o.dims(), hand, tol);
        }
        try (Run r = new Run(e)) {
            float[] y = r.pool(d, x);
            Check.close("y", y, o, tol);
            return y;
        }
    }
}
