package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What the convolution plan tests share: one geometry's random input, weights and bias drawn from a seed; running a
 * plan twice into a NaN-filled destination (a channel slice of a wider tensor when asked), the second run having to
 * repeat the first; the reference backend's result; and the exact result in double, each output with its sum of
 * |terms| for the conformance bound, for any stride, dilation, padding and groups.
 */
final class ConvCase implements AutoCloseable {
    /** Pools shared by the plan tests (daemon threads, as the backend's own). */
    static final WorkerPool ONE = new WorkerPool(1);
    static final WorkerPool TWO = new WorkerPool(2);

    /** The conformance bound for convolution: {@code 1e-5 · S + 1e-5 · |y|}, S the sum of |terms|. */
    static final double BOUND = 1e-5;

    final ConvolutionDescriptor op;
    final Layout layout;
    final boolean slice;
    final TensorScope scope = new TensorScope();
    final Tensor x;
    final float[] weights;
    /** Null without bias. */
    final float[] bias;

    /**
     * Input values uniform in [−1, 1), weights in [−0.5, 0.5), bias in [−1, 1), in that order from {@code seed}.
     *
     * @param slice whether destinations are a channel slice of a wider tensor
     */
    ConvCase(ConvolutionDescriptor op, boolean slice, long seed) {
        this.op = op;
        this.layout = op.layout();
        this.slice = slice;
        SplittableRandom rnd = new SplittableRandom(seed);
        x = Oracle.tensor(scope, rnd, op.input(), layout);
        weights = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
        bias = op.bias() ? Oracle.random(rnd, op.filters(), 1) : null;
    }

    /**
     * Runs {@code plan} into a NaN-filled destination, then again over NaN: the second run must give the same values
     * (plans are reusable), and with {@link #slice} nothing outside the slice may be written. Returns the output.
     */
    Tensor run(String what, Plan plan) {
        Tensor[] y = Oracle.destination(scope, op.output(), layout, slice);
        plan.execute(x, y[0]);
        float[] first = y[0].toArray();
        y[0].fill(Float.NaN);
        plan.execute(x, y[0]);
        assertEquals(Arrays.toString(first), Arrays.toString(y[0].toArray()), what + ": second run");
        if (slice) {
            Oracle.assertUntouchedOutside(what, y[1], op.output().c());
        }
        return y[0];
    }

    /** The reference backend's output, in {@link #layout}. */
    Tensor reference() {
        Tensor want = Oracle.poisoned(scope, op.output(), layout);
        Tensor w = scope.fromArray(weights, op.weightShape(), Layout.NCHW);
        Tensor b = bias == null ? null : scope.fromArray(bias, op.biasShape(), Layout.NCHW);
        try (Plan ref = Oracle.REFERENCE.planConvolution(op, w, b)) {
            ref.execute(x, want);
        }
        return want;
    }

    /** The exact outputs, in double, with their sums of |terms| (the bias counted as a term). */
    Exact exact() {
        Shape in = op.input();
        Shape out = op.output();
        int c = in.c();
        int h = in.h();
        int w = in.w();
        int k = op.filters();
        int cg = c / op.groups();
        int kg = k / op.groups();
        int r = op.kernelH();
        int s = op.kernelW();
        double[] xs = new double[Math.toIntExact(in.elementCount())];
        for (int i = 0; i < in.n(); i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int ih = 0; ih < h; ih++) {
                    for (int iw = 0; iw < w; iw++) {
                        xs[((i * c + ch) * h + ih) * w + iw] = x.get(i, ch, ih, iw);
                    }
                }
            }
        }
        int size = Math.toIntExact(out.elementCount());
        double[] value = new double[size];
        double[] abs = new double[size];
        int p = out.h();
        int q = out.w();
        for (int i = 0; i < out.n(); i++) {
            for (int f = 0; f < k; f++) {
                int c0 = f / kg * cg;
                for (int oh = 0; oh < p; oh++) {
                    for (int ow = 0; ow < q; ow++) {
                        double sum = bias == null ? 0 : bias[f];
                        double mag = Math.abs(sum);
                        for (int ch = 0; ch < cg; ch++) {
                            for (int u = 0; u < r; u++) {
                                int ih = oh * op.strideH() - op.pads().top() + u * op.dilationH();
                                if (ih < 0 || ih >= h) {
                                    continue;
                                }
                                for (int v = 0; v < s; v++) {
                                    int iw = ow * op.strideW() - op.pads().left() + v * op.dilationW();
                                    if (iw < 0 || iw >= w) {
                                        continue;
                                    }
                                    double term = xs[((i * c + c0 + ch) * h + ih) * w + iw]
                                            * weights[((f * cg + ch) * r + u) * s + v];
                                    sum += term;
                                    mag += Math.abs(term);
                                }
                            }
                        }
                        int at = ((i * k + f) * p + oh) * q + ow;
                        value[at] = op.activation().apply(sum);
                        abs[at] = mag;
                    }
                }
            }
        }
        return new Exact(out, op.activation(), value, abs);
    }

    /** Exact outputs in logical {@code [N, K, P, Q]} order and each one's sum of |terms|. */
    record Exact(Shape shape, Activation act, double[] value, double[] abs) {
        /** The largest sum of |terms| of any output. */
        double largestAbs() {
            return Arrays.stream(abs).max().orElse(0);
        }

        /**
         * Asserts every output of {@code actual} lies within {@link #BOUND}{@code · S + BOUND · |exact|} of the exact
         * value (plus 2e-6 for the activations computed with an exponential), S being the output's own sum of |terms|
         * or, with {@code largestS}, the largest of all (for algorithms that mix neighbouring outputs, as Winograd's);
         * returns the largest |error| / S.
         */
        double assertWithin(String what, Tensor actual, boolean largestS) {
            boolean exponential = act == Activation.SIGMOID || act == Activation.SILU || act == Activation.TANH;
            double largest = largestAbs();
            double worst = 0;
            int k = shape.c();
            int p = shape.h();
            int q = shape.w();
            for (int i = 0; i < shape.n(); i++) {
                for (int f = 0; f < k; f++) {
                    for (int oh = 0; oh < p; oh++) {
                        for (int ow = 0; ow < q; ow++) {
                            int at = ((i * k + f) * p + oh) * q + ow;
                            double s = largestS ? largest : abs[at];
                            double tol = BOUND * s + BOUND * Math.abs(value[at]) + (exponential ? 2e-6 : 0);
                            float got = actual.get(i, f, oh, ow);
                            double err = Math.abs(got - value[at]);
                            if (!(err <= tol)) {
                                throw new AssertionError(what + " at [" + i + ", " + f + ", " + oh + ", " + ow
                                        + "]: exact " + value[at] + ", got " + got + ", tolerance " + tol + " (S = "
                                        + s + ")");
                            }
                            worst = s > 0 ? Math.max(worst, err / s) : worst;
                        }
                    }
                }
            }
            return worst;
        }
    }

    /** One of {@code values}, at random. */
    static <T> T pick(SplittableRandom rnd, T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    /** One of {@code values}, at random. */
    static int pick(SplittableRandom rnd, int[] values) {
        return values[rnd.nextInt(values.length)];
    }

    @Override
    public void close() {
        scope.close();
    }
}
