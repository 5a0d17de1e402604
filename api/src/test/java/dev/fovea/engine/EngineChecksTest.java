package dev.fovea.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine rejects wrong shapes, layouts and closed tensors before the backend writes anything. */
class EngineChecksTest {
    private static final float SENTINEL = 42f;
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open("reference");
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static PoolingDescriptor pool() {
        return PoolingDescriptor.create("MaxPooling2D 'p'", Shape.of(1, 2, 4, 4), Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2));
    }

    private static Tensor sentinel(TensorScope s, Shape shape, Layout layout) {
        Tensor t = s.allocate(shape, layout);
        t.fill(SENTINEL);
        return t;
    }

    private static void assertUntouched(Tensor t) {
        float[] want = new float[Math.toIntExact(t.shape().elementCount())];
        Arrays.fill(want, SENTINEL);
        assertArrayEquals(want, t.toArray());
    }

    @Test
    void poolingRejectsAWrongOutputShape() {
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(Shape.of(1, 2, 4, 4), Layout.NCHW);
            Tensor y = sentinel(s, Shape.of(1, 2, 3, 3), Layout.NCHW);
            ValidationException e = assertThrows(ValidationException.class, () -> engine.poolingForward(pool(), x, y));
            assertTrue(e.getMessage().contains("y shape [1, 2, 3, 3] != expected [1, 2, 2, 2]"), e.getMessage());
            assertTrue(e.getMessage().startsWith("MaxPooling2D 'p': "), e.getMessage());
            assertUntouched(y);
        }
    }

    @Test
    void fusedConvolutionAndPoolingMustChainShapes() {
        ConvolutionDescriptor conv = ConvolutionDescriptor.create("Conv2D 'c'", Shape.of(1, 3, 6, 6), Layout.NCHW,
                ConvolutionParams.of(2, 3, 3));
        try (TensorScope s = new TensorScope()) {
            Tensor w = s.allocate(conv.weightShape(), Layout.NCHW);
            Tensor b = s.allocate(conv.biasShape(), Layout.NCHW);
            // pool() reads [1, 2, 4, 4]: the convolution's output. A pooling of another shape is refused by name.
            assertTrue(engine.planConvolutionPooled(conv, pool(), w, b).isEmpty(), "the reference offers no fusion");
            PoolingDescriptor other = PoolingDescriptor.create("MaxPooling2D 'q'", Shape.of(1, 2, 5, 5), Layout.NCHW,
                    PoolingParams.of(PoolingMode.MAX, 2, 2));
            ValidationException e = assertThrows(ValidationException.class,
                    () -> engine.planConvolutionPooled(conv, other, w, b));
            assertTrue(e.getMessage().contains("the pooling's input [1, 2, 5, 5] is not the convolution's "
                    + "output [1, 2, 4, 4]"), e.getMessage());
            assertTrue(e.getMessage().startsWith("Conv2D 'c' + MaxPooling2D 'q'"), e.getMessage());
        }
    }

    @Test
    void poolingRejectsAWrongLayout() {
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(Shape.of(1, 2, 4, 4), Layout.NHWC);
            Tensor y = sentinel(s, Shape.of(1, 2, 2, 2), Layout.NCHW);
            ValidationException e = assertThrows(ValidationException.class, () -> engine.poolingForward(pool(), x, y));
            assertTrue(e.getMessage().contains("x layout NHWC != expected NCHW"), e.getMessage());
            assertUntouched(y);
        }
    }

    @Test
    void poolingRejectsAClosedInput() {
        TensorScope closed = new TensorScope();
        Tensor x = closed.allocate(Shape.of(1, 2, 4, 4), Layout.NCHW);
        closed.close();
        try (TensorScope s = new TensorScope()) {
            Tensor y = sentinel(s, Shape.of(1, 2, 2, 2), Layout.NCHW);
            assertThrows(IllegalStateException.class, () -> engine.poolingForward(pool(), x, y));
            assertUntouched(y);
        }
    }

    @Test
    void poolingRejectsAClosedOutput() {
        TensorScope closed = new TensorScope();
        Tensor y = closed.allocate(Shape.of(1, 2, 2, 2), Layout.NCHW);
        closed.close();
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(Shape.of(1, 2, 4, 4), Layout.NCHW);
            assertThrows(IllegalStateException.class, () -> engine.poolingForward(pool(), x, y));
        }
    }

    @Test
    void planChecksEveryExecution() {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'c'", Shape.of(1, 2, 5, 5), Layout.NHWC,
                ConvolutionParams.of(4, 3, 3));
        try (TensorScope s = new TensorScope()) {
            Tensor w = s.allocate(d.weightShape(), Layout.NCHW);
            Tensor b = s.allocate(d.biasShape(), Layout.NCHW);
            try (Plan plan = engine.planConvolution(d, w, b)) {
                Tensor x = s.allocate(Shape.of(1, 2, 5, 5), Layout.NHWC);
                Tensor wrongShape = sentinel(s, Shape.of(1, 4, 2, 2), Layout.NHWC);
                ValidationException e = assertThrows(ValidationException.class, () -> plan.execute(x, wrongShape));
                assertTrue(e.getMessage().contains("y shape [1, 4, 2, 2] != expected [1, 4, 3, 3]"), e.getMessage());
                assertUntouched(wrongShape);
                Tensor wrongLayout = sentinel(s, Shape.of(1, 4, 3, 3), Layout.NCHW);
                assertThrows(ValidationException.class, () -> plan.execute(x, wrongLayout));
                assertUntouched(wrongLayout);
                TensorScope closed = new TensorScope();
                Tensor gone = closed.allocate(Shape.of(1, 2, 5, 5), Layout.NHWC);
                closed.close();
                Tensor y = sentinel(s, Shape.of(1, 4, 3, 3), Layout.NHWC);
                assertThrows(IllegalStateException.class, () -> plan.execute(gone, y));
                assertUntouched(y);
                plan.execute(x, y); // the right call works and writes
                assertArrayEquals(new float[36], y.toArray());
            }
        }
    }

    @Test
    void planConvolutionChecksWeightsAndBias() {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'c'", Shape.of(1, 2, 5, 5), Layout.NHWC,
                ConvolutionParams.of(4, 3, 3));
        try (TensorScope s = new TensorScope()) {
            Tensor w = s.allocate(Shape.of(4, 2, 3, 2), Layout.NCHW);
            ValidationException e = assertThrows(ValidationException.class, () -> engine.planConvolution(d, w, null));
            assertEquals(2, e.violations().size(), e.getMessage());
            assertTrue(e.getMessage().contains("weights shape [4, 2, 3, 2] != expected [4, 2, 3, 3]"), e.getMessage());
            assertTrue(e.getMessage().contains("bias is missing"), e.getMessage());
        }
    }

    /** Use after close throws IllegalStateException, for weights as for activations. */
    @Test
    void planConvolutionWithClosedWeightsThrowsIllegalStateException() {
        ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'c'", Shape.of(1, 2, 5, 5), Layout.NHWC,
                ConvolutionParams.of(4, 3, 3).withBias(false));
        TensorScope closed = new TensorScope();
        Tensor w = closed.allocate(d.weightShape(), Layout.NCHW);
        closed.close();
        assertThrows(IllegalStateException.class, () -> engine.planConvolution(d, w, null));
    }

    @Test
    void activationAndSoftmaxAndCopyRejectBadTensors() {
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.allocate(Shape.of(1, 3, 2, 2), Layout.NHWC);
            Tensor y = sentinel(s, Shape.of(1, 3, 2, 2), Layout.NCHW);
            ValidationException e = assertThrows(ValidationException.class,
                    () -> engine.activationForward(Activation.RELU, x, y));
            assertTrue(e.getMessage().contains("y layout NCHW != expected NHWC"), e.getMessage());
            assertUntouched(y);
            Tensor y2 = sentinel(s, Shape.of(1, 3, 2, 3), Layout.NHWC);
            assertThrows(ValidationException.class, () -> engine.activationForward(Activation.RELU, x, y2));
            assertUntouched(y2);

            Tensor four = s.allocate(Shape.of(1, 3, 2, 2), Layout.NCHW);
            Tensor four2 = sentinel(s, Shape.of(1, 3, 2, 2), Layout.NCHW);
            ValidationException sm = assertThrows(ValidationException.class, () -> engine.softmaxForward(four, four2));
            assertTrue(sm.getMessage().contains("softmax input must be 2-D [N, F], got [1, 3, 2, 2]"), sm.getMessage());
            assertUntouched(four2);

            Tensor src = s.allocate(Shape.of(1, 3, 2, 2), Layout.NCHW);
            Tensor dst = sentinel(s, Shape.of(1, 3, 2, 1), Layout.NCHW);
            assertThrows(ValidationException.class, () -> engine.copy(src, dst));
            assertUntouched(dst);

            TensorScope closed = new TensorScope();
            Tensor gone = closed.allocate(Shape.of(1, 3, 2, 2), Layout.NHWC);
            Tensor gone2 = closed.allocate(Shape.of(2, 5), Layout.NCHW);
            closed.close();
            Tensor y3 = sentinel(s, Shape.of(1, 3, 2, 2), Layout.NHWC);
            assertThrows(IllegalStateException.class, () -> engine.activationForward(Activation.RELU, gone, y3));
            assertThrows(IllegalStateException.class, () -> engine.copy(gone, y3));
            assertUntouched(y3);
            Tensor row = sentinel(s, Shape.of(2, 5), Layout.NCHW);
            assertThrows(IllegalStateException.class, () -> engine.softmaxForward(gone2, row));
            assertUntouched(row);
        }
    }

    @Test
    void copyConvertsLayoutsKeepingLogicalValues() {
        try (TensorScope s = new TensorScope()) {
            Tensor a = s.allocate(Shape.of(2, 3, 4, 5), Layout.NCHW);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int h = 0; h < 4; h++) {
                        for (int w = 0; w < 5; w++) {
                            a.set(n * 1000 + c * 100 + h * 10 + w, n, c, h, w);
                        }
                    }
                }
            }
            Tensor b = s.allocate(Shape.of(2, 3, 4, 5), Layout.NHWC);
            engine.copy(a, b);
            assertEquals(1234f, b.get(1, 2, 3, 4));
            assertEquals(21f, b.get(0, 0, 2, 1));
            assertEquals(b.toArray()[1], a.get(0, 1, 0, 0)); // NHWC storage: channel fastest
            // into a channel slice of a wider destination
            Tensor wide = sentinel(s, Shape.of(2, 5, 4, 5), Layout.NHWC);
            engine.copy(a, wide.channelSlice(1, 3));
            assertEquals(SENTINEL, wide.get(1, 0, 3, 4));
            assertEquals(SENTINEL, wide.get(1, 4, 3, 4));
            assertEquals(1234f, wide.get(1, 3, 3, 4));
        }
    }
}
