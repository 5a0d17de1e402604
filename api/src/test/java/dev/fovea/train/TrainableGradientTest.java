package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Concat;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Softmax;
import dev.fovea.nn.Trainable;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Autodiff through whole models against central finite differences of the loss with respect to every weight:
 * convolutions (SAME, stride 2, groups, fused activations), max and average pooling (ceil mode), a concat whose
 * branches share the input (its gradient is the sum over branches), flatten, dense layers and a final softmax —
 * fused with the cross-entropy loss, or differentiated on its own under MSE.
 */
class TrainableGradientTest {
    private final Engine engine = Engine.open("reference");

    static Model model(Layout layout, boolean softmaxLayer) {
        Sequential b = Sequential.builder(Input.image(7, 6, 2), layout).seed(3)
                .add(Conv2D.of(4, 3).padding(Padding.SAME).stride(2).activation(Activation.TANH))
                .add(Pooling2D.max(2).stride(1).ceilMode(true))
                .add(Concat.of(List.<Layer>of(Conv2D.pointwise(2).activation(Activation.SIGMOID)),
                        List.<Layer>of(Pooling2D.average(3).stride(1).padding(Padding.SAME),
                                Conv2D.of(2, 2).groups(2).padding(Padding.SAME).activation(Activation.RELU)),
                        List.<Layer>of(Conv2D.of(2, 3).padding(Padding.SAME).useBias(false))))
                .add(Flatten.create())
                .add(Dense.of(5).activation(Activation.TANH));
        if (softmaxLayer) {
            b.add(Dense.of(3)).add(Softmax.create());
        } else {
            b.add(Dense.of(3).softmax());
        }
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void crossEntropyGradientsMatchFiniteDifferences(Layout layout) {
        checkModel(model(layout, false), Loss.softmaxCrossEntropy());
        checkModel(model(layout, true), Loss.softmaxCrossEntropy());
    }

    @Test
    void meanSquaredErrorThroughASoftmaxMatchesFiniteDifferences() {
        checkModel(model(Layout.NHWC, false), Loss.meanSquaredError());
    }

    private void checkModel(Model model, Loss loss) {
        int n = 3;
        int[] labels = {0, 2, 1};
        SplittableRandom rnd = new SplittableRandom(5);
        // Bigger initial weights than Glorot's make every layer's contribution visible in the gradients.
        for (Tensor w : model.namedWeights().values()) {
            float[] v = w.toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            w.copyFrom(v);
        }
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine)) {
            float[] xv = new float[n * 7 * 6 * 2];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            Tensor x = s.fromArray(xv, model.inputShape(n), Layout.NHWC);
            Loss.Targets targets = new Loss.Targets(labels, null);
            try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), 0)) {
                assertEquals(loss.wantsLogits(), pass.isLogits());
                Tensor d = pass.allocate(pass.output().shape());
                loss.compute(engine, pass.output(), targets, d);
                pass.backward(d);
            }
            int checked = 0;
            for (Map.Entry<String, Tensor> e : model.namedWeights().entrySet()) {
                float[] analytic = t.gradients().get(e.getKey()).toArray();
                Tensor w = e.getValue();
                float[] v = w.toArray();
                double maxAbs = 0;
                for (int i = 0; i < v.length; i++) {
                    float orig = v[i];
                    float plus = orig + 1e-3f;
                    float minus = orig - 1e-3f;
                    v[i] = plus;
                    w.copyFrom(v);
                    double lp = loss(t, x, loss, targets);
                    v[i] = minus;
                    w.copyFrom(v);
                    double lm = loss(t, x, loss, targets);
                    v[i] = orig;
                    w.copyFrom(v);
                    double numeric = (lp - lm) / ((double) plus - minus);
                    maxAbs = Math.max(maxAbs, Math.abs(numeric));
                    if (Math.abs(numeric - analytic[i]) > 2e-3 + 2e-2 * Math.abs(numeric)) {
                        fail(model.layout() + " " + loss + ": " + e.getKey() + "[" + i + "] analytic " + analytic[i]
                                + " vs finite difference " + numeric);
                    }
                    checked++;
                }
                assertTrue(maxAbs > 1e-4, e.getKey() + ": gradients all ~0, the check would be vacuous");
            }
            assertEquals(model.parameterCount(), checked);
        }
    }

    private static double loss(Trainable t, Tensor x, Loss loss, Loss.Targets targets) {
        t.weightsChanged();
        try (Trainable.Pass p = t.forward(x, false, loss.wantsLogits(), 0)) {
            return loss.compute(t.engine(), p.output(), targets, null);
        }
    }

    @Test
    void dropoutIsActiveOnlyInTrainingAndSeeded() {
        Model m = Sequential.builder(Input.image(4, 4, 1), Layout.NCHW)
                .add(Flatten.create()).add(Dropout.of(0.5)).add(Dense.of(16).useBias(false)).build();
        float[] id = new float[256];
        for (int i = 0; i < 16; i++) {
            id[i * 16 + i] = 1;
        }
        m.setWeights("dense", List.of(id));
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(m, engine)) {
            Tensor x = s.allocate(m.inputShape(8), Layout.NCHW);
            x.fill(1);
            float[] eval = out(t, x, false, 1);
            for (float v : eval) {
                assertEquals(1f, v);
            }
            float[] a = out(t, x, true, 1);
            float[] b = out(t, x, true, 1);
            float[] c = out(t, x, true, 2);
            assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), "same seed, same mask");
            assertTrue(!java.util.Arrays.equals(a, c), "another seed, another mask");
            int zeros = 0;
            for (float v : a) {
                assertTrue(v == 0 || v == 2f, "kept inputs are scaled by 1/(1 - rate): " + v);
                zeros += v == 0 ? 1 : 0;
            }
            assertTrue(zeros > 30 && zeros < 98, "about half dropped: " + zeros + " of 128");
            // Backward routes gradients only through kept inputs.
            try (Trainable.Pass p = t.forward(x, true, false, 1)) {
                Tensor d = p.allocate(p.output().shape());
                d.fill(1);
                p.backward(d);
            }
            float[] g = t.gradients().get("dense.kernel").toArray();
            // dW[e, j] = Σ_n x_dropped[n, e]·1: 2 × (number of items keeping feature e).
            double total = 0;
            for (float v : g) {
                total += v;
            }
            double kept = 0;
            for (float v : a) {
                kept += v;
            }
            assertEquals(kept * 16, total, 1e-3);
        }
    }

    private static float[] out(Trainable t, Tensor x, boolean training, long seed) {
        try (Trainable.Pass p = t.forward(x, training, false, seed)) {
            return p.output().toArray();
        }
    }

    @Test
    void backwardNeedsATrainingPassAndTheOutputShape() {
        Model m = model(Layout.NHWC, false);
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(m, engine)) {
            Tensor x = s.allocate(m.inputShape(2), Layout.NHWC);
            try (Trainable.Pass p = t.forward(x, false, true, 0)) {
                assertThrows(IllegalStateException.class, () -> p.backward(p.output()));
            }
            try (Trainable.Pass p = t.forward(x, true, true, 0)) {
                Tensor wrong = s.allocate(Shape.of(2, 4), Layout.NCHW);
                assertThrows(RuntimeException.class, () -> p.backward(wrong));
            }
        }
    }
}
