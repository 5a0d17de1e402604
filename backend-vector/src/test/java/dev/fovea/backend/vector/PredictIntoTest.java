package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.nn.*;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Inference#predictInto}: the caller's input and output tensors, used in place or copied, give what
 * {@code predict} gives, call after call, and bad tensors are refused before anything runs.
 */
class PredictIntoTest {
    private static Model convNet(Layout layout) {
        return Sequential.builder(Input.image(6, 5, 3), layout).name("small-conv").seed(11)
                .add(Conv2D.of(4, 3).padding(Padding.SAME).activation(Activation.RELU))
                .add(Conv2D.of(2, 1))
                .build();
    }

    /** Two outputs; the first is also read by a later layer. */
    private static Model twoOutputs(Layout layout) {
        Graph g = Graph.builder("two-outputs", layout);
        Value x = g.input("image", Input.image(5, 5, 2));
        Value features = Conv2D.of(3, 3).padding(Padding.SAME).apply(x);
        Value relu = ActivationLayer.relu().apply(features);
        Value logits = Dense.of(4).apply(Reshape.to(-1).apply(Pooling2D.max(2).apply(relu)));
        return g.outputs(features, logits).seed(5).build();
    }

    private static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    /** {@code t}'s values in logical (NCHW) order, whatever its layout. */
    private static float[] logical(Tensor t, TensorScope s) {
        Tensor n = s.allocate(t.shape(), Layout.NCHW);
        for (int i = 0; i < t.shape().dim(0); i++) {
            if (t.shape().rank() == 2) {
                for (int j = 0; j < t.shape().dim(1); j++) {
                    n.set(t.get(i, j), i, j);
                }
                continue;
            }
            for (int c = 0; c < t.shape().dim(1); c++) {
                for (int h = 0; h < t.shape().dim(2); h++) {
                    for (int w = 0; w < t.shape().dim(3); w++) {
                        n.set(t.get(i, c, h, w), i, c, h, w);
                    }
                }
            }
        }
        return n.toArray();
    }

    @Test
    void givesWhatPredictGivesForEveryLayoutOfTheCallersTensors() {
        for (Layout tensors : Layout.values()) {
            givesWhatPredictGives(tensors);
        }
    }

    private static void givesWhatPredictGives(Layout tensors) {
        for (String backend : List.of("reference", "vector")) {
            try (Model m = convNet(Layout.NHWC); Engine e = Engine.open(backend); Inference net = m.compile(e);
                 TensorScope s = new TensorScope()) {
                for (int call = 0; call < 3; call++) { // new values each call, the same tensors
                    float[] data = random(m.inputShape(2).elementCount(), call);
                    Tensor x = s.fromArray(data, m.inputShape(2), Layout.NHWC);
                    Tensor xIn = s.allocate(m.inputShape(2), tensors);
                    e.copy(x, xIn);
                    float[] before = xIn.toArray();
                    Tensor y = s.allocate(m.outputShape(2), tensors);
                    net.predictInto(xIn, y);
                    Tensor expected = net.predict(x, s);
                    assertArrayEquals(logical(expected, s), logical(y, s), 1e-6f, backend + " call " + call);
                    assertArrayEquals(before, xIn.toArray(), backend + ": the input is only read");
                    assertArrayEquals(expected.toArray(), net.predict(data, 2), 1e-6f, backend + ": predict(float[])");
                }
            }
        }
    }

