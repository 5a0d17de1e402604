package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.Clip;
import dev.fovea.nn.LocalResponseNormalization;
import dev.fovea.nn.Pad;
import dev.fovea.nn.Transpose;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Multiply;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Slice;
import dev.fovea.nn.Trainable;
import dev.fovea.nn.Value;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Training graphs that are not chains: residual connections (a value read by two layers gets the sum of their
 * gradients), element-wise products, concatenation, slicing and reshaping, checked against central finite
 * differences of the loss on the reference backend, and trained until the loss drops.
 */
class TrainableGraphTest {
    private static final int H = 5;
    private static final int W = 5;
    private static final int C = 2;
    private final Engine engine = Engine.open("reference");

    /** Conv → Conv → Add(skip from the first conv) → Dense: the first conv's output is read twice. */
    static Model residual(Layout layout, boolean softmax) {
        Graph g = Graph.builder("residual", layout);
        Value x = g.input("image", Input.image(H, W, C));
        Value stem = Conv2D.of(3, 3).padding(Padding.SAME).activation(Activation.TANH).apply(x);
        Value branch = Conv2D.of(3, 3).padding(Padding.SAME).apply(stem);
        Value sum = Add.create().activation(Activation.TANH).apply(stem, branch);
        Dense head = softmax ? Dense.of(3).softmax() : Dense.of(3);
        return g.outputs(head.apply(Flatten.create().apply(sum))).seed(11).build();
    }

    /** Multiply, Slice, Concatenate and Reshape in one graph; the conv output {@code a} is read three times. */
    static Model merges(Layout layout) {
        Graph g = Graph.builder("merges", layout);
        Value x = g.input("image", Input.image(H, W, C));
        Value a = Conv2D.of(3, 3).padding(Padding.SAME).activation(Activation.TANH).apply(x);
        Value b = Conv2D.of(2, 1).activation(Activation.SIGMOID).apply(x);
        Value part = Slice.of(1, 1, 3).apply(a);
        Value gated = Multiply.create().apply(part, b);
        Value joined = Concatenate.create().apply(a, gated, Add.create().apply(a, a));
        Value flat = Reshape.to(-1).apply(joined);
        return g.outputs(Dense.of(3).softmax().apply(flat)).seed(12).build();
    }

