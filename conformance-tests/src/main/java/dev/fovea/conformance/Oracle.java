package dev.fovea.conformance;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;

/**
 * The suite's own expected values: each op written out from SEMANTICS.md in double over plain arrays in logical
 * order ({@code [N, C, H, W]}, weights {@code [K, C/groups, kH, kW]}, dense {@code [F, U]}). Deliberately
 * independent of the API's {@code Windows} and of the reference backend (it resolves padding itself), so that
 * hand-worked and seed cases check the reference too.
 */
final class Oracle {
    private Oracle() {
    }

    /** Expected values with their logical dimensions and the magnitude the tolerance scales with. */
    record Result(int[] dims, double[] values, double magnitude) {
    }

    /** One axis of a sliding window: pads before/after and the output size, or null when no window fits. */
    record Axis(int before, int after, int out) {
    }

    /** SEMANTICS.md's padding and output-size table for one axis. */
    static Axis axis(int in, int k, int s, int d, Padding p, boolean first, boolean ceil) {
        int e = d * (k - 1) + 1;
        int before;
        int after;
        switch (p.mode()) {
            case SAME, SAME_LOWER -> {
                int out = (in + s - 1) / s;
                int total = Math.max((out - 1) * s + e - in, 0);
                int half = total / 2;
                int odd = total - half; // the larger part
                return p.mode() == Padding.Mode.SAME ? new Axis(half, odd, out) : new Axis(odd, half, out);
            }
            case FULL -> {
                before = e - 1;
                after = e - 1;
            }
            case EXPLICIT -> {
                before = first ? p.top() : p.left();
                after = first ? p.bottom() : p.right();
            }
            default -> {
                before = 0;
                after = 0;
            }
        }
        int span = in + before + after - e;
        if (span < 0) {
            return null;
        }
        int out = ceil ? (span + s - 1) / s + 1 : span / s + 1;
        if (ceil && (out - 1) * s >= in + before) {
            out--; // the last window would start in the end padding
        }
        return new Axis(before, after, out);
    }

    /** Convolution of {@code x [n, c, h, w]}; {@code b} null for no bias. */
    static Result conv(int[] xd, float[] x, ConvolutionParams p, float[] w, float[] b) {
        return convD(xd, toDouble(x), p, toDouble(w), toDouble(b));
    }

    /** {@link #conv} on double data: the finite-difference cases perturb inputs in double. */
    static Result convD(int[] xd, double[] x, ConvolutionParams p, double[] w, double[] b) {
        int[] yd = convOutput(xd, p);
        int count = yd[0] * yd[1] * yd[2] * yd[3];
        double[] y = new double[count];
        double[] abs = new double[count];
        convTaps(xd, p, (o, i, k) -> {
            double t = x[i] * w[k];
            y[o] += t;
            abs[o] += Math.abs(t);
        });
        double magnitude = 0;
        int plane = yd[2] * yd[3];
        for (int o = 0; o < count; o++) {
            int f = o / plane % yd[1];
            double bias = b == null ? 0 : b[f];
            y[o] = p.activation().apply(y[o] + bias);
            magnitude = Math.max(magnitude, abs[o] + Math.abs(bias));
        }
        return new Result(yd, y, magnitude);
    }

    /** One multiply of a convolution: output {@code out} reads input {@code in} times weight {@code weight}. */
    @FunctionalInterface
    interface Tap {
        void at(int out, int in, int weight);
    }

    /** {@code [n, k, oh, ow]} of a convolution of {@code x [n, c, h, w]}. */
    static int[] convOutput(int[] xd, ConvolutionParams p) {
        Axis ah = axis(xd[2], p.kernelH(), p.strideH(), p.dilationH(), p.padding(), true, false);
        Axis aw = axis(xd[3], p.kernelW(), p.strideW(), p.dilationW(), p.padding(), false, false);
        return new int[] {xd[0], p.filters(), ah.out(), aw.out()};
    }

