package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * torchvision's CNNs, exported by {@code onnx-models/export_torchvision.py} with seeded random weights and
 * batch-norm statistics, imported and run by Fovea and by ONNX Runtime on the same file and input: the outputs
 * agree within {@code 1e-4 · max|ORT|} and give the same top-5 classes, at batch 1 and 3.
 */
class TorchvisionTest {
    /** Models under 2 GFLOP per image also run on the (slow, double-precision) reference backend. */
    private static final java.util.Set<String> SMALL = java.util.Set.of("resnet18", "googlenet", "mobilenet_v2",
            "mobilenet_v3_small", "squeezenet1_1", "alexnet", "efficientnet_b0", "shufflenet_v2_x1_0");

    static java.util.stream.Stream<String> files() {
        return TorchvisionModels.names().stream().flatMap(m -> java.util.stream.Stream.of(m + "-op13", m + "-op17"));
    }

    @ParameterizedTest(name = "{0} on vector")
    @MethodSource("files")
    void vectorMatchesOnnxRuntime(String file) throws Exception {
        check(file, "vector", Layout.NCHW);
    }

    /**
     * Models whose channels-last runs take kernels that NCHW storage does not (depthwise, grouped, ResNet's
     * filter-sliced late stages); checked in that storage order too.
     */
    private static final java.util.Set<String> CHANNELS_LAST = java.util.Set.of("resnet18", "mobilenet_v2",
            "efficientnet_b0", "shufflenet_v2_x1_0", "mobilenet_v3_small");

    @ParameterizedTest(name = "{0} on vector, channels-last")
    @MethodSource("files")
    void vectorChannelsLastMatchesOnnxRuntime(String file) throws Exception {
        Assumptions.assumeTrue(file.endsWith("-op17") && CHANNELS_LAST.contains(file.substring(0,
                file.lastIndexOf('-'))), "channels-last: one opset of the models with kernels of their own");
        check(file, "vector", Layout.NHWC);
    }

    @ParameterizedTest(name = "{0} on reference")
    @MethodSource("files")
    void referenceMatchesOnnxRuntime(String file) throws Exception {
        Assumptions.assumeTrue(SMALL.contains(file.substring(0, file.lastIndexOf('-'))),
                "the reference backend runs the models under 2 GFLOP per image only");
        check(file, "reference", Layout.NCHW);
    }

    /** Fovea stores the activations in {@code layout}; its input and a rank-4 output are reordered to compare. */
    private static void check(String file, String backend, Layout layout) throws Exception {
        Path path = TorchvisionModels.file(file);
        try (Model model = Onnx.load(path, layout); Engine engine = Engine.open(backend);
             Inference net = model.compile(engine)) {
            for (int batch : new int[] {1, 3}) {
                int[] dims = model.inputShape(batch).dims();
                float[] x = input(batch * dims[1] * dims[2] * dims[3], batch);
                float[] ort = Ort.run(path, x, batch, dims[1], dims[2], dims[3]);
                Shape out = model.outputShape(batch);
                float[] fovea = layout == Layout.NCHW ? net.predict(x, batch)
                        : toNchw(net.predict(toNhwc(x, model.inputShape(batch)), batch), out);
                assertEquals(ort.length, fovea.length, file + ": output size");
                double scale = 0;
                double worst = 0;
                for (int i = 0; i < ort.length; i++) {
                    scale = Math.max(scale, Math.abs(ort[i]));
                }
                for (int i = 0; i < ort.length; i++) {
                    worst = Math.max(worst, Math.abs(ort[i] - fovea[i]));
                }
                assertTrue(worst <= 1e-4 * scale, file + " batch " + batch + " on " + backend + ": max |Fovea − ORT| "
                        + worst + " > 1e-4 · max|ORT| = " + 1e-4 * scale);
                int classes = ort.length / batch;
                for (int b = 0; b < batch; b++) {
                    assertArrayEquals(top5(ort, b * classes, classes), top5(fovea, b * classes, classes),
                            file + " batch " + batch + " image " + b + ": top-5 classes");
                }
            }
        }
    }

    private static float[] toNhwc(float[] a, Shape s) {
        float[] out = new float[a.length];
        int hw = s.h() * s.w();
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < hw; p++) {
                    out[(i * hw + p) * s.c() + ch] = a[(i * s.c() + ch) * hw + p];
                }
            }
        }
        return out;
    }

    /** A rank-4 output back in NCHW order; other ranks are stored alike in both layouts. */
    private static float[] toNchw(float[] a, Shape s) {
        if (s.rank() != 4) {
            return a;
        }
        float[] out = new float[a.length];
        int hw = s.h() * s.w();
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < hw; p++) {
                    out[(i * s.c() + ch) * hw + p] = a[(i * hw + p) * s.c() + ch];
                }
            }
        }
        return out;
    }

    /** Pixels as a normalised photo would give: roughly N(0, 1), seeded by the batch size. */
    private static float[] input(int count, int batch) {
        SplittableRandom r = new SplittableRandom(1000 + batch);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    private static int[] top5(float[] v, int from, int n) {
        return IntStream.range(0, n).boxed().sorted((a, b) -> Float.compare(v[from + b], v[from + a])).limit(5)
                .mapToInt(Integer::intValue).toArray();
    }
}
