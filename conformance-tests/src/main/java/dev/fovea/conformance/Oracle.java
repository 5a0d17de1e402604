package dev.fovea.conformance;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;

/**
 * The suite's own expected values: each op written out from the op descriptors' rules in double over plain arrays in logical
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

    /** The padding and output-size rules for one axis, as {@code dev.fovea.op.Padding} states them. */
    static Axis axis(int in, int k, int s, int d, Padding p, boolean first, boolean ceil) {
        int e = d * (k - 1) + 1;
        int before;
        int after;
        switch (p.mode()) {
            case SAME, SAME_LOWER -> {
                int out = Math.ceilDiv(in, s);
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
        int out = ceil ? Math.ceilDiv(span, s) + 1 : span / s + 1;
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
            y[o] = act(p.activation(), y[o] + bias);
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
            if (Double.isFinite(v)) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
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
        Axis ah = axis(xd[2], p.kernelH(), p.strideH(), p.dilationH(), p.padding(), true, p.ceilMode());
        Axis aw = axis(xd[3], p.kernelW(), p.strideW(), p.dilationW(), p.padding(), false, p.ceilMode());
        return new int[] {xd[0], xd[1], ah.out(), aw.out()};
    }

    /** Every window of the pooling, outputs in logical order; forward and backward oracles share it. */
    static void poolWindows(int[] xd, PoolingParams p, Window window) {
        int n = xd[0], c = xd[1], h = xd[2], wd = xd[3];
        int kh, kw, sh, sw, dh, dw;
        Axis ah, aw;
        if (p.global()) {
            kh = h;
            kw = wd;
            sh = 1;
            sw = 1;
            dh = 1;
            dw = 1;
            ah = new Axis(0, 0, 1);
            aw = new Axis(0, 0, 1);
        } else {
            kh = p.kernelH();
            kw = p.kernelW();
            sh = p.strideH();
            sw = p.strideW();
            dh = p.dilationH();
            dw = p.dilationW();
            ah = axis(h, kh, sh, dh, p.padding(), true, p.ceilMode());
            aw = axis(wd, kw, sw, dw, p.padding(), false, p.ceilMode());
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
                        for (int r = y0; r < y0 + kh * dh; r += dh) { // every dh-th row from y0
                            for (int s = x0; s < x0 + kw * dw; s += dw) {
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
                y[i * u + j] = act(act, sum);
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
            y[i] = act(a, x[i]);
        }
        return y;
    }

    /**
     * One activation in double, written out here rather than taken from {@code Activation.apply}. The activations of
     * imported networks propagate NaN: a NaN input gives NaN (ReLU's NaN result is not pinned).
     */
    static double act(Activation a, double x) {
        return switch (a) {
            case NONE -> x;
            case RELU -> Math.max(x, 0); // NaN stays NaN
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case RELU6 -> Double.isNaN(x) ? x : x <= 0 ? 0 : x >= 6 ? 6 : x;
            case HARD_SIGMOID -> hardSigmoid(x);
            case HARD_SWISH -> x * hardSigmoid(x);
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    /** {@code 0} up to −3, {@code 1} from 3, {@code x/6 + 1/2} between; NaN stays NaN. */
    private static double hardSigmoid(double x) {
        return Double.isNaN(x) ? x : x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
    }

    // ---- ops of imported networks: element-wise with broadcasting, scale-and-shift, clamp, LRN, pad, transpose ----

    /** Row-major strides of {@code dims}, in elements. */
    static int[] rowMajor(int[] dims) {
        int[] s = new int[dims.length];
        int step = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            s[a] = step;
            step *= dims[a];
        }
        return s;
    }

    /** The logical coordinates of flat row-major index {@code i} of {@code dims}. */
    static int[] coordinates(int[] dims, int i) {
        int[] pos = new int[dims.length];
        for (int a = dims.length - 1; a >= 0; a--) {
            pos[a] = i % dims[a];
            i /= dims[a];
        }
        return pos;
    }

    private static int count(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /**
     * {@code act(a op b)} with NumPy broadcasting of two operands of equal rank: along each axis the sizes are equal
     * or one is 1, and a size-1 operand is read at index 0 for every output index. Magnitude: the largest
     * {@code |a| + |b|} (ADD, SUB) or {@code |a·b|}, {@code |a/b|} of any element.
     */
    static Result binary(BinaryOp op, int[] ad, float[] a, int[] bd, float[] b, Activation act) {
        int rank = ad.length;
        int[] yd = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) {
                throw new IllegalArgumentException("axis " + i + " does not broadcast: " + ad[i] + " and " + bd[i]);
            }
            yd[i] = Math.max(ad[i], bd[i]);
        }
        int[] as = rowMajor(ad);
        int[] bs = rowMajor(bd);
        double[] y = new double[count(yd)];
        double magnitude = 0;
        for (int o = 0; o < y.length; o++) {
            int[] pos = coordinates(yd, o);
            int ai = 0;
            int bi = 0;
            for (int i = 0; i < rank; i++) {
                ai += (ad[i] == 1 ? 0 : pos[i]) * as[i];
                bi += (bd[i] == 1 ? 0 : pos[i]) * bs[i];
            }
            double u = a[ai];
            double v = b[bi];
            double r = switch (op) {
                case ADD -> u + v;
                case SUB -> u - v;
                case MUL -> u * v;
                case DIV -> u / v;
            };
            y[o] = act(act, r);
            double m = op == BinaryOp.ADD || op == BinaryOp.SUB ? Math.abs(u) + Math.abs(v) : Math.abs(r);
            if (Double.isFinite(m)) {
                magnitude = Math.max(magnitude, m);
            }
        }
        return new Result(yd, y, magnitude);
    }

    /**
     * {@code act(x[n, c, ...]·scale[c] + shift[c])} for {@code x [N, C, H, W]} or {@code [N, C]}. Magnitude: the
     * largest {@code |x·scale| + |shift|} (finite terms only).
     */
    static Result scaleShift(int[] xd, float[] x, float[] scale, float[] shift, Activation act) {
        int ch = xd[1];
        int inner = 1;
        for (int a = 2; a < xd.length; a++) {
            inner *= xd[a];
        }
        double[] y = new double[x.length];
        double magnitude = 0;
        for (int i = 0; i < x.length; i++) {
            int c = i / inner % ch;
            double t = (double) x[i] * scale[c];
            y[i] = act(act, t + shift[c]);
            double m = Math.abs(t) + Math.abs((double) shift[c]);
            if (Double.isFinite(m)) {
                magnitude = Math.max(magnitude, m);
            }
        }
        return new Result(xd.clone(), y, magnitude);
    }

    /**
     * {@code min(max(alpha·x + beta, min), max)}; NaN in gives NaN out. Magnitude: the largest
     * {@code |alpha·x| + |beta|} (finite terms only).
     */
    static Result clamp(int[] xd, float[] x, float alpha, float beta, float min, float max) {
        double[] y = new double[x.length];
        double magnitude = 0;
        for (int i = 0; i < x.length; i++) {
            double t = (double) alpha * x[i];
            double v = t + beta;
            y[i] = Double.isNaN(v) ? v : v < min ? min : v > max ? max : v;
            double m = Math.abs(t) + Math.abs((double) beta);
            if (Double.isFinite(m)) {
                magnitude = Math.max(magnitude, m);
            }
        }
        return new Result(xd.clone(), y, magnitude);
    }

    /**
     * Cross-channel LRN of {@code x [N, C, H, W]}: {@code y = x / (bias + alpha/size · Σ x_i²)^beta} over channels
     * {@code i} from {@code c − ⌊(size−1)/2⌋} to {@code c + ⌈(size−1)/2⌉}, clipped to {@code [0, C)} (an even size
     * reaches one channel further after c than before it). Magnitude: the largest {@code |y|} (finite values).
     */
    static Result lrn(int[] xd, float[] x, int size, float alpha, float beta, float bias) {
        int n = xd[0], ch = xd[1], hw = xd[2] * xd[3];
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        double[] y = new double[x.length];
        double magnitude = 0;
        for (int in = 0; in < n; in++) {
            for (int c = 0; c < ch; c++) {
                for (int j = 0; j < hw; j++) {
                    double sum = 0;
                    for (int i = Math.max(0, c - before); i <= Math.min(ch - 1, c + after); i++) {
                        double v = x[(in * ch + i) * hw + j];
                        sum += v * v;
                    }
                    int at = (in * ch + c) * hw + j;
                    y[at] = x[at] / Math.pow(bias + (double) alpha / size * sum, beta);
                    if (Double.isFinite(y[at])) {
                        magnitude = Math.max(magnitude, Math.abs(y[at]));
                    }
                }
            }
        }
        return new Result(xd.clone(), y, magnitude);
    }

    /** Constant padding of {@code x} (any rank): {@code before[i]} and {@code after[i]} cells of {@code value}. */
    static Result pad(int[] xd, float[] x, int[] before, int[] after, float value) {
        int[] yd = new int[xd.length];
        for (int a = 0; a < xd.length; a++) {
            yd[a] = before[a] + xd[a] + after[a];
        }
        int[] xs = rowMajor(xd);
        double[] y = new double[count(yd)];
        for (int o = 0; o < y.length; o++) {
            int[] pos = coordinates(yd, o);
            int xi = 0;
            boolean inside = true;
            for (int a = 0; a < xd.length && inside; a++) {
                int p = pos[a] - before[a];
                inside = p >= 0 && p < xd[a];
                xi += p * xs[a];
            }
            y[o] = inside ? x[xi] : value;
        }
        return new Result(yd, y, 0);
    }

    /** Axis permutation of {@code x} (any rank): output axis {@code i} is input axis {@code perm[i]}. */
    static Result transpose(int[] xd, float[] x, int[] perm) {
        int[] yd = new int[xd.length];
        for (int i = 0; i < perm.length; i++) {
            yd[i] = xd[perm[i]];
        }
        int[] xs = rowMajor(xd);
        double[] y = new double[x.length];
        for (int o = 0; o < y.length; o++) {
            int[] pos = coordinates(yd, o);
            int xi = 0;
            for (int i = 0; i < perm.length; i++) {
                xi += pos[i] * xs[perm[i]]; // y[.., pos[i], ..] reads input axis perm[i] at pos[i]
            }
            y[o] = x[xi];
        }
        return new Result(yd, y, 0);
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
