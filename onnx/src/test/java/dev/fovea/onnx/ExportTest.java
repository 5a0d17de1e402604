package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Add;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Clip;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.LocalResponseNormalization;
import dev.fovea.nn.Model;
import dev.fovea.nn.Multiply;
import dev.fovea.nn.Pad;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Slice;
import dev.fovea.nn.Transpose;
import dev.fovea.nn.Value;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fovea models saved as ONNX: ONNX Runtime computes the same outputs from the file ({@code 1e-4 · max|out|}), and
 * loading the file back gives a model whose outputs are bit-identical to the original's on the same backend.
 */
class ExportTest {
    @TempDir
    Path dir;

    static java.util.Set<String> zoo() {
        return ModelZoo.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void zooModelRunsInOnnxRuntimeAndRoundTrips(String name) throws Exception {
        try (Model model = ModelZoo.build(name, 42)) {
            check(model, 3);
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void graphModelRunsInOnnxRuntimeAndRoundTrips(Layout layout) throws Exception {
        try (Model model = graph(layout)) {
            check(model, 2);
        }
    }

    @Test
    void savedFileNamesEveryWeight() throws Exception {
        try (Model model = graph(Layout.NCHW)) {
            Path file = dir.resolve("g.onnx");
            Onnx.save(model, file);
            var onnx = dev.fovea.onnx.format.OnnxReader.read(file);
            assertEquals(17, onnx.opsetVersion());
            assertTrue(onnx.graph().initializers().keySet().containsAll(model.namedWeights().keySet()),
                    onnx.graph().initializers().keySet().toString());
        }
    }

    private void check(Model model, int batch) throws Exception {
        Path file = dir.resolve(model.name() + ".onnx");
        Onnx.save(model, file);
        int[] d = model.inputShape(batch).dims();
        float[] nchw = random(batch * d[1] * d[2] * d[3]);
        try (Engine engine = Engine.open("vector"); Inference net = model.compile(engine);
             Model back = Onnx.load(file, model.layout()); Inference again = back.compile(engine);
             dev.fovea.tensor.TensorScope s = new dev.fovea.tensor.TensorScope()) {
            dev.fovea.tensor.Tensor x = s.fromArray(nchw, model.inputShape(batch), Layout.NCHW);
            float[] fovea = toNchw(net.predict(x, s));
            float[] ort = Ort.run(file, nchw, batch, d[1], d[2], d[3]);
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < ort.length; i++) {
                scale = Math.max(scale, Math.abs(ort[i]));
                worst = Math.max(worst, Math.abs(ort[i] - fovea[i]));
            }
            assertEquals(ort.length, fovea.length);
            assertTrue(worst <= 1e-4 * scale, model.name() + ": max |Fovea − ORT| " + worst + " > 1e-4 · " + scale);
            assertArrayEquals(fovea, toNchw(again.predict(x, s)), model.name() + ": export → import must be exact");
        }
    }

    /** Output values in logical (NCHW) order, as ONNX Runtime gives them. */
    private static float[] toNchw(dev.fovea.tensor.Tensor t) {
        try (dev.fovea.tensor.TensorScope s = new dev.fovea.tensor.TensorScope()) {
            dev.fovea.tensor.Tensor c = s.allocate(t.shape(), Layout.NCHW);
            dev.fovea.spi.HostCopy.copy(t, c);
            return c.toArray();
        }
    }

    private static float[] random(int n) {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** A graph using every exportable layer: residual, squeeze-excitation, batch norm, slices, LRN, pad. */
    static Model graph(Layout layout) {
        Graph g = Graph.builder("every-layer", layout);
        Value x = g.input("image", Input.image(12, 10, 3));
        Value a = Conv2D.of(8, 3).padding(Padding.SAME).useBias(false).apply(x);
        a = BatchNormalization.create().epsilon(1e-5f).apply(a);
        a = ActivationLayer.of(Activation.HARD_SWISH).apply(a);
        Value b = Conv2D.depthwise(3, 1).padding(Padding.SAME).activation(Activation.RELU6).apply(a);
        Value gate = Pooling2D.globalAverage().apply(b);
        gate = Conv2D.pointwise(8).activation(Activation.HARD_SIGMOID).apply(gate);
        b = Multiply.create().apply(b, gate);
        Value sum = Add.create().activation(Activation.SILU).apply(a, b);
        Value lrn = LocalResponseNormalization.of(3, 1e-2f, 0.75f, 2f).apply(sum);
        Value padded = Pad.of(new int[] {0, 1, 2}, new int[] {0, 2, 1}, 0.5f).apply(lrn);
        Value pooled = Pooling2D.average(3).stride(2).padding(Padding.explicit(1)).countIncludePad(true)
                .ceilMode(true).apply(padded);
        Value clipped = Clip.of(-0.3f, 0.8f).apply(Clip.affine(0.5f, 0.1f, 0f, 1f).apply(pooled));
        Value shuffled = Reshape.to(2, 4, pooled.shape().h(), pooled.shape().w()).apply(clipped);
        shuffled = Transpose.of(0, 2, 1, 3, 4).apply(shuffled);
        shuffled = Reshape.to(8, pooled.shape().h(), pooled.shape().w()).apply(shuffled);
        Value joined = Concatenate.create().apply(Slice.of(1, 0, 3).apply(shuffled), Slice.of(1, 5, 8).apply(pooled));
        Value max = Pooling2D.max(2).dilation(2, 1).apply(joined);
        Value logits = Dense.of(5).activation(Activation.TANH).apply(Reshape.to(-1).apply(max));
        Model m = g.outputs(logits).seed(3).build();
        SplittableRandom r = new SplittableRandom(9);
        for (var e : m.namedWeights().entrySet()) {
            if (e.getKey().endsWith("moving_variance") || e.getKey().endsWith("gamma")
                    || e.getKey().endsWith("moving_mean") || e.getKey().endsWith("beta")) {
                float[] v = new float[(int) e.getValue().shape().elementCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (e.getKey().endsWith("variance") || e.getKey().endsWith("gamma")
                            ? 0.5 + r.nextDouble() : r.nextDouble() - 0.5);
                }
                e.getValue().copyFrom(v);
            }
        }
        m.weightsChanged();
        return m;
    }
}