    /**
     * The imported networks' operators: broadcast Add and Multiply (squeeze-excitation style), Pad, Transpose,
     * Clip, LRN and the activations whose gradient needs their input.
     */
    static Model importedOps(Layout layout, Activation act) {
        Graph g = Graph.builder("imported-ops", layout);
        Value x = g.input("image", Input.image(H, W, C));
        Value a = Conv2D.of(3, 3).padding(Padding.SAME).apply(x);
        a = ActivationLayer.of(act).apply(a);
        Value gate = Pooling2D.globalAverage().apply(a);
        Value scaled = Multiply.create().apply(a, gate);
        Value bias = Conv2D.pointwise(3).apply(Pooling2D.globalMax().apply(x));
        Value shifted = Add.create().apply(bias, scaled);
        Value padded = Pad.of(new int[] {1, 2, 0}, new int[] {0, 1, 1}, 0.5f).apply(shifted);
        Value clipped = Clip.affine(0.8f, 0.1f, -0.6f, 0.7f).apply(padded);
        Value normalized = LocalResponseNormalization.of(3, 0.5f, 0.75f, 1.5f).apply(clipped);
        Value turned = Transpose.of(0, 2, 3, 1).apply(normalized);
        return g.outputs(Dense.of(3).softmax().apply(Flatten.create().apply(turned))).seed(13).build();
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void importedOperatorsGradientsMatchFiniteDifferences(Layout layout) {
        for (Activation act : List.of(Activation.RELU6, Activation.HARD_SIGMOID, Activation.HARD_SWISH,
                Activation.SILU)) {
            checkGradients(importedOps(layout, act), Loss.softmaxCrossEntropy());
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void residualGradientsMatchFiniteDifferences(Layout layout) {
        checkGradients(residual(layout, true), Loss.softmaxCrossEntropy());
        checkGradients(residual(layout, false), Loss.meanSquaredError());
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void multiplySliceConcatenateReshapeGradientsMatchFiniteDifferences(Layout layout) {
        checkGradients(merges(layout), Loss.softmaxCrossEntropy());
    }

    @Test
    void aValueReadTwiceGetsTheSumOfBothGradients() {
        // conv → Add(c, c) → dense W is conv → dense 2W: the same outputs, and the conv's gradient is exactly the
        // same when the two gradients of c are summed (doubling is exact in floating point).
        Graph g = Graph.builder("twice", Layout.NHWC);
        Value x = g.input("image", Input.image(H, W, C));
        Value c = Conv2D.of(2, 3).padding(Padding.SAME).apply(x);
        Model twice = g.outputs(Dense.of(3).apply(Flatten.create().apply(Add.create().apply(c, c)))).seed(4).build();
        Graph g2 = Graph.builder("once", Layout.NHWC);
        Value x2 = g2.input("image", Input.image(H, W, C));
        Value c2 = Conv2D.of(2, 3).padding(Padding.SAME).apply(x2);
        Model once = g2.outputs(Dense.of(3).apply(Flatten.create().apply(c2))).seed(4).build();
        once.setWeights("conv2d", twice.getWeights("conv2d"));
        List<float[]> dense = twice.getWeights("dense");
        float[] kernel = dense.get(0).clone();
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] *= 2;
        }
        once.setWeights("dense", List.of(kernel, dense.get(1)));
        try (TensorScope s = new TensorScope(); Trainable a = Trainable.of(twice, engine);
             Trainable b = Trainable.of(once, engine)) {
            Tensor input = randomInput(s, twice, 3, new SplittableRandom(8));
            backward(a, input, Loss.meanSquaredError());
            backward(b, input, Loss.meanSquaredError());
            float[] ga = a.gradients().get("conv2d.kernel").toArray();
            float[] gb = b.gradients().get("conv2d.kernel").toArray();
            assertArrayEquals(gb, ga);
            assertTrue(Math.abs(ga[0]) > 0, "a vacuous comparison");
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void aResidualGraphLearnsRandomLabels(Layout layout) {
        Model model = residual(layout, true);
        Loss loss = Loss.softmaxCrossEntropy();
        int n = 8;
        int[] labels = {0, 1, 2, 0, 1, 2, 1, 0};
        try (TensorScope s = new TensorScope(); Trainable t = Trainable.of(model, engine)) {
            Tensor x = randomInput(s, model, n, new SplittableRandom(21));
            Loss.Targets targets = new Loss.Targets(labels, null);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 40; step++) {
                try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), step)) {
                    Tensor d = pass.allocate(pass.output().shape());
                    last = loss.compute(engine, pass.output(), targets, d);
                    pass.backward(d);
                }
                if (step == 0) {
                    first = last;
                }
                for (Map.Entry<String, Tensor> e : model.namedWeights().entrySet()) {
                    float[] w = e.getValue().toArray();
                    float[] gr = t.gradients().get(e.getKey()).toArray();
                    for (int i = 0; i < w.length; i++) {
                        w[i] -= 0.5f * gr[i];
                    }
                    e.getValue().copyFrom(w);
                }
                t.weightsChanged();
            }
            assertTrue(last < 0.5 * first, "loss " + first + " → " + last);
        }
    }

    private void backward(Trainable t, Tensor x, Loss loss) {
        int n = x.shape().n();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), 0)) {
            Tensor d = pass.allocate(pass.output().shape());
            loss.compute(engine, pass.output(), new Loss.Targets(labels, null), d);
            pass.backward(d);
        }
    }

    private static Tensor randomInput(TensorScope s, Model model, int n, SplittableRandom rnd) {
        float[] xv = new float[Math.toIntExact(model.inputShape(n).elementCount())];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return s.fromArray(xv, model.inputShape(n), Layout.NHWC);
    }

    private void checkGradients(Model model, Loss loss) {
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
            Tensor x = randomInput(s, model, n, rnd);
            Loss.Targets targets = new Loss.Targets(labels, null);
            try (Trainable.Pass pass = t.forward(x, true, loss.wantsLogits(), 0)) {
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
                        fail(model.name() + " " + model.layout() + " " + loss + ": " + e.getKey() + "[" + i
                                + "] analytic " + analytic[i] + " vs finite difference " + numeric);
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
}
