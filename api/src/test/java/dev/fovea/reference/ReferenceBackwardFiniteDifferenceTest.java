package dev.fovea.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Every backward op of the reference backend against central finite differences of its forward. The loss is
 * {@code L = Σ y ⊙ R} for a fixed random {@code R}, summed in double, so {@code ∂L/∂y = R} is what the backward
 * op receives as {@code dy}. Each input element is moved by ±eps (the step actually stored in float is used as
 * the denominator). Linear ops use a large step (exact in exact arithmetic, so only float rounding of the outputs
 * remains); non-linear ones a small step on inputs kept away from kinks.
 */
class ReferenceBackwardFiniteDifferenceTest {
    private final Engine engine = Engine.open("reference");

    // ---- convolution -------------------------------------------------------------------------------------

    static List<Object[]> convCases() {
        return List.of(
                new Object[] {"3×3 valid, bias", Shape.of(2, 3, 5, 6), ConvolutionParams.of(2, 3, 3)},
                new Object[] {"3×2 stride 2 SAME (asymmetric pads)", Shape.of(1, 2, 6, 7),
                        ConvolutionParams.of(3, 3, 2).withStride(2, 2).withPadding(Padding.SAME)},
                new Object[] {"2×2 dilation 2, explicit (1,0,2,1)", Shape.of(1, 2, 5, 5),
                        ConvolutionParams.of(2, 2, 2).withDilation(2, 2).withPadding(Padding.explicit(1, 0, 2, 1))},
                new Object[] {"groups 2, FULL, no bias", Shape.of(2, 4, 4, 5),
                        ConvolutionParams.of(6, 3, 3).withGroups(2).withPadding(Padding.FULL).withBias(false)},
                new Object[] {"depthwise ×2, SAME_LOWER, stride 2", Shape.of(1, 3, 5, 4),
                        ConvolutionParams.of(6, 2, 3).withGroups(3).withStride(2, 2).withPadding(Padding.SAME_LOWER)},
                new Object[] {"stride 3 > kernel 2 (unread cells)", Shape.of(1, 2, 7, 8),
                        ConvolutionParams.of(2, 2, 2).withStride(3, 3)});
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void convolutionBackwardMatchesFiniteDifferences(Layout layout) {
        for (Object[] c : convCases()) {
            String name = c[0] + " " + layout;
            ConvolutionDescriptor op = ConvolutionDescriptor.create(name, (Shape) c[1], layout, (ConvolutionParams) c[2]);
            try (TensorScope s = new TensorScope()) {
                SplittableRandom rnd = new SplittableRandom(name.hashCode());
                float[] xv = random(rnd, op.input().elementCount(), 1);
                float[] wv = random(rnd, op.weightShape().elementCount(), 1);
                float[] bv = op.bias() ? random(rnd, op.filters(), 1) : null;
                float[] r = random(rnd, op.output().elementCount(), 1);
                Tensor dy = s.fromArray(r, op.output(), layout);
                Tensor x = s.fromArray(xv, op.input(), layout);
                Tensor w = s.fromArray(wv, op.weightShape(), Layout.NCHW);
                ToDoubleFunction<float[][]> loss = v -> {
                    try (TensorScope t = new TensorScope()) {
                        Tensor xt = t.fromArray(v[0], op.input(), layout);
                        Tensor wt = t.fromArray(v[1], op.weightShape(), Layout.NCHW);
                        Tensor bt = op.bias() ? t.fromArray(v[2], op.biasShape(), Layout.NCHW) : null;
                        Tensor y = t.allocate(op.output(), layout);
                        try (Plan p = engine.planConvolution(op, wt, bt)) {
                            p.execute(xt, y);
                        }
                        return dot(y.toArray(), r);
                    }
                };
                float[][] all = {xv, wv, bv};
                Tensor dx = s.allocate(op.input(), layout);
                engine.convolutionBackwardData(op, w, dy, dx);
                check(name + " dx", dx.toArray(), numeric(all, 0, loss, 0.25), 1e-4, 1e-4);
                Tensor dw = s.allocate(op.weightShape(), Layout.NCHW);
                engine.convolutionBackwardFilter(op, x, dy, dw);
                check(name + " dw", dw.toArray(), numeric(all, 1, loss, 0.25), 1e-4, 1e-4);
                if (op.bias()) {
                    Tensor db = s.allocate(op.biasShape(), Layout.NCHW);
                    engine.convolutionBackwardBias(op, dy, db);
                    check(name + " db", db.toArray(), numeric(all, 2, loss, 0.25), 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void unreadInputCellsGetZeroGradient() {
        ConvolutionDescriptor op = ConvolutionDescriptor.create("s3", Shape.of(1, 1, 7, 7), Layout.NCHW,
                ConvolutionParams.of(1, 2, 2).withStride(3, 3));
        try (TensorScope s = new TensorScope()) {
            Tensor w = s.fromArray(new float[] {1, 2, 3, 4}, op.weightShape(), Layout.NCHW);
            Tensor dy = s.allocate(op.output(), Layout.NCHW);
            dy.fill(1);
            Tensor dx = s.allocate(op.input(), Layout.NCHW);
            dx.fill(Float.NaN);
            engine.convolutionBackwardData(op, w, dy, dx);
            assertEquals(0f, dx.get(0, 0, 2, 2), "row 2 is never read with stride 3 and kernel 2");
            assertEquals(4f, dx.get(0, 0, 1, 1));
            assertEquals(1f, dx.get(0, 0, 3, 3));
        }
    }

    // ---- pooling -----------------------------------------------------------------------------------------

    static List<Object[]> poolCases() {
        return List.of(
                new Object[] {"max 2×2/2", Shape.of(2, 2, 4, 5), PoolingParams.of(PoolingMode.MAX, 2, 2)},
                new Object[] {"max 3×3/2 overlapping, ceil", Shape.of(1, 2, 6, 7),
                        PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2).withCeilMode(true)},
                new Object[] {"max 3×2 SAME stride 2", Shape.of(1, 2, 5, 6),
                        PoolingParams.of(PoolingMode.MAX, 3, 2).withStride(2, 2).withPadding(Padding.SAME)},
                new Object[] {"max 3×3/1 explicit (1,0,2,1)", Shape.of(1, 1, 5, 4),
                        PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1).withPadding(Padding.explicit(1, 0, 2, 1))},
                new Object[] {"global max", Shape.of(2, 3, 3, 4), PoolingParams.global(PoolingMode.MAX)},
                new Object[] {"avg 2×2/2", Shape.of(2, 2, 4, 5), PoolingParams.of(PoolingMode.AVERAGE, 2, 2)},
                new Object[] {"avg 3×3/2 ceil, pads counted", Shape.of(1, 2, 6, 7), PoolingParams.of(PoolingMode.AVERAGE,
                        3, 3).withStride(2, 2).withPadding(Padding.explicit(1)).withCeilMode(true).withCountIncludePad(true)},
                new Object[] {"avg 3×3/2 ceil, pads not counted", Shape.of(1, 2, 6, 7), PoolingParams.of(PoolingMode.AVERAGE,
                        3, 3).withStride(2, 2).withPadding(Padding.explicit(1)).withCeilMode(true)},
                new Object[] {"avg 3×3/1 SAME, pads counted", Shape.of(1, 2, 4, 5), PoolingParams.of(PoolingMode.AVERAGE,
                        3, 3).withStride(1, 1).withPadding(Padding.SAME).withCountIncludePad(true)},
                new Object[] {"avg 2×3 explicit (0,2,1,0)", Shape.of(1, 1, 5, 5), PoolingParams.of(PoolingMode.AVERAGE,
                        2, 3).withStride(2, 1).withPadding(Padding.explicit(0, 2, 1, 0))},
                new Object[] {"global average", Shape.of(2, 3, 3, 4), PoolingParams.global(PoolingMode.AVERAGE)});
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void poolingBackwardMatchesFiniteDifferences(Layout layout) {
        for (Object[] c : poolCases()) {
            String name = c[0] + " " + layout;
            PoolingDescriptor op = PoolingDescriptor.create(name, (Shape) c[1], layout, (PoolingParams) c[2]);
            boolean max = op.mode() == PoolingMode.MAX;
            try (TensorScope s = new TensorScope()) {
                SplittableRandom rnd = new SplittableRandom(name.hashCode());
                // Max pooling: distinct values 0.1 apart, so a small step never changes a window's argmax.
                float[] xv = max ? distinct(rnd, op.input().elementCount()) : random(rnd, op.input().elementCount(), 1);
                float[] r = random(rnd, op.output().elementCount(), 1);
                Tensor x = s.fromArray(xv, op.input(), layout);
                Tensor y = s.allocate(op.output(), layout);
                engine.poolingForward(op, x, y);
                Tensor dy = s.fromArray(r, op.output(), layout);
                Tensor dx = s.allocate(op.input(), layout);
                engine.poolingBackward(op, x, y, dy, dx);
                ToDoubleFunction<float[][]> loss = v -> {
                    try (TensorScope t = new TensorScope()) {
                        Tensor yt = t.allocate(op.output(), layout);
                        engine.poolingForward(op, t.fromArray(v[0], op.input(), layout), yt);
                        return dot(yt.toArray(), r);
                    }
                };
                check(name + " dx", dx.toArray(), numeric(new float[][] {xv}, 0, loss, max ? 0.01 : 0.25), 1e-4, 1e-3);
            }
        }
    }

    @Test
    void maxPoolingTiesGoToTheFirstMaximumInWindowOrder() {
        PoolingDescriptor op = PoolingDescriptor.create("ties", Shape.of(1, 1, 4, 4), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1));
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(op.input(), Layout.NHWC);
            x.fill(5);
            Tensor y = s.allocate(op.output(), Layout.NHWC);
            engine.poolingForward(op, x, y);
            Tensor dy = s.fromArray(new float[] {1, 2, 4, 8}, op.output(), Layout.NHWC);
            Tensor dx = s.allocate(op.input(), Layout.NHWC);
            engine.poolingBackward(op, x, y, dy, dx);
            // Window (p, q) starts at input (p, q), its first cell in row-then-column order.
            float[] expected = {1, 2, 0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(dx.toArray()));
        }
    }

    @Test
    void maxPoolingOfAllNegativeWindowWithPaddingRoutesToAnInputCell() {
        PoolingDescriptor op = PoolingDescriptor.create("neg", Shape.of(1, 1, 2, 2), Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(2, 2).withPadding(Padding.explicit(1, 1, 0, 0)));
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.fromArray(new float[] {-4, -3, -2, -1}, op.input(), Layout.NCHW);
            Tensor y = s.allocate(op.output(), Layout.NCHW);
            engine.poolingForward(op, x, y);
            Tensor dy = s.allocate(op.output(), Layout.NCHW);
            dy.fill(1);
            Tensor dx = s.allocate(op.input(), Layout.NCHW);
            engine.poolingBackward(op, x, y, dy, dx);
            float sum = 0;
            for (float v : dx.toArray()) {
                sum += v;
            }
            assertEquals(op.output().elementCount(), sum, 0, "every window's gradient lands on an input cell");
        }
    }

    // ---- activation, dense, softmax ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"NONE", "RELU", "SIGMOID", "TANH"}) // gradients from the output
    void activationBackwardMatchesFiniteDifferences(Activation act) {
        for (Layout layout : Layout.values()) {
            Shape shape = Shape.of(2, 3, 2, 3);
            try (TensorScope s = new TensorScope()) {
                SplittableRandom rnd = new SplittableRandom(act.ordinal());
                float[] xv = random(rnd, shape.elementCount(), 2);
                for (int i = 0; i < xv.length; i++) {
                    if (Math.abs(xv[i]) < 0.05f) {
                        xv[i] += 0.1f; // away from ReLU's kink
                    }
                }
                float[] r = random(rnd, shape.elementCount(), 1);
                Tensor x = s.fromArray(xv, shape, layout);
                Tensor y = s.allocate(shape, layout);
                engine.activationForward(act, x, y);
                Tensor dy = s.fromArray(r, shape, layout);
                Tensor dx = s.allocate(shape, layout);
                engine.activationBackward(act, y, dy, dx);
                ToDoubleFunction<float[][]> loss = v -> {
                    try (TensorScope t = new TensorScope()) {
                        Tensor yt = t.allocate(shape, layout);
                        engine.activationForward(act, t.fromArray(v[0], shape, layout), yt);
                        return dot(yt.toArray(), r);
                    }
                };
                check(act + " " + layout, dx.toArray(), numeric(new float[][] {xv}, 0, loss, 1e-3), 1e-3, 1e-3);
                // In place: dx may be dy.
                engine.activationBackward(act, y, dy, dy);
                check(act + " in place", dy.toArray(), dx.toArray(), 0, 0);
            }
        }
    }

    @Test
    void denseBackwardMatchesFiniteDifferences() {
        for (boolean bias : new boolean[] {true, false}) {
            DenseDescriptor op = DenseDescriptor.create("dense", Shape.of(3, 5), 4, bias, Activation.NONE);
            try (TensorScope s = new TensorScope()) {
                SplittableRandom rnd = new SplittableRandom(7);
                float[] xv = random(rnd, 15, 1);
                float[] wv = random(rnd, 20, 1);
                float[] bv = bias ? random(rnd, 4, 1) : null;
                float[] r = random(rnd, 12, 1);
                Tensor x = s.fromArray(xv, op.input(), Layout.NCHW);
                Tensor w = s.fromArray(wv, op.weightShape(), Layout.NCHW);
                Tensor dy = s.fromArray(r, op.output(), Layout.NCHW);
                Tensor dx = s.allocate(op.input(), Layout.NCHW);
                Tensor dw = s.allocate(op.weightShape(), Layout.NCHW);
                Tensor db = bias ? s.allocate(Shape.of(4), Layout.NCHW) : null;
                engine.denseBackward(op, w, x, dy, dx, dw, db);
                ToDoubleFunction<float[][]> loss = v -> {
                    try (TensorScope t = new TensorScope()) {
                        Tensor yt = t.allocate(op.output(), Layout.NCHW);
                        try (Plan p = engine.planDense(op, t.fromArray(v[1], op.weightShape(), Layout.NCHW),
                                bias ? t.fromArray(v[2], Shape.of(4), Layout.NCHW) : null)) {
                            p.execute(t.fromArray(v[0], op.input(), Layout.NCHW), yt);
                        }
                        return dot(yt.toArray(), r);
                    }
                };
                float[][] all = {xv, wv, bv};
                check("dense dx", dx.toArray(), numeric(all, 0, loss, 0.25), 1e-4, 1e-4);
                check("dense dw", dw.toArray(), numeric(all, 1, loss, 0.25), 1e-4, 1e-4);
                if (bias) {
                    check("dense db", db.toArray(), numeric(all, 2, loss, 0.25), 1e-4, 1e-4);
                }
                // dx may be skipped (first layer).
                Tensor dw2 = s.allocate(op.weightShape(), Layout.NCHW);
                engine.denseBackward(op, w, x, dy, null, dw2, db);
                check("dense dw without dx", dw2.toArray(), dw.toArray(), 0, 0);
            }
        }
    }

    @Test
    void softmaxBackwardMatchesFiniteDifferences() {
        Shape shape = Shape.of(3, 6);
        try (TensorScope s = new TensorScope()) {
            SplittableRandom rnd = new SplittableRandom(11);
            float[] xv = random(rnd, 18, 3);
            float[] r = random(rnd, 18, 1);
            Tensor y = s.allocate(shape, Layout.NCHW);
            engine.softmaxForward(s.fromArray(xv, shape, Layout.NCHW), y);
            Tensor dx = s.allocate(shape, Layout.NCHW);
            engine.softmaxBackward(y, s.fromArray(r, shape, Layout.NCHW), dx);
            ToDoubleFunction<float[][]> loss = v -> {
                try (TensorScope t = new TensorScope()) {
                    Tensor yt = t.allocate(shape, Layout.NCHW);
                    engine.softmaxForward(t.fromArray(v[0], shape, Layout.NCHW), yt);
                    return dot(yt.toArray(), r);
                }
            };
            check("softmax", dx.toArray(), numeric(new float[][] {xv}, 0, loss, 1e-3), 1e-3, 1e-3);
        }
    }

    @Test
    void softmaxCrossEntropyMatchesFiniteDifferencesAndDefinition() {
        Shape shape = Shape.of(4, 5);
        int[] labels = {0, 3, 4, 3};
        try (TensorScope s = new TensorScope()) {
            SplittableRandom rnd = new SplittableRandom(13);
            float[] z = random(rnd, 20, 4);
            Tensor dx = s.allocate(shape, Layout.NCHW);
            double total = engine.softmaxCrossEntropy(s.fromArray(z, shape, Layout.NCHW), labels, 0.25f, dx);
            double expected = 0;
            for (int i = 0; i < 4; i++) {
                double sum = 0;
                for (int j = 0; j < 5; j++) {
                    sum += Math.exp(z[i * 5 + j]);
                }
                expected += Math.log(sum) - z[i * 5 + labels[i]];
            }
            assertEquals(expected, total, 1e-9);
            ToDoubleFunction<float[][]> loss = v -> {
                try (TensorScope t = new TensorScope()) {
                    return 0.25 * engine.softmaxCrossEntropy(t.fromArray(v[0], shape, Layout.NCHW), labels, 1, null);
                }
            };
            check("softmax cross-entropy", dx.toArray(), numeric(new float[][] {z}, 0, loss, 1e-3), 1e-4, 1e-3);
            // Large logits do not overflow.
            float[] big = new float[20];
            big[3] = 1e4f;
            // Row 0's label is 0, so its loss is 1e4; rows 1–3 are uniform: ln 5 each.
            assertEquals(1e4 + 3 * Math.log(5), engine.softmaxCrossEntropy(s.fromArray(big, shape, Layout.NCHW),
                    labels, 1, null), 1e-6);
            int[] bad = {0, 5, 1, 1};
            var e = assertThrows(RuntimeException.class,
                    () -> engine.softmaxCrossEntropy(s.fromArray(z, shape, Layout.NCHW), bad, 1, null));
            assertTrue(e.getMessage().contains("label 5"), e.getMessage());
        }
    }

    @Test
    void backendsWithoutTrainingAreRefusedByName() {
        var noTraining = new dev.fovea.spi.Backend() {
            @Override
            public String name() {
                return "inference-only";
            }

            @Override
            public java.util.Set<dev.fovea.spi.Capability> capabilities() {
                return java.util.Set.of();
            }

            @Override
            public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
                throw new AssertionError();
            }

            @Override
            public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
                throw new AssertionError();
            }

            @Override
            public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
            }

            @Override
            public void activationForward(Activation a, Tensor x, Tensor y) {
            }

            @Override
            public void softmaxForward(Tensor x, Tensor y) {
            }

            @Override
            public void close() {
            }
        };
        Engine e = Engine.of(noTraining);
        try (TensorScope s = new TensorScope()) {
            Tensor t = s.allocate(Shape.of(2, 2), Layout.NCHW);
            var ex = assertThrows(UnsupportedOperationException.class, () -> e.activationBackward(Activation.RELU, t, t, t));
            assertTrue(ex.getMessage().contains("inference-only") && ex.getMessage().contains("TRAINING"), ex.getMessage());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Central differences of {@code loss} with respect to every element of {@code all[which]}. */
    private static double[] numeric(float[][] all, int which, ToDoubleFunction<float[][]> loss, double eps) {
        float[] v = all[which];
        double[] g = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            float orig = v[i];
            float plus = (float) (orig + eps);
            float minus = (float) (orig - eps);
            v[i] = plus;
            double lp = loss.applyAsDouble(all);
            v[i] = minus;
            double lm = loss.applyAsDouble(all);
            v[i] = orig;
            g[i] = (lp - lm) / ((double) plus - minus);
        }
        return g;
    }

    private static void check(String what, float[] analytic, double[] numeric, double atol, double rtol) {
        assertEquals(numeric.length, analytic.length, what + ": sizes");
        for (int i = 0; i < analytic.length; i++) {
            double err = Math.abs(analytic[i] - numeric[i]);
            if (err > atol + rtol * Math.abs(numeric[i])) {
                fail(what + ": element " + i + " analytic " + analytic[i] + " vs finite difference " + numeric[i]);
            }
        }
    }

    private static void check(String what, float[] a, float[] b, double atol, double rtol) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        check(what, a, d, atol, rtol);
    }

    private static float[] random(SplittableRandom rnd, long n, double scale) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }

    /** A random permutation of 0.1·(k − n/2). */
    private static float[] distinct(SplittableRandom rnd, long n) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (0.1 * (i - out.length / 2));
        }
        for (int i = out.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            float t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
