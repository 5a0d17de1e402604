package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Descriptors are plan-cache keys: equal without the layer name, and never built past their checks. */
class DescriptorIdentityTest {
    private static final Shape X = Shape.of(2, 3, 9, 9);

    private static ConvolutionDescriptor conv(String layer) {
        return ConvolutionDescriptor.create(layer, X, Layout.NHWC, ConvolutionParams.of(4, 3, 3)
                .withPadding(Padding.SAME).withStride(2, 2));
    }

    private static PoolingDescriptor pool(String layer) {
        return PoolingDescriptor.create(layer, X, Layout.NCHW, PoolingParams.of(PoolingMode.MAX, 2, 2)
                .withCeilMode(true));
    }

    @Test
    void theLayerNameIsNotPartOfTheIdentity() {
        assertEquals(conv("a"), conv("b"));
        assertEquals(conv("a").hashCode(), conv("b").hashCode());
        assertEquals(pool("a"), pool("b"));
        assertEquals(pool("a").hashCode(), pool("b").hashCode());
        DenseDescriptor d1 = DenseDescriptor.create("a", Shape.of(2, 5), 3, true, Activation.RELU);
        DenseDescriptor d2 = DenseDescriptor.create("b", Shape.of(2, 5), 3, true, Activation.RELU);
        assertEquals(d1, d2);
        assertEquals(d1.hashCode(), d2.hashCode());
        assertEquals(ClampDescriptor.create("a", X, Layout.NCHW, 1, 0, 0, 6),
                ClampDescriptor.create("b", X, Layout.NCHW, 1, 0, 0, 6));
        assertEquals(TransposeDescriptor.create("a", X, Layout.NCHW, new int[] {0, 2, 1, 3}),
                TransposeDescriptor.create("b", X, Layout.NCHW, new int[] {0, 2, 1, 3}));
        // Everything else still counts.
        assertNotEquals(conv("a"), conv("a").withActivation(Activation.RELU));
        assertNotEquals(conv("a"), conv("a").withBatch(1));
        assertNotEquals(d1, DenseDescriptor.create("a", Shape.of(2, 5), 3, false, Activation.RELU));
    }

    @Test
    void theConstructorsCheckWhatCreateChecks() {
        ConvolutionDescriptor c = conv("c");
        // Output height 5 follows from 9, stride 2, SAME; 6 does not.
        ValidationException e = assertThrows(ValidationException.class, () -> new ConvolutionDescriptor(c.layer(),
                c.input(), c.layout(), c.filters(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW(), c.dilationH(),
                c.dilationW(), c.groups(), c.pads(), c.bias(), c.activation(), c.padding(), Shape.of(2, 4, 6, 5)));
        assertTrue(e.getMessage().contains("output") && e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
        assertThrows(ValidationException.class, () -> new ConvolutionDescriptor(c.layer(), c.input(), c.layout(),
                c.filters(), c.kernelH(), c.kernelW(), 0, c.strideW(), c.dilationH(), c.dilationW(), c.groups(),
                c.pads(), c.bias(), c.activation(), c.padding(), c.output()));
        assertThrows(ValidationException.class, () -> new ConvolutionDescriptor(c.layer(), c.input(), c.layout(),
                c.filters(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW(), c.dilationH(), c.dilationW(),
                c.groups(), new Pads(2, 1, 0, 1), c.bias(), c.activation(), c.padding(), c.output()));
        PoolingDescriptor p = pool("p");
        // A pad as large as the window would make a window of padding only.
        assertThrows(ValidationException.class, () -> new PoolingDescriptor(p.layer(), p.mode(), p.input(),
                p.layout(), 2, 2, 2, 2, new Pads(2, 0, 0, 0), false, false, Shape.of(2, 3, 5, 4)));
        assertThrows(ValidationException.class, () -> new PoolingDescriptor(p.layer(), p.mode(), p.input(),
                p.layout(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.pads(), false,
                p.countIncludePad(), p.output()), "5 windows need ceil mode");
        assertThrows(ValidationException.class, () -> new DenseDescriptor("d", Shape.of(2, 5), 0, true,
                Activation.NONE, Shape.of(2, 1)));
        assertThrows(ValidationException.class, () -> new LrnDescriptor("l", X, Layout.NCHW, 5, 1e-4f, 0.75f, 0));
        // The withers stay valid.
        assertEquals(p.withBatch(7).output(), Shape.of(7, 3, 5, 5));
    }

    @Test
    void arraysAreCopied() {
        int[] perm = {0, 2, 1, 3};
        TransposeDescriptor t = new TransposeDescriptor("t", X, Layout.NCHW, perm, Shape.of(2, 9, 3, 9));
        perm[1] = 1;
        assertEquals(2, t.perm()[1]);
    }
}
