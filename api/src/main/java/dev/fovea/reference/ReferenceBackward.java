package dev.fovea.reference;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The backward ops as their definitions: each gradient is accumulated in a double array in logical order by
 * walking the forward's loops, then rounded once to float. Over any strides; single-threaded.
 */
final class ReferenceBackward {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ReferenceBackward() {
    }

    static void convolutionData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        float[] w = weights.toArray();
        int cIn = op.input().c();
        int h = op.input().h();
        int wd = op.input().w();
        int cPerGroup = cIn / op.groups();
        int kh = op.kernelH();
        int kw = op.kernelW();
        double[] acc = new double[op.input().n() * cIn * h * wd];
        MemorySegment dys = dy.buffer();
        ConvTaps.forEach(op, (in, ok, p, q, ic, c, r, s, ih, iw) -> acc[((in * cIn + ic) * h + ih) * wd + iw] +=
                dys.getAtIndex(F, at(dy, in, ok, p, q)) * (double) w[((ok * cPerGroup + c) * kh + r) * kw + s]);
        store4(acc, dx);
    }

    static void convolutionFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        int cPerGroup = op.input().c() / op.groups();
        int kh = op.kernelH();
        int kw = op.kernelW();
        double[] acc = new double[op.filters() * cPerGroup * kh * kw];
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        ConvTaps.forEach(op, (in, ok, p, q, ic, c, r, s, ih, iw) -> acc[((ok * cPerGroup + c) * kh + r) * kw + s] +=
                dys.getAtIndex(F, at(dy, in, ok, p, q)) * (double) xs.getAtIndex(F, at(x, in, ic, ih, iw)));
        store4(acc, dw);
    }

    static void convolutionBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        MemorySegment dys = dy.buffer();
        MemorySegment dbs = db.buffer();
        for (int ok = 0; ok < op.filters(); ok++) {
            double acc = 0;
            for (int in = 0; in < op.output().n(); in++) {
                for (int p = 0; p < op.output().h(); p++) {
                    for (int q = 0; q < op.output().w(); q++) {
                        acc += dys.getAtIndex(F, at(dy, in, ok, p, q));
                    }
                }
            }
            dbs.setAtIndex(F, db.offset() + ok * db.stride(0), (float) acc);
        }
    }

    static void pooling(PoolingDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        int nn = op.input().n();
        int cc = op.input().c();
        int h = op.input().h();
        int wd = op.input().w();
        boolean max = op.mode() == PoolingMode.MAX;
        Windows.Taps rows = op.rowTaps();
        Windows.Taps cols = op.colTaps();
        double[] acc = new double[nn * cc * h * wd];
        for (int n = 0; n < nn; n++) {
            for (int c = 0; c < cc; c++) {
                int base = (n * cc + c) * h * wd;
                for (int p = 0; p < op.output().h(); p++) {
                    for (int q = 0; q < op.output().w(); q++) {
                        double d = dys.getAtIndex(F, at(dy, n, c, p, q));
                        int arg = -1;
                        double best = Double.NEGATIVE_INFINITY;
                        java.util.List<Integer> cells = new java.util.ArrayList<>();
                        for (int r = 0; r < rows.count(p); r++) {
                            int ih = rows.start(p) + r * op.dilationH();
                            for (int t = 0; t < cols.count(q); t++) {
                                int iw = cols.start(q) + t * op.dilationW();
                                cells.add(ih * wd + iw);
                                double v = xs.getAtIndex(F, at(x, n, c, ih, iw));
                                if (arg < 0 || v > best) {
                                    best = v;
                                    arg = ih * wd + iw;
                                }
                            }
                        }
                        if (max) {
                            acc[base + arg] += d;
                        } else {
                            int divisor = op.countIncludePad() ? rows.padded(p) * cols.padded(q) : cells.size();
                            for (int cell : cells) {
                                acc[base + cell] += d / divisor;
                            }
                        }
                    }
                }
            }
        }
        store4(acc, dx);
    }

    /** The derivative of {@code activation} expressed through its output {@code y}. */
    static double derivativeFromOutput(Activation activation, double y) {
        return switch (activation) {
            case NONE -> 1;
            case RELU -> y > 0 ? 1 : 0;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            default -> throw new UnsupportedOperationException("the gradient of " + activation
                    + " needs the activation's input, not only its output");
        };
    }

    static void dense(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw, Tensor db) {
        float[] w = weights.toArray();
        int n = op.input().n();
        int f = op.input().c();
        int u = op.units();
        MemorySegment xs = x.buffer();
        MemorySegment dys = dy.buffer();
        if (dx != null) {
            MemorySegment dxs = dx.buffer();
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < f; e++) {
                    double acc = 0;
                    for (int j = 0; j < u; j++) {
                        acc += (double) dys.getAtIndex(F, at2(dy, i, j)) * w[e * u + j];
                    }
                    dxs.setAtIndex(F, at2(dx, i, e), (float) acc);
                }
            }
        }
        MemorySegment dws = dw.buffer();
        for (int e = 0; e < f; e++) {
            for (int j = 0; j < u; j++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += (double) xs.getAtIndex(F, at2(x, i, e)) * dys.getAtIndex(F, at2(dy, i, j));
                }
                dws.setAtIndex(F, at2(dw, e, j), (float) acc);
            }
        }
        if (db != null) {
            MemorySegment dbs = db.buffer();
            for (int j = 0; j < u; j++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += dys.getAtIndex(F, at2(dy, i, j));
                }
                dbs.setAtIndex(F, db.offset() + j * db.stride(0), (float) acc);
            }
        }
    }

    static void softmax(Tensor y, Tensor dy, Tensor dx) {
        MemorySegment ys = y.buffer();
        MemorySegment dys = dy.buffer();
        MemorySegment dxs = dx.buffer();
        int n = y.shape().n();
        int f = y.shape().c();
        double[] row = new double[f];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < f; j++) {
                row[j] = dys.getAtIndex(F, at2(dy, i, j));
                dot += row[j] * ys.getAtIndex(F, at2(y, i, j));
            }
            for (int j = 0; j < f; j++) {
                dxs.setAtIndex(F, at2(dx, i, j), (float) (ys.getAtIndex(F, at2(y, i, j)) * (row[j] - dot)));
            }
        }
    }

    static double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        MemorySegment zs = logits.buffer();
        int n = logits.shape().n();
        int f = logits.shape().c();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f; j++) {
                max = Math.max(max, zs.getAtIndex(F, at2(logits, i, j)));
            }
            double sum = 0;
            for (int j = 0; j < f; j++) {
                sum += Math.exp(zs.getAtIndex(F, at2(logits, i, j)) - max);
            }
            double lse = max + Math.log(sum);
            total += lse - zs.getAtIndex(F, at2(logits, i, labels[i]));
            if (dx != null) {
                MemorySegment dxs = dx.buffer();
                for (int j = 0; j < f; j++) {
                    double p = Math.exp(zs.getAtIndex(F, at2(logits, i, j)) - lse);
                    dxs.setAtIndex(F, at2(dx, i, j), (float) (scale * (p - (j == labels[i] ? 1 : 0))));
                }
            }
        }
        return total;
    }

    /** Writes {@code acc} (logical NCHW order of {@code t}'s shape) into the 4-D tensor {@code t}. */
    private static void store4(double[] acc, Tensor t) {
        MemorySegment ts = t.buffer();
        int c = t.shape().c();
        int h = t.shape().h();
        int w = t.shape().w();
        for (int i = 0; i < acc.length; i++) {
            int iw = i % w;
            int ih = i / w % h;
            int ic = i / (w * h) % c;
            int in = i / (w * h * c);
            ts.setAtIndex(F, at(t, in, ic, ih, iw), (float) acc[i]);
        }
    }

    private static long at(Tensor t, int n, int c, int h, int w) {
        return t.offset() + n * t.stride(0) + c * t.stride(1) + h * t.stride(2) + w * t.stride(3);
    }

    private static long at2(Tensor t, int i, int j) {
        return t.offset() + i * t.stride(0) + j * t.stride(1);
    }
}
