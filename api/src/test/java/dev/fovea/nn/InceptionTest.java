package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * GoogLeNet's inception 3a: 28×28×192 → 28×28×256, and every branch's channels land in their slice — checked by
 * running each branch alone as its own model with the same weights.
 */
class InceptionTest {
    private static final int H = 28;
    private static final int W = 28;
    private static final int C = 192;

    private static Conv2D conv(int filters, int k) {
        return Conv2D.of(filters, k).padding(Padding.SAME).activation(Activation.RELU);
    }

    @Test
    void googlenet3aShapesAndParameters() {
        try (Model m = Sequential.builder(Input.image(H, W, C), Layout.NHWC)
                .add(Inception.googlenet(64, 96, 128, 16, 32, 32)).build()) {
            assertEquals(Shape.of(1, 256, 28, 28), m.outputShape(1));
            LayerInfo module = m.layers().stream().filter(r -> r.depth() == 0).findFirst().orElseThrow();
            assertEquals("Inception", module.type());
            assertEquals("(None, 28, 28, 256)", module.outputShape());
            List<LayerInfo> branch = m.layers().stream().filter(r -> r.depth() == 1).toList();
            assertEquals(List.of("(None, 28, 28, 64)", "(None, 28, 28, 96)", "(None, 28, 28, 128)",
                    "(None, 28, 28, 16)", "(None, 28, 28, 32)", "(None, 28, 28, 192)", "(None, 28, 28, 32)"),
                    branch.stream().map(LayerInfo::outputShape).toList());
            assertEquals(List.of("Conv2D", "Conv2D", "Conv2D", "Conv2D", "Conv2D", "MaxPooling2D", "Conv2D"),
                    branch.stream().map(LayerInfo::type).toList());
            // (192+1)*64 + (192+1)*96 + (96*9+1)*128 + (192+1)*16 + (16*25+1)*32 + (192+1)*32
            assertEquals(163_696, m.parameterCount());
            assertTrue(m.summary().contains("Total params: 163,696"), m.summary());
        }
        try (Model seed0 = Sequential.builder(Input.image(H, W, C), Layout.NHWC)
                .add(Inception.module(64, 96, 128, 16, 32, 32, PoolingMode.AVERAGE)).build()) {
            assertEquals(Shape.of(1, 256, 28, 28), seed0.outputShape(1));
            assertTrue(seed0.layers().stream().anyMatch(r -> r.type().equals("AveragePooling2D")));
        }
    }

    @Test
    void eachBranchLandsInItsChannelSlice() {
        List<List<Layer>> branches = List.of(
                List.of(conv(64, 1)),
                List.of(conv(96, 1), conv(128, 3)),
                List.of(conv(16, 1), conv(32, 5)),
                List.of(Pooling2D.max(3).stride(1).padding(Padding.SAME), conv(32, 1)));
        int[] widths = {64, 128, 32, 32};
        SplittableRandom rnd = new SplittableRandom(11);
        try (Model m = Sequential.builder(Input.image(H, W, C), Layout.NHWC).seed(3)
                .add(Inception.googlenet(64, 96, 128, 16, 32, 32)).build();
             Engine e = Engine.open("reference"); TensorScope s = new TensorScope()) {
            List<String> names = m.layers().stream().filter(r -> r.depth() == 1).map(LayerInfo::name).toList();
            assertEquals(7, names.size());
            // non-zero biases so that a bias in the wrong slice would show
            for (String n : names) {
                List<float[]> w = m.getWeights(n);
                if (w.size() == 2) {
                    float[] b = w.get(1);
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (float) (rnd.nextDouble() * 0.2 - 0.05);
                    }
                    m.setWeights(n, List.of(w.get(0), b));
                }
            }
            Tensor x = s.allocate(m.inputShape(1), Layout.NHWC);
            float[] px = new float[H * W * C];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            x.copyFrom(px);
            Tensor y;
            try (Inference net = m.compile(e)) {
                y = net.predict(x, s);
            }
            assertEquals(Shape.of(1, 256, 28, 28), y.shape());
            int offset = 0;
            int row = 0;
            for (int b = 0; b < branches.size(); b++) {
                Sequential seq = Sequential.builder(Input.image(H, W, C), Layout.NHWC);
                branches.get(b).forEach(seq::add);
                try (Model alone = seq.build()) {
                    List<LayerInfo> rows = alone.layers();
                    for (int i = 0; i < rows.size(); i++) {
                        List<float[]> w = m.getWeights(names.get(row + i));
                        if (!w.isEmpty()) {
                            alone.setWeights(rows.get(i).name(), w);
                        }
                    }
                    row += rows.size();
                    Tensor want;
                    try (Inference run = alone.compile(e)) {
                        want = run.predict(x, s);
                    }
                    assertEquals(widths[b], want.shape().c());
                    float[] expected = want.toArray();
                    float[] got = y.channelSlice(offset, widths[b]).toArray();
                    assertArrayEquals(expected, got, "branch " + b + " at channels [" + offset + ", "
                            + (offset + widths[b]) + ")");
                    long positive = 0;
                    for (float v : expected) {
                        positive += v > 0 ? 1 : 0;
                    }
                    assertTrue(positive > expected.length / 10, "branch " + b + " output almost all zero");
                }
                offset += widths[b];
            }
            assertEquals(256, offset);
            assertEquals(7, row);
        }
    }

    /** The same module (same seed, so the same logical weights) gives the same logical output in both layouts. */
    @Test
    void nchwAndNhwcAgree() {
        try (Model a = Sequential.builder(Input.image(9, 7, 12), Layout.NHWC).seed(5)
                .add(Inception.module(4, 6, 8, 2, 3, 5, PoolingMode.AVERAGE)).build();
             Model b = Sequential.builder(Input.image(9, 7, 12), Layout.NCHW).seed(5)
                .add(Inception.module(4, 6, 8, 2, 3, 5, PoolingMode.AVERAGE)).build();
             Engine e = Engine.open("reference"); Inference na = a.compile(e); Inference nb = b.compile(e);
             TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(Shape.of(2, 12, 9, 7), Layout.NCHW);
            SplittableRandom rnd = new SplittableRandom(1);
            float[] px = new float[2 * 12 * 9 * 7];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            x.copyFrom(px);
            Tensor ya = na.predict(x, s);
            Tensor yb = nb.predict(x, s);
            assertEquals(Layout.NHWC, ya.layout());
            assertEquals(Layout.NCHW, yb.layout());
            assertEquals(Shape.of(2, 20, 9, 7), ya.shape());
            Tensor converted = s.allocate(ya.shape(), Layout.NCHW);
            e.copy(ya, converted);
            assertArrayEquals(yb.toArray(), converted.toArray(), 1e-6f);
        }
    }
}
