package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Capability;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every backward op against the reference backend (the oracle) on the forward tests' shapes: both layouts, every
 * padding mode, stride, dilation, groups, ceil mode, both average divisors, tails at every vector width, channel
 * slices as destinations; and determinism (same result run after run and for 1 or 2 threads).
 */
class BackwardTest {
    @Test
    void declaresTraining() {
        assertTrue(VECTOR.supportsTraining());
        assertTrue(VECTOR.backend().capabilities().contains(Capability.TRAINING));
    }

    @TestFactory
    Stream<DynamicTest> convolutionMatchesReference() {
        List<ConvolutionTest.Case> cases = new ArrayList<>(ConvolutionTest.cases());
        // The shapes of fashion-cnn's layers (small batch), and a large image that needs row-block filter tasks.
        cases.add(new ConvolutionTest.Case(3, 1, 64, 28, 28, 3, 3, 1, 1, 1, 1, 1, Padding.VALID, true,
                Activation.RELU, Layout.NHWC, false));
        cases.add(new ConvolutionTest.Case(3, 64, 64, 13, 13, 3, 3, 1, 1, 1, 1, 1, Padding.VALID, true,
                Activation.RELU, Layout.NHWC, false));
        cases.add(new ConvolutionTest.Case(1, 5, 7, 70, 40, 3, 3, 1, 1, 1, 1, 1, Padding.SAME, true,
                Activation.NONE, Layout.NCHW, true));
        // Data gradients computed as a Winograd forward convolution of dy: padded both sides, one side, none.
        cases.add(new ConvolutionTest.Case(2, 24, 16, 17, 15, 3, 3, 1, 1, 1, 1, 1, Padding.SAME, false,
                Activation.NONE, Layout.NCHW, true));
        cases.add(new ConvolutionTest.Case(2, 16, 32, 12, 19, 3, 3, 1, 1, 1, 1, 1, Padding.explicit(1, 0, 2, 1),
                true, Activation.RELU, Layout.NHWC, true));
        cases.add(new ConvolutionTest.Case(1, 17, 19, 14, 14, 3, 3, 1, 1, 1, 1, 1, Padding.FULL, true,
                Activation.NONE, Layout.NHWC, false));
        return cases.stream().map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> convolution(cs)));
    }

    static void convolution(ConvolutionTest.Case cs) {
        ConvolutionDescriptor op = ConvolutionTest.descriptor(cs);
        SplittableRandom rnd = new SplittableRandom(cs.seed());
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout());
            Tensor w = scope.fromArray(Oracle.random(rnd, op.weightShape().elementCount(), 0.5), op.weightShape(),
                    Layout.NCHW);
            Tensor dy = Oracle.tensor(scope, rnd, op.output(), cs.layout());
            Tensor dxRef = Oracle.poisoned(scope, op.input(), cs.layout());
            Tensor dwRef = Oracle.poisoned(scope, op.weightShape(), Layout.NCHW);
            REFERENCE.convolutionBackwardData(op, w, dy, dxRef);
            REFERENCE.convolutionBackwardFilter(op, x, dy, dwRef);
            Tensor[] dx = Oracle.destination(scope, op.input(), cs.layout(), cs.strided());
            Tensor dw = Oracle.poisoned(scope, op.weightShape(), Layout.NCHW);
            VECTOR.convolutionBackwardData(op, w, dy, dx[0]);
            VECTOR.convolutionBackwardFilter(op, x, dy, dw);
            Oracle.assertClose(cs + " dx", dxRef, dx[0]);
            if (cs.strided()) {
                Oracle.assertUntouchedOutside(cs + " dx", dx[1], op.input().c());
            }
            Oracle.assertClose(cs + " dw", dwRef, dw);
            if (cs.bias()) {
                Tensor dbRef = Oracle.poisoned(scope, op.biasShape(), Layout.NCHW);
                Tensor db = Oracle.poisoned(scope, op.biasShape(), Layout.NCHW);
                REFERENCE.convolutionBackwardBias(op, dy, dbRef);
                VECTOR.convolutionBackwardBias(op, dy, db);
                Oracle.assertClose(cs + " db", dbRef, db);
                // Both gradients from one read of dy: dw bit for bit the filter gradient's, db as close.
                Tensor dwBoth = Oracle.poisoned(scope, op.weightShape(), Layout.NCHW);
                Tensor dbBoth = Oracle.poisoned(scope, op.biasShape(), Layout.NCHW);
                VECTOR.convolutionBackwardWeights(op, x, dy, dwBoth, dbBoth);
                assertArrayEquals(dw.toArray(), dwBoth.toArray(), cs + " dw with db");
                Oracle.assertClose(cs + " db with dw", dbRef, dbBoth);
            }
            // Scratch and cached geometry hold no stale state: a second call gives the same bits.
            float[] first = dw.toArray();
            dw.fill(Float.NaN);
            VECTOR.convolutionBackwardFilter(op, x, dy, dw);
            assertArrayEquals(first, dw.toArray(), cs + " dw second call");
        }
    }

    @TestFactory
    Stream<DynamicTest> poolingMatchesReference() {
        List<PoolingTest.Case> cases = new ArrayList<>(PoolingTest.cases());
        cases.add(new PoolingTest.Case(Shape.of(3, 64, 26, 26), Layout.NHWC, PoolingParams.of(PoolingMode.MAX, 2, 2),
                false));
        cases.add(new PoolingTest.Case(Shape.of(3, 64, 11, 11), Layout.NHWC, PoolingParams.of(PoolingMode.MAX, 2, 2),
                true));
        return cases.stream().filter(cs -> PoolingTest.descriptor(cs) != null)
                .flatMap(cs -> Stream.of(false, true).map(ties -> DynamicTest.dynamicTest(cs + (ties ? " ties" : ""),
                        () -> pooling(cs, ties))));
    }

    /**
     * With {@code ties}, inputs take few distinct values so that max windows hold equal maxima, and every fifth is
     * NaN (which never displaces a window's first cell, and which no later cell displaces).
     */
    static void pooling(PoolingTest.Case cs, boolean ties) {
        PoolingDescriptor op = PoolingTest.descriptor(cs);
        SplittableRandom rnd = new SplittableRandom(cs.seed() + (ties ? 1 : 0));
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout());
            if (ties) {
                float[] v = x.toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = i % 5 == 3 ? Float.NaN : Math.round(v[i] * 1.5f);
                }
                x.copyFrom(v);
            }
            Tensor y = Oracle.poisoned(scope, op.output(), cs.layout());
            REFERENCE.poolingForward(op, x, y);
            Tensor dy = Oracle.tensor(scope, rnd, op.output(), cs.layout());
            Tensor expected = Oracle.poisoned(scope, op.input(), cs.layout());
            REFERENCE.poolingBackward(op, x, y, dy, expected);
            Tensor[] dx = Oracle.destination(scope, op.input(), cs.layout(), cs.strided());
            VECTOR.poolingBackward(op, x, y, dy, dx[0]);
            Oracle.assertClose(cs.toString(), expected, dx[0]);
            if (cs.strided()) {
                Oracle.assertUntouchedOutside(cs.toString(), dx[1], op.input().c());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> denseMatchesReference() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (int n : new int[] {1, 3, 17, 70}) {
            for (int f : new int[] {1, 7, 33, 300}) {
                for (int u : DenseAndElementwiseTest.TAILS) {
                    boolean bias = i % 3 != 0;
                    boolean withDx = i % 4 != 1;
                    boolean strided = i % 5 == 0;
                    i++;
                    String name = "dense n" + n + " f" + f + " u" + u + (bias ? " bias" : "") + (withDx ? "" : " no dx")
                            + (strided ? " strided" : "");
                    tests.add(DynamicTest.dynamicTest(name, () -> dense(n, f, u, bias, withDx, strided)));
                }
            }
        }
        return tests.stream();
    }

    static void dense(int n, int f, int u, boolean bias, boolean withDx, boolean strided) {
        DenseDescriptor op = DenseDescriptor.create("dense", Shape.of(n, f), u, bias, Activation.NONE);
        SplittableRandom rnd = new SplittableRandom(n * 31L + f * 7L + u);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = strided ? scope.fromArray(Oracle.random(rnd, (long) n * (f + 5), 1), Shape.of(n, f + 5),
                    Layout.NCHW).slice(1, 2, f) : Oracle.tensor(scope, rnd, op.input(), Layout.NCHW);
            Tensor w = scope.fromArray(Oracle.random(rnd, (long) f * u, 0.5), op.weightShape(), Layout.NCHW);
            Tensor dy = Oracle.tensor(scope, rnd, op.output(), Layout.NCHW);
            Tensor dxRef = withDx ? Oracle.poisoned(scope, op.input(), Layout.NCHW) : null;
            Tensor dwRef = Oracle.poisoned(scope, op.weightShape(), Layout.NCHW);
            Tensor dbRef = bias ? Oracle.poisoned(scope, Shape.of(u), Layout.NCHW) : null;
            REFERENCE.denseBackward(op, w, x, dy, dxRef, dwRef, dbRef);
            Tensor[] dx = withDx ? Oracle.destination(scope, op.input(), Layout.NCHW, strided) : new Tensor[2];
            Tensor dw = Oracle.poisoned(scope, op.weightShape(), Layout.NCHW);
            Tensor db = bias ? Oracle.poisoned(scope, Shape.of(u), Layout.NCHW) : null;
            VECTOR.denseBackward(op, w, x, dy, dx[0], dw, db);
            if (withDx) {
                Oracle.assertClose("dx", dxRef, dx[0]);
                if (strided) {
                    Oracle.assertUntouchedOutside("dx", dx[1], f);
                }
            }
            Oracle.assertClose("dw", dwRef, dw);
            if (bias) {
                Oracle.assertClose("db", dbRef, db);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> activationMatchesReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Activation act : Activation.values()) {
            if (!act.hasOutputGradient()) {
                continue; // the engine refuses their backward (it would need the activation's input)
            }
            for (Layout layout : Layout.values()) {
                for (int c : DenseAndElementwiseTest.TAILS) {
                    for (int mode = 0; mode < 3; mode++) {
                        int m = mode;
                        tests.add(DynamicTest.dynamicTest(act + " " + layout + " c" + c + " mode " + m,
                                () -> activation(act, layout, c, m)));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** Mode 0: dense tensors; 1: dx written over dy; 2: channel slices of wider tensors (element-wise path). */
    static void activation(Activation act, Layout layout, int c, int mode) {
        Shape shape = Shape.of(2, c, 5, 3);
        SplittableRandom rnd = new SplittableRandom(c * 13L + mode);
        try (TensorScope scope = new TensorScope()) {
            Tensor y = Oracle.tensor(scope, rnd, shape, layout);
            if (act == Activation.RELU) {
                float[] v = y.toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(0, v[i]);
                }
                y.copyFrom(v);
            }
            Tensor dy = Oracle.tensor(scope, rnd, shape, layout);
            Tensor expected = Oracle.poisoned(scope, shape, layout);
            REFERENCE.activationBackward(act, y, dy, expected);
            if (mode == 1) {
                VECTOR.activationBackward(act, y, dy, dy);
                Oracle.assertClose("in place", expected, dy);
            } else {
                Tensor[] dx = Oracle.destination(scope, shape, layout, mode == 2);
                VECTOR.activationBackward(act, y, dy, dx[0]);
                Oracle.assertClose(act.toString(), expected, dx[0]);
                if (mode == 2) {
                    Oracle.assertUntouchedOutside("activation", dx[1], c);
                }
            }
        }
    }

    @Test
    void largeActivationSplitsBetweenThreads() {
        Shape shape = Shape.of(4, 64, 26, 26);
        try (TensorScope scope = new TensorScope()) {
            SplittableRandom rnd = new SplittableRandom(3);
            Tensor y = Oracle.tensor(scope, rnd, shape, Layout.NHWC);
            Tensor dy = Oracle.tensor(scope, rnd, shape, Layout.NHWC);
            Tensor expected = Oracle.poisoned(scope, shape, Layout.NHWC);
            Tensor dx = Oracle.poisoned(scope, shape, Layout.NHWC);
            REFERENCE.activationBackward(Activation.TANH, y, dy, expected);
            VECTOR.activationBackward(Activation.TANH, y, dy, dx);
            Oracle.assertClose("tanh", expected, dx);
        }
    }

    @Test
    void softmaxAndCrossEntropyMatchReference() {
        for (int f : new int[] {1, 3, 10, 17, 33}) {
            int n = 7;
            SplittableRandom rnd = new SplittableRandom(f);
            try (TensorScope scope = new TensorScope()) {
                Tensor z = scope.fromArray(Oracle.random(rnd, (long) n * f, 8), Shape.of(n, f), Layout.NCHW);
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = rnd.nextInt(f);
                }
                Tensor dRef = Oracle.poisoned(scope, Shape.of(n, f), Layout.NCHW);
                Tensor d = Oracle.poisoned(scope, Shape.of(n, f), Layout.NCHW);
                double ref = REFERENCE.softmaxCrossEntropy(z, labels, 1f / n, dRef);
                double got = VECTOR.softmaxCrossEntropy(z, labels, 1f / n, d);
                assertEquals(ref, got, 1e-9 * Math.max(1, Math.abs(ref)));
                Oracle.assertClose("cross-entropy f" + f, dRef, d);
                assertEquals(ref, VECTOR.softmaxCrossEntropy(z, labels, 1f / n, null), 1e-9 * Math.max(1, ref));

                Tensor y = Oracle.poisoned(scope, Shape.of(n, f), Layout.NCHW);
                REFERENCE.softmaxForward(z, y);
                Tensor dy = Oracle.tensor(scope, rnd, Shape.of(n, f), Layout.NCHW);
                Tensor sRef = Oracle.poisoned(scope, Shape.of(n, f), Layout.NCHW);
                Tensor s = Oracle.poisoned(scope, Shape.of(n, f), Layout.NCHW);
                REFERENCE.softmaxBackward(y, dy, sRef);
                VECTOR.softmaxBackward(y, dy, s);
                Oracle.assertClose("softmax backward f" + f, sRef, s);
            }
        }
    }

    /** The weight gradients do not depend on the number of threads: tasks and their reduction order are fixed. */
    @Test
    void gradientsAreBitIdenticalForAnyThreadCount() {
        ConvolutionDescriptor conv = ConvolutionDescriptor.create("conv", Shape.of(16, 64, 13, 13), Layout.NHWC,
                ConvolutionParams.of(64, 3, 3).withActivation(Activation.RELU));
        DenseDescriptor dense = DenseDescriptor.create("dense", Shape.of(16, 300), 65, true, Activation.NONE);
        try (Engine one = Engine.open(VectorBackendProvider.NAME, new BackendOptions(1));
             TensorScope scope = new TensorScope()) {
            SplittableRandom rnd = new SplittableRandom(5);
            Tensor x = Oracle.tensor(scope, rnd, conv.input(), Layout.NHWC);
            Tensor w = scope.fromArray(Oracle.random(rnd, conv.weightShape().elementCount(), 0.5), conv.weightShape(),
                    Layout.NCHW);
            Tensor dy = Oracle.tensor(scope, rnd, conv.output(), Layout.NHWC);
            Tensor[] dw = new Tensor[2];
            Tensor[] dx = new Tensor[2];
            Engine[] engines = {one, VECTOR};
            for (int i = 0; i < 2; i++) {
                dw[i] = scope.allocate(conv.weightShape(), Layout.NCHW);
                dx[i] = scope.allocate(conv.input(), Layout.NHWC);
                engines[i].convolutionBackwardFilter(conv, x, dy, dw[i]);
                engines[i].convolutionBackwardData(conv, w, dy, dx[i]);
            }
            assertArrayEquals(dw[0].toArray(), dw[1].toArray(), "conv dw");
            assertArrayEquals(dx[0].toArray(), dx[1].toArray(), "conv dx");
            Tensor dx2 = Oracle.tensor(scope, rnd, dense.input(), Layout.NCHW);
            Tensor w2 = scope.fromArray(Oracle.random(rnd, 300 * 65, 0.5), dense.weightShape(), Layout.NCHW);
            Tensor dy2 = Oracle.tensor(scope, rnd, dense.output(), Layout.NCHW);
            float[][] grads = new float[2][];
            for (int i = 0; i < 2; i++) {
                Tensor gw = scope.allocate(dense.weightShape(), Layout.NCHW);
                Tensor gb = scope.allocate(Shape.of(65), Layout.NCHW);
                Tensor gx = scope.allocate(dense.input(), Layout.NCHW);
                engines[i].denseBackward(dense, w2, dx2, dy2, gx, gw, gb);
                grads[i] = concat(gw.toArray(), gb.toArray(), gx.toArray());
            }
            assertArrayEquals(grads[0], grads[1], "dense gradients");
        }
    }

    private static float[] concat(float[]... parts) {
        int size = 0;
        for (float[] p : parts) {
            size += p.length;
        }
        float[] out = new float[size];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
