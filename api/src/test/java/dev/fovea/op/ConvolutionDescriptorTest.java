package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Shape inference, parameter counts and validation of {@link ConvolutionDescriptor#create}. */
class ConvolutionDescriptorTest {
    private static final String LAYER = "Conv2D 'c'";

    /** An H×W×C input (Keras order) as the logical shape [1, C, H, W]. */
    private static ConvolutionDescriptor conv(int h, int w, int c, ConvolutionParams p) {
        return ConvolutionDescriptor.create(LAYER, Shape.of(1, c, h, w), Layout.NHWC, p);
    }

    private static ValidationException invalid(int h, int w, int c, ConvolutionParams p) {
        return assertThrows(ValidationException.class, () -> conv(h, w, c, p));
    }

    private static List<String> parameters(ValidationException e) {
        return e.violations().stream().map(ValidationException.Violation::parameter).toList();
    }

    @ParameterizedTest(name = "{0}x{1}x{2}, {3} {4}x{4} s{5} {6} -> {7}x{8}x{3}")
    @CsvSource({
            // the Keras MNIST course: 28x28, 3x3 -> 28 (SAME) / 26 (VALID) / 13 (VALID s2)
            "28, 28, 1, 32, 3, 1, SAME, 28, 28",
            "28, 28, 1, 32, 3, 1, VALID, 26, 26",
            "28, 28, 1, 32, 3, 2, VALID, 13, 13",
            // the CNN course: 32x32x3, 20 8x8, S=2: P=1 -> 14, TF SAME -> 16, VALID -> 13
            "32, 32, 3, 20, 8, 2, P1, 14, 14",
            "32, 32, 3, 20, 8, 2, SAME, 16, 16",
            "32, 32, 3, 20, 8, 2, VALID, 13, 13",
            // the CNN course: 10x10x3, 64 5x5, s2, SAME -> 5x5x64
            "10, 10, 3, 64, 5, 2, SAME, 5, 5",
            // the CIFAR-10 course: 32 -> 26 (7x7) -> 11 (5x5 s2); 10 5x5 filters, pad 2 keep 32
            "32, 32, 3, 6, 7, 1, VALID, 26, 26",
            "26, 26, 6, 8, 5, 2, VALID, 11, 11",
            "32, 32, 3, 10, 5, 1, P2, 32, 32",
            // the Keras MNIST course: 6x6, 3x3 -> 4x4, P=1 -> 6x6; 5x5, 3x3 FULL -> 7x7
            "6, 6, 1, 1, 3, 1, VALID, 4, 4",
            "6, 6, 1, 1, 3, 1, P1, 6, 6",
            "5, 5, 1, 1, 3, 1, FULL, 7, 7",
            // the convolution-arithmetic course: 128x128x3, 64 5x5 SAME -> 128x128x64
            "128, 128, 3, 64, 5, 1, SAME, 128, 128",
            "28, 28, 1, 32, 3, 2, SAME_LOWER, 14, 14",
            "7, 9, 2, 4, 3, 2, FULL, 5, 6"})
    void seedSizes(int h, int w, int c, int filters, int k, int s, String padding, int outH, int outW) {
        Padding p = switch (padding) {
            case "VALID" -> Padding.VALID;
            case "SAME" -> Padding.SAME;
            case "SAME_LOWER" -> Padding.SAME_LOWER;
            case "FULL" -> Padding.FULL;
            default -> Padding.explicit(Integer.parseInt(padding.substring(1)));
        };
        ConvolutionDescriptor d = conv(h, w, c, ConvolutionParams.of(filters, k, k).withStride(s, s).withPadding(p));
        assertEquals(Shape.of(1, filters, outH, outW), d.output());
    }

    @Test
    void sameAtStrideTwoPutsTheOddPixelAfterAndSameLowerBefore() {
        ConvolutionParams p = ConvolutionParams.of(1, 3, 3).withStride(2, 2);
        assertEquals(new Pads(0, 0, 1, 1), conv(28, 28, 1, p.withPadding(Padding.SAME)).pads());
        assertEquals(new Pads(1, 1, 0, 0), conv(28, 28, 1, p.withPadding(Padding.SAME_LOWER)).pads());
        ConvolutionParams p5 = ConvolutionParams.of(64, 5, 5).withStride(2, 2);
        assertEquals(new Pads(1, 1, 2, 2), conv(10, 10, 3, p5.withPadding(Padding.SAME)).pads());
        assertEquals(new Pads(3, 3, 3, 3), conv(32, 32, 3, ConvolutionParams.of(20, 8, 8).withStride(2, 2)
                .withPadding(Padding.SAME)).pads());
        assertEquals(new Pads(2, 2, 2, 2), conv(5, 5, 1, ConvolutionParams.of(1, 3, 3).withPadding(Padding.FULL))
                .pads());
    }

    @Test
    void explicitPadsAreTopLeftBottomRightAndMayBeAsymmetric() {
        ConvolutionDescriptor d = conv(10, 10, 1, ConvolutionParams.of(1, 3, 3).withPadding(Padding.explicit(1, 2, 3, 4)));
        assertEquals(new Pads(1, 2, 3, 4), d.pads());
        assertEquals(Shape.of(1, 1, 12, 14), d.output()); // H: 10+1+3-3+1, W: 10+2+4-3+1
        ConvolutionDescriptor r = conv(8, 8, 1, ConvolutionParams.of(1, 3, 2).withStride(2, 3)
                .withPadding(Padding.explicit(0, 1, 1, 0)));
        assertEquals(Shape.of(1, 1, 4, 3), r.output()); // H: (8+1-3)/2+1 = 4, W: floor((8+1-2)/3)+1 = 3
    }

    @Test
    void dilationWidensTheKernel() {
        ConvolutionParams p = ConvolutionParams.of(4, 3, 3).withDilation(2, 3);
        ConvolutionDescriptor d = conv(9, 9, 2, p);
        assertEquals(Shape.of(1, 4, 5, 3), d.output()); // e = 5 and 7
        ConvolutionDescriptor same = conv(9, 9, 2, p.withPadding(Padding.SAME));
        assertEquals(Shape.of(1, 4, 9, 9), same.output());
        assertEquals(new Pads(2, 3, 2, 3), same.pads());
        assertEquals(4 * 2 * 9 + 4, d.parameterCount()); // dilation adds no weights
    }

    @Test
    void parameterCountsFromTheSeeds() {
        // the CNN course: 20 8x8 filters over 32x32x3: (8*8*3 + 1) * 20 = 3,860
        ConvolutionDescriptor d = conv(32, 32, 3, ConvolutionParams.of(20, 8, 8).withStride(2, 2)
                .withPadding(Padding.explicit(1)));
        assertEquals(3860, d.parameterCount());
        assertEquals(Shape.of(20, 3, 8, 8), d.weightShape());
        // the unshared comparison: one set of weights + bias per output position, 14*14*20 * 193 = 756,560
        long weightsPerFilter = d.weightShape().elementCount() / d.filters();
        long unshared = (long) d.output().h() * d.output().w() * d.filters() * (weightsPerFilter + 1);
        assertEquals(756_560, unshared);
        assertEquals(196, unshared / d.parameterCount()); // "196 times fewer"
        // the CIFAR-10 course: 10 5x5x3 filters: (5*5*3 + 1) * 10 = 760
        assertEquals(760, conv(32, 32, 3, ConvolutionParams.of(10, 5, 5).withPadding(Padding.explicit(2)))
                .parameterCount());
        // the convolution-arithmetic course: 64 5x5 filters over RGB: 64*75 + 64
        assertEquals(4864, conv(128, 128, 3, ConvolutionParams.of(64, 5, 5).withPadding(Padding.SAME))
                .parameterCount());
        assertEquals(27, conv(8, 8, 3, ConvolutionParams.of(3, 3, 3).withBias(false).withGroups(3))
                .parameterCount()); // depthwise 3x3 without bias
    }

    @Test
    void groupsAndDepthwiseShapeTheWeights() {
        ConvolutionDescriptor dw = conv(8, 8, 8, ConvolutionParams.of(16, 3, 3).withGroups(8));
        assertEquals(Shape.of(16, 1, 3, 3), dw.weightShape());
        assertEquals(16 * 9 + 16, dw.parameterCount());
        ConvolutionDescriptor g = conv(8, 8, 6, ConvolutionParams.of(4, 1, 1).withGroups(2));
        assertEquals(Shape.of(4, 3, 1, 1), g.weightShape());
        assertTrue(conv(8, 8, 6, ConvolutionParams.of(4, 1, 1)).isPointwise());
    }

    // ---- bad input: every message names the layer, the parameter and the numbers ----

    @Test
    void zeroAndNegativeFilters() {
        ValidationException zero = invalid(28, 28, 1, ConvolutionParams.of(0, 3, 3));
        assertEquals(LAYER, zero.subject());
        assertEquals(List.of("filters"), parameters(zero));
        assertTrue(zero.getMessage().startsWith("Conv2D 'c': filters 0 must be > 0 (input [1, 1, 28, 28] NHWC, kernel 3×3"),
                zero.getMessage());
        ValidationException neg = invalid(28, 28, 1, ConvolutionParams.of(-3, 3, 3));
        assertTrue(neg.getMessage().contains("filters -3 must be > 0"), neg.getMessage());
    }

    @Test
    void zeroKernelStrideAndDilation() {
        ValidationException k = invalid(28, 28, 1, ConvolutionParams.of(1, 0, 3));
        assertEquals(List.of("kernelH"), parameters(k));
        assertTrue(k.getMessage().contains("kernel height 0 must be > 0"), k.getMessage());
        ValidationException kw = invalid(28, 28, 1, ConvolutionParams.of(1, 3, -2));
        assertTrue(kw.getMessage().contains("kernel width -2 must be > 0"), kw.getMessage());
        ValidationException s = invalid(28, 28, 1, ConvolutionParams.of(1, 3, 3).withStride(1, 0));
        assertEquals(List.of("strideW"), parameters(s));
        assertTrue(s.getMessage().contains("stride width 0 must be > 0"), s.getMessage());
        ValidationException d = invalid(28, 28, 1, ConvolutionParams.of(1, 3, 3).withDilation(0, 1));
        assertEquals(List.of("dilationH"), parameters(d));
        assertTrue(d.getMessage().contains("dilation height 0 must be > 0"), d.getMessage());
    }

    @Test
    void allViolationsOfOneCallAreReportedTogether() {
        ConvolutionParams p = new ConvolutionParams(0, 0, 3, 0, 1, 0, 1, 1, Padding.explicit(-1, 0, 0, 0), true,
                Activation.NONE);
        ValidationException e = invalid(28, 28, 1, p);
        assertEquals(List.of("filters", "kernelH", "strideH", "dilationH", "padding"), parameters(e));
        String m = e.getMessage();
        assertTrue(m.startsWith("Conv2D 'c': filters 0 must be > 0; kernel height 0 must be > 0; stride height 0 must"
                + " be > 0; dilation height 0 must be > 0; explicit pads pads(-1, 0, 0, 0) must be ≥ 0 ("), m);
    }

    @Test
    void negativePads() {
        ValidationException e = invalid(28, 28, 1, ConvolutionParams.of(1, 3, 3).withPadding(Padding.explicit(-1, 0, 2, -3)));
        assertEquals(List.of("padding"), parameters(e));
        assertTrue(e.getMessage().contains("explicit pads pads(-1, 0, 2, -3) must be ≥ 0"), e.getMessage());
    }

    @Test
    void groupsMustDivideChannelsAndFilters() {
        ValidationException c = invalid(8, 8, 3, ConvolutionParams.of(4, 3, 3).withGroups(2));
        assertEquals(List.of("groups"), parameters(c));
        assertTrue(c.getMessage().contains("input channels 3 not divisible by groups 2"), c.getMessage());
        ValidationException f = invalid(8, 8, 4, ConvolutionParams.of(5, 3, 3).withGroups(2));
        assertTrue(f.getMessage().contains("filters 5 not divisible by groups 2"), f.getMessage());
        ValidationException both = invalid(8, 8, 3, ConvolutionParams.of(5, 3, 3).withGroups(2));
        assertEquals(2, both.violations().size(), both.getMessage());
        ValidationException zero = invalid(8, 8, 3, ConvolutionParams.of(4, 3, 3).withGroups(0));
        assertTrue(zero.getMessage().contains("groups 0 must be > 0"), zero.getMessage());
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        ValidationException e = invalid(5, 5, 3, ConvolutionParams.of(8, 7, 7));
        assertEquals(List.of("kernel", "kernel"), parameters(e)); // height and width, together
        assertEquals("Conv2D 'c': output height -1 ≤ 0: dilated kernel 7 is larger than the padded input 5 (input 5"
                + " + pads 0+0); output width -1 ≤ 0: dilated kernel 7 is larger than the padded input 5 (input 5"
                + " + pads 0+0) (input [1, 3, 5, 5] NHWC, kernel 7×7, stride 1×1, dilation 1×1, groups 1, VALID)",
                e.getMessage());
        // dilation can make a small kernel too large: 3 taps at dilation 3 span 7
        ValidationException d = invalid(5, 9, 1, ConvolutionParams.of(1, 3, 3).withDilation(3, 1));
        assertTrue(d.getMessage().contains("output height -1 ≤ 0: dilated kernel 7"), d.getMessage());
        // explicit padding makes it fit: 5 + 1 + 1 = 7
        assertEquals(1, conv(5, 9, 1, ConvolutionParams.of(1, 3, 3).withDilation(3, 1)
                .withPadding(Padding.explicit(1, 0, 1, 0))).output().h());
    }

    @Test
    void wrongRankInput() {
        ValidationException e = assertThrows(ValidationException.class, () -> ConvolutionDescriptor.create(LAYER,
                Shape.of(1, 576), Layout.NHWC, ConvolutionParams.of(8, 3, 3)));
        assertEquals(List.of("input"), parameters(e));
        assertTrue(e.getMessage().startsWith("Conv2D 'c': input must be 4-D [N, C, H, W], got 2-D [1, 576]"),
                e.getMessage());
    }

    @Test
    void paramRecordsRejectNullsAndExplicitPadsOnModes() {
        assertThrows(IllegalArgumentException.class, () -> new Padding(Padding.Mode.SAME, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ConvolutionParams.of(1, 3, 3).withPadding(null));
        assertThrows(IllegalArgumentException.class, () -> ConvolutionParams.of(1, 3, 3).withActivation(null));
    }
}