    @Test
    void reusedTensorsFollowNewInputsAndMixWithOtherCalls() {
        try (Model m = convNet(Layout.NHWC); Engine e = Engine.open("vector"); Inference net = m.compile(e);
             TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(m.inputShape(3), Layout.NHWC);
            Tensor y = s.allocate(m.outputShape(3), Layout.NHWC);
            for (int call = 0; call < 4; call++) {
                float[] data = random(x.shape().elementCount(), 100 + call);
                x.copyFrom(data);
                net.predictInto(x, y);
                float[] viaArray = net.predict(data, 3); // the other kind of pass in between
                assertArrayEquals(viaArray, y.toArray(), 1e-6f, "call " + call);
                assertTrue(java.util.Arrays.stream(box(viaArray)).anyMatch(v -> v != 0), "a real output");
            }
        }
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @Test
    void everyOutputIsWrittenEvenOneALaterLayerReads() {
        try (Model m = twoOutputs(Layout.NHWC); Engine e = Engine.open("vector"); Inference net = m.compile(e);
             TensorScope s = new TensorScope()) {
            Tensor x = s.fromArray(random(m.inputShape(2).elementCount(), 9), m.inputShape(2), Layout.NHWC);
            Tensor features = s.allocate(m.outputShape(0, 2), Layout.NHWC);
            Tensor logits = s.allocate(m.outputShape(1, 2), Layout.NHWC);
            net.predictAllInto(List.of(x), List.of(features, logits));
            List<Tensor> expected = net.predictAll(List.of(x), s);
            assertArrayEquals(expected.get(0).toArray(), features.toArray(), 1e-6f);
            assertArrayEquals(expected.get(1).toArray(), logits.toArray(), 1e-6f);
        }
    }

    /** predict's results are tensors of their own (the last layers write into them): a later pass leaves them be. */
    @Test
    void predictResultsMatchTheReferenceAndOutliveTheNextPass() {
        try (Model m = twoOutputs(Layout.NHWC); Engine e = Engine.open("vector"); Engine ref = Engine.open("reference");
             Inference net = m.compile(e); Inference oracle = m.compile(ref); TensorScope s = new TensorScope()) {
            Tensor x = s.fromArray(random(m.inputShape(2).elementCount(), 9), m.inputShape(2), Layout.NHWC);
            Tensor other = s.fromArray(random(m.inputShape(2).elementCount(), 10), m.inputShape(2), Layout.NHWC);
            List<Tensor> got = net.predictAll(List.of(x), s);
            Tensor first = net.predict(x, s);
            float[][] values = {got.get(0).toArray(), got.get(1).toArray(), first.toArray()};
            net.predictAll(List.of(other), s);
            net.predict(other, s);
            List<Tensor> want = oracle.predictAll(List.of(x), s);
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(values[k], got.get(k).toArray(), "output " + k + " changed by the next pass");
                assertArrayEquals(want.get(k).toArray(), values[k], 1e-5f, "output " + k);
            }
            assertArrayEquals(values[2], first.toArray(), "predict's result changed by the next pass");
            assertArrayEquals(values[0], values[2], "predict gives the first output");
        }
    }

    @Test
    void badTensorsAreRefusedBeforeAnythingRuns() {
        try (Model m = convNet(Layout.NHWC); Engine e = Engine.open("vector"); Inference net = m.compile(e);
             TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(m.inputShape(2), Layout.NHWC);
            Tensor wrongBatch = s.allocate(m.outputShape(3), Layout.NHWC);
            wrongBatch.fill(7);
            ValidationException bad = assertThrows(ValidationException.class, () -> net.predictInto(x, wrongBatch));
            assertTrue(bad.getMessage().contains("small-conv") && bad.getMessage().contains("output shape")
                    && bad.getMessage().contains(m.outputShape(2).toString()), bad.getMessage());
            assertEquals(7f, wrongBatch.get(0, 0, 0, 0), "nothing written");

            // An output over the input's memory (its first elements seen with the output's shape).
            Tensor input = s.allocate(m.inputShape(2), Layout.NHWC);
            Tensor alias = Tensor.wrap(m.outputShape(2), Layout.NHWC, input.buffer(), s, true);
            ValidationException shared = assertThrows(ValidationException.class, () -> net.predictInto(input, alias));
            assertTrue(shared.getMessage().contains("shares memory"), shared.getMessage());

            // Two disjoint batch slices of one buffer are fine.
            Tensor both = s.allocate(Shape.of(4, 2, 6, 5), Layout.NHWC);
            Tensor y0 = both.batchSlice(0, 2);
            Tensor y1 = both.batchSlice(2, 2);
            x.copyFrom(random(x.shape().elementCount(), 1));
            net.predictInto(x, y1);
            net.predictInto(x, y0);
            assertArrayEquals(y0.toArray(), y1.toArray());

            assertThrows(ValidationException.class, () -> net.predictAllInto(List.of(x), List.of(y0, y1)));
            assertThrows(NullPointerException.class, () -> net.predictInto(x, null));
        }
    }
}
