package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Padding;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad models fail when built, naming the layer, the parameter and the numbers. */
class ModelValidationTest {

    private static ValidationException build(Sequential s) {
        return assertThrows(ValidationException.class, s::build);
    }

    private static Sequential mnistInput() {
        return Sequential.builder(Input.image(28, 28, 1), Layout.NHWC);
    }

    @Test
    void conv2DAfterFlattenIsTheWrongRank() {
        ValidationException e = build(mnistInput().add(Flatten.create()).add(Conv2D.of(8, 3)));
        assertEquals("Conv2D 'conv2d'", e.subject());
        assertTrue(e.getMessage().startsWith("Conv2D 'conv2d': input must be 4-D [N, C, H, W], got 2-D [1, 784]"),
                e.getMessage());
    }

    @Test
    void denseWithoutFlattenIsTheWrongRank() {
        ValidationException e = build(mnistInput().add(Conv2D.of(4, 3)).add(Dense.of(10)));
        assertEquals("Dense 'dense'", e.subject());
        assertTrue(e.getMessage().startsWith("Dense 'dense': input must be 2-D [N, F] (add a Flatten layer), got 4-D"
                + " [1, 4, 26, 26]"), e.getMessage());
    }

    @Test
    void softmaxOnImagesIsTheWrongRank() {
        ValidationException e = build(mnistInput().add(Softmax.create()));
        assertEquals("Softmax 'softmax'", e.subject());
        assertTrue(e.getMessage().startsWith("Softmax 'softmax': input must be 2-D [N, F] (add a Flatten layer), got"
                + " [1, 1, 28, 28]"), e.getMessage());
    }

    @Test
    void theBrokenLayerIsNamedWithAllItsProblems() {
        // the third convolution meets a 3x3 input with a 5x5 kernel and also has zero stride in width
        ValidationException e = build(mnistInput().add(Conv2D.of(8, 3)).add(Pooling2D.max(2)).add(Conv2D.of(8, 3))
                .add(Pooling2D.max(2)).add(Conv2D.of(8, 5).stride(1, 0).name("block3")));
        assertEquals("Conv2D 'block3'", e.subject());
        assertEquals(List.of("strideW"), e.violations().stream().map(ValidationException.Violation::parameter).toList());
        ValidationException big = build(mnistInput().add(Conv2D.of(8, 3)).add(Pooling2D.max(2)).add(Conv2D.of(8, 3))
                .add(Pooling2D.max(2)).add(Conv2D.of(8, 7)));
        assertEquals("Conv2D 'conv2d_2'", big.subject());
        assertTrue(big.getMessage().contains("output height -1 ≤ 0: dilated kernel 7 is larger than the padded input 5")
                && big.getMessage().contains("output width -1 ≤ 0"), big.getMessage());
        assertTrue(big.getMessage().contains("(input [1, 8, 5, 5] NHWC, kernel 7×7"), big.getMessage());
    }

    @Test
    void layerParametersAreCheckedWhenTheModelIsBuilt() {
        assertTrue(build(mnistInput().add(Conv2D.of(0, 3))).getMessage().contains("filters 0 must be > 0"));
        assertTrue(build(mnistInput().add(Conv2D.of(-1, 3))).getMessage().contains("filters -1 must be > 0"));
        assertTrue(build(mnistInput().add(Conv2D.of(4, 0))).getMessage().contains("kernel height 0 must be > 0"));
        assertTrue(build(mnistInput().add(Conv2D.of(4, 3).stride(0))).getMessage()
                .contains("stride height 0 must be > 0; stride width 0 must be > 0"));
        assertTrue(build(mnistInput().add(Conv2D.of(4, 3).dilation(0))).getMessage()
                .contains("dilation height 0 must be > 0"));
        assertTrue(build(mnistInput().add(Conv2D.of(4, 3).padding(Padding.explicit(0, -2, 0, 0)))).getMessage()
                .contains("explicit pads pads(0, -2, 0, 0) must be ≥ 0"));
        assertTrue(build(Sequential.builder(Input.image(8, 8, 3), Layout.NHWC).add(Conv2D.of(4, 3).groups(2)))
                .getMessage().contains("input channels 3 not divisible by groups 2"));
        assertTrue(build(Sequential.builder(Input.image(8, 8, 4), Layout.NHWC).add(Conv2D.of(6, 3).groups(4)))
                .getMessage().contains("filters 6 not divisible by groups 4"));
        ValidationException ceil = build(mnistInput().add(Pooling2D.max(2).padding(Padding.SAME).ceilMode(true)));
        assertEquals("MaxPooling2D 'max_pooling2d'", ceil.subject());
        assertTrue(ceil.getMessage().contains("ceilMode needs VALID or explicit padding; SAME already fixes the output"
                + " size"), ceil.getMessage());
        ValidationException pad = build(mnistInput().add(Pooling2D.average(3).padding(Padding.explicit(3))));
        assertEquals("AveragePooling2D 'average_pooling2d'", pad.subject());
        assertTrue(pad.getMessage().contains("padding (3, 3) must be smaller than the pool height 3"), pad.getMessage());
        assertTrue(build(Sequential.builder(Input.image(2, 2, 1), Layout.NHWC).add(Pooling2D.max(3))).getMessage()
                .contains("dilated kernel 3 is larger than the padded input 2"));
    }