    /**
     * Every multiply of the convolution as flat logical indices of output, input and weight, outputs in order,
     * taps in (channel, row, column) order; taps that land in the zero padding are left out. Forward and backward
     * oracles walk the same taps, so they share one definition of the window.
     */
    static void convTaps(int[] xd, ConvolutionParams p, Tap tap) {
        int n = xd[0], c = xd[1], h = xd[2], wd = xd[3];
        Axis ah = axis(h, p.kernelH(), p.strideH(), p.dilationH(), p.padding(), true, false);
        Axis aw = axis(wd, p.kernelW(), p.strideW(), p.dilationW(), p.padding(), false, false);
        int k = p.filters(), g = p.groups(), cg = c / g, kg = k / g, kh = p.kernelH(), kw = p.kernelW();
        int oh = ah.out(), ow = aw.out();
        for (int in = 0; in < n; in++) {
            for (int f = 0; f < k; f++) {
                int group = f / kg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int o = ((in * k + f) * oh + oy) * ow + ox;
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = group * cg + ci;
                            for (int r = 0; r < kh; r++) {
                                int iy = oy * p.strideH() - ah.before() + r * p.dilationH();
                                for (int s = 0; s < kw; s++) {
                                    int ix = ox * p.strideW() - aw.before() + s * p.dilationW();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                        continue; // zero padding
                                    }
                                    tap.at(o, ((in * c + ch) * h + iy) * wd + ix, ((f * cg + ci) * kh + r) * kw + s);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Pooling of {@code x [n, c, h, w]}. */
    static Result pool(int[] xd, float[] x, PoolingParams p) {
        return poolD(xd, toDouble(x), p);
    }

    static Result poolD(int[] xd, double[] x, PoolingParams p) {
        boolean max = p.mode() == PoolingMode.MAX;
        int[] yd = poolOutput(xd, p);
        double[] y = new double[yd[0] * yd[1] * yd[2] * yd[3]];
        double maxAbs = 0;
        for (double v : x) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        poolWindows(xd, p, (o, cells, inside, padded) -> {
            double acc = max ? Double.NEGATIVE_INFINITY : 0; // padding: −∞ for max, left out of the sum for average
            for (int i = 0; i < inside; i++) {
                acc = max ? Math.max(acc, x[cells[i]]) : acc + x[cells[i]];
            }
            y[o] = max ? acc : acc / (p.countIncludePad() ? padded : inside);
        });
        return new Result(yd, y, maxAbs);
    }

    /** One pooling window: output {@code out} and its input cells. */
    @FunctionalInterface
    interface Window {
        /**
         * @param cells  flat logical indices of the window's cells inside the input, in window order (rows, then
         *               columns); only the first {@code inside} entries are valid
         * @param padded the cells inside the padded input (the {@code countIncludePad} divisor; a ceil-mode
         *               overhang past the padding is not counted)
         */
        void at(int out, int[] cells, int inside, int padded);
    }

    /** {@code [n, c, oh, ow]} of a pooling of {@code x [n, c, h, w]}. */
    static int[] poolOutput(int[] xd, PoolingParams p) {
        if (p.global()) {
            return new int[] {xd[0], xd[1], 1, 1};
        }
        Axis ah = axis(xd[2], p.kernelH(), p.strideH(), 1, p.padding(), true, p.ceilMode());
        Axis aw = axis(xd[3], p.kernelW(), p.strideW(), 1, p.padding(), false, p.ceilMode());
        return new int[] {xd[0], xd[1], ah.out(), aw.out()};
    }

    /** Every window of the pooling, outputs in logical order; forward and backward oracles share it. */
    static void poolWindows(int[] xd, PoolingParams p, Window window) {
        int n = xd[0], c = xd[1], h = xd[2], wd = xd[3];
        int kh, kw, sh, sw;
        Axis ah, aw;
        if (p.global()) {
            kh = h;
            kw = wd;
            sh = 1;
            sw = 1;
            ah = new Axis(0, 0, 1);
            aw = new Axis(0, 0, 1);
        } else {
            kh = p.kernelH();
            kw = p.kernelW();
            sh = p.strideH();
            sw = p.strideW();
            ah = axis(h, kh, sh, 1, p.padding(), true, p.ceilMode());
            aw = axis(wd, kw, sw, 1, p.padding(), false, p.ceilMode());
        }
        int[] cells = new int[kh * kw];
        for (int in = 0; in < n; in++) {
            for (int ch = 0; ch < c; ch++) {
                for (int oy = 0; oy < ah.out(); oy++) {
                    int y0 = oy * sh - ah.before();
                    for (int ox = 0; ox < aw.out(); ox++) {
                        int x0 = ox * sw - aw.before();
                        int inside = 0;
                        int padded = 0;
                        for (int r = y0; r < y0 + kh; r++) {
                            for (int s = x0; s < x0 + kw; s++) {
                                if (r >= -ah.before() && r < h + ah.after() && s >= -aw.before() && s < wd + aw.after()) {
                                    padded++; // inside the padded input; a ceil-mode overhang is not
                                }
                                if (r >= 0 && r < h && s >= 0 && s < wd) {
                                    cells[inside++] = ((in * c + ch) * h + r) * wd + s;
                                }
                            }
                        }
                        window.at(((in * c + ch) * ah.out() + oy) * aw.out() + ox, cells, inside, padded);
                    }
                }
            }
        }
    }

    /** {@code x [n, f] · w [f, u] + b}, then the activation. */
    static Result dense(int n, int f, float[] x, int u, float[] w, float[] b, Activation act) {
        return denseD(n, f, toDouble(x), u, toDouble(w), toDouble(b), act);
    }

    static Result denseD(int n, int f, double[] x, int u, double[] w, double[] b, Activation act) {
        double[] y = new double[n * u];
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < u; j++) {
                double sum = b == null ? 0 : b[j];
                double abs = b == null ? 0 : Math.abs(b[j]);
                for (int e = 0; e < f; e++) {
                    double t = x[i * f + e] * w[e * u + j];
                    sum += t;
                    abs += Math.abs(t);
                }
                y[i * u + j] = act.apply(sum);
                magnitude = Math.max(magnitude, abs);
            }
        }
        return new Result(new int[] {n, u}, y, magnitude);
    }

    /** Row-wise softmax of {@code x [n, f]}, row maximum subtracted first. */
    static double[] softmax(int n, int f, float[] x) {
        return softmaxD(n, f, toDouble(x));
    }

    static double[] softmaxD(int n, int f, double[] x) {
        double[] y = new double[n * f];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f; j++) {
                m = Math.max(m, x[i * f + j]);
            }
            double sum = 0;
            for (int j = 0; j < f; j++) {
                sum += Math.exp(x[i * f + j] - m);
            }
            for (int j = 0; j < f; j++) {
                y[i * f + j] = Math.exp(x[i * f + j] - m) / sum;
            }
        }
        return y;
    }

    static double[] activation(Activation a, float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = a.apply(x[i]);
        }
        return y;
    }

    /**
     * A logical {@code [N, C, H, W]} array flattened the way {@code Tensor.flatten()} flattens a tensor stored in
     * NHWC: each item in (h, w, c) order, as Keras does. An NCHW tensor flattens in logical order already.
     */
    static float[] flattenNhwc(int[] d, float[] x) {
        int n = d[0], c = d[1], h = d[2], w = d[3];
        float[] out = new float[x.length];
        int k = 0;
        for (int in = 0; in < n; in++) {
            for (int r = 0; r < h; r++) {
                for (int s = 0; s < w; s++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[k++] = x[((in * c + ch) * h + r) * w + s];
                    }
                }
            }
        }
        return out;
    }

    /** {@code v} widened to double; null for null. */
    static double[] toDouble(float[] v) {
        if (v == null) {
            return null;
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