    @Test
    void dropoutRateOutOfRange() {
        for (double rate : new double[] {1.0, -0.1, 1.5, Double.NaN}) {
            ValidationException e = build(mnistInput().add(Dropout.of(rate)));
            assertEquals("Dropout 'dropout'", e.subject());
            assertTrue(e.getMessage().startsWith("Dropout 'dropout': rate " + rate + " must be in [0, 1)"),
                    e.getMessage());
        }
        try (Model ok = mnistInput().add(Dropout.of(0.0)).add(Dropout.of(0.99)).build()) {
            assertEquals(2, ok.layers().size());
        }
    }

    /** Issue 2 item 5: every model-building problem is a ValidationException naming the layer. */
    @Test
    void duplicateLayerNames() {
        ValidationException e = build(mnistInput().add(Conv2D.of(4, 3).name("a")).add(Conv2D.of(4, 3).name("a")));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("used twice"), e.getMessage());
        assertTrue(e.getMessage().contains("Conv2D"), e.getMessage());
    }

    /** What duplicate names do today: rejected, with the name, though not as a ValidationException. */
    @Test
    void duplicateLayerNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mnistInput().add(Conv2D.of(4, 3).name("a")).add(Pooling2D.max(2).name("a")).build());
        assertTrue(e.getMessage().contains("layer name 'a' is used twice"), e.getMessage());
        // a user name equal to a later automatic name is not a clash: the automatic one moves on
        try (Model m = mnistInput().add(Conv2D.of(4, 3).name("conv2d_1")).add(Conv2D.of(4, 3)).add(Conv2D.of(4, 3))
                .build()) {
            assertEquals(List.of("conv2d_1", "conv2d", "conv2d_2"),
                    m.layers().stream().map(LayerInfo::name).toList());
        }
    }

    @Test
    void setWeightsChecksEverySizeBeforeWriting() {
        try (Model m = SeedModels.mnistCnn(Layout.NHWC)) {
            float[] before = m.getWeights("conv2d").get(0);
            ValidationException e = assertThrows(ValidationException.class,
                    () -> m.setWeights("conv2d", List.of(new float[288], new float[31])));
            assertEquals("Conv2D 'conv2d'", e.subject());
            assertTrue(e.getMessage().startsWith("Conv2D 'conv2d': bias needs 32 values for shape [32], got 31"),
                    e.getMessage());
            assertArrayEquals(before, m.getWeights("conv2d").get(0)); // nothing written
            ValidationException both = assertThrows(ValidationException.class,
                    () -> m.setWeights("conv2d", List.of(new float[287], new float[33])));
            assertEquals(2, both.violations().size(), both.getMessage());
            assertTrue(both.getMessage().contains("kernel needs 288 values for shape [32, 1, 3, 3], got 287"),
                    both.getMessage());
            ValidationException count = assertThrows(ValidationException.class,
                    () -> m.setWeights("dense_1", List.of(new float[640])));
            assertTrue(count.getMessage().contains("expected 2 tensors [kernel [64, 10], bias [10]], got 1"),
                    count.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> m.setWeights("nope", List.of()));
            assertTrue(unknown.getMessage().contains("has no layer 'nope'"), unknown.getMessage());
            // the right sizes are accepted and read back
            float[] k = new float[288];
            k[5] = 3f;
            m.setWeights("conv2d", List.of(k, new float[32]));
            assertArrayEquals(k, m.getWeights("conv2d").get(0));
        }
    }

    @Test
    void predictRejectsTheWrongInputShape() {
        try (Model m = SeedModels.mnistCnn(Layout.NHWC); Engine e = Engine.open("reference");
             Inference net = m.compile(e); TensorScope s = new TensorScope()) {
            ValidationException ex = assertThrows(ValidationException.class,
                    () -> net.predict(s.allocate(Shape.of(1, 1, 28, 27), Layout.NHWC), s));
            assertTrue(ex.getMessage().contains("input shape [1, 1, 28, 27] != expected [1, 1, 28, 28]"),
                    ex.getMessage());
            float[] probs = net.predict(new float[2 * 28 * 28], 2);
            assertEquals(20, probs.length);
            double sum = 0;
            for (int i = 0; i < 10; i++) {
                sum += probs[i];
            }
            assertEquals(1, sum, 1e-5);
        }
    }

    @Test
    void concatBranchesMustAgreeOnHeightAndWidth() {
        ValidationException e = build(Sequential.builder(Input.image(8, 8, 3), Layout.NHWC)
                .add(Concat.of(List.of(Conv2D.of(4, 3)), List.of(Conv2D.pointwise(4)))));
        assertEquals("Concatenate 'concatenate'", e.subject());
        assertTrue(e.getMessage().contains("branch 1 output 8×8 != branch 0 output 6×6"), e.getMessage());
        ValidationException empty = build(Sequential.builder(Input.image(8, 8, 3), Layout.NHWC)
                .add(Concat.of(List.of(Conv2D.pointwise(4)), List.of())));
        assertTrue(empty.getMessage().contains("branch 1 is empty"), empty.getMessage());
        try (Model ok = Sequential.builder(Input.image(8, 8, 3), Layout.NHWC)
                .add(Concat.of(List.of(Conv2D.of(4, 3).padding(Padding.SAME)), List.of(Conv2D.pointwise(5)),
                        List.of(Pooling2D.max(3).stride(1).padding(Padding.SAME))))
                .build()) {
            assertEquals(Shape.of(1, 12, 8, 8), ok.outputShape(1));
        }
    }

    @Test
    void emptyModelIsRejected() {
        ValidationException e = build(mnistInput());
        assertTrue(e.getMessage().contains("has no layers"), e.getMessage());
    }
}
