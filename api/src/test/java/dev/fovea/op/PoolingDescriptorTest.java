package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape inference and validation of {@link PoolingDescriptor#create}. */
class PoolingDescriptorTest {
    private static final String LAYER = "MaxPooling2D 'p'";

    private static PoolingDescriptor pool(int h, int w, int c, PoolingParams p) {
        return PoolingDescriptor.create(LAYER, Shape.of(1, c, h, w), Layout.NHWC, p);
    }

    private static ValidationException invalid(int h, int w, int c, PoolingParams p) {
        return assertThrows(ValidationException.class, () -> pool(h, w, c, p));
    }

    private static List<String> parameters(ValidationException e) {
        return e.violations().stream().map(ValidationException.Violation::parameter).toList();
    }

    private static PoolingParams max(int k, int s) {
        return PoolingParams.of(PoolingMode.MAX, k, k).withStride(s, s);
    }

    @Test
    void seedZeroPoolingFourByFourByFiveIsTwoByTwoByFiveValidAndSame() {
        assertEquals(Shape.of(1, 5, 2, 2), pool(4, 4, 5, max(2, 2)).output());
        PoolingDescriptor same = pool(4, 4, 5, max(2, 2).withPadding(Padding.SAME));
        assertEquals(Shape.of(1, 5, 2, 2), same.output());
        assertEquals(new Pads(0, 0, 0, 0), same.pads());
    }

    @Test
    void kerasDefaultStrideIsTheWindow() {
        PoolingParams p = PoolingParams.of(PoolingMode.MAX, 2, 2);
        assertEquals(2, p.strideH());
        assertEquals(Shape.of(1, 32, 13, 13), pool(26, 26, 32, p).output());
        assertEquals(Shape.of(1, 64, 5, 5), pool(11, 11, 64, p).output()); // 5.5 floors
    }

    @Test
    void overlappingPoolChain55To27To13To6() {
        int size = 55;
        for (int expected : new int[] {27, 13, 6}) {
            size = pool(size, size, 96, max(3, 2)).output().h();
            assertEquals(expected, size);
        }
    }

    @Test
    void ceilModeKeepsTheOverhangButDropsAWindowStartingInTheEndPadding() {
        assertEquals(Shape.of(1, 1, 1, 1), pool(2, 2, 1, max(1, 2).withCeilMode(true)).output());
        assertEquals(Shape.of(1, 1, 2, 2), pool(4, 4, 1, max(3, 2).withCeilMode(true)).output());
        assertEquals(Shape.of(1, 1, 1, 1), pool(4, 4, 1, max(3, 2)).output());
        // explicit 1 on each side: 5x5 k2 s2 gives ceil 4 -> last window starts in the padding -> 3
        assertEquals(Shape.of(1, 1, 3, 3), pool(5, 5, 1, max(2, 2).withPadding(Padding.explicit(1)).withCeilMode(true))
                .output());
        assertEquals(Shape.of(1, 1, 3, 3), pool(4, 4, 1, max(3, 2).withPadding(Padding.explicit(1)).withCeilMode(true))
                .output());
        // GoogLeNet's 3x3/2 ceil pools: 112 -> 56 -> ... 28 -> 14 -> 7
        assertEquals(56, pool(112, 112, 64, max(3, 2).withCeilMode(true)).output().h());
        assertEquals(14, pool(28, 28, 480, max(3, 2).withCeilMode(true)).output().h());
        assertEquals(7, pool(14, 14, 832, max(3, 2).withCeilMode(true)).output().h());
    }

    @Test
    void fullAndSameLowerAndAsymmetricPooling() {
        assertEquals(Shape.of(1, 2, 6, 6), pool(5, 5, 2, max(2, 1).withPadding(Padding.FULL)).output());
        PoolingDescriptor lower = pool(5, 5, 2, max(2, 2).withPadding(Padding.SAME_LOWER));
        assertEquals(Shape.of(1, 2, 3, 3), lower.output());
        assertEquals(new Pads(1, 1, 0, 0), lower.pads());
        PoolingDescriptor same = pool(5, 5, 2, max(2, 2).withPadding(Padding.SAME));
        assertEquals(new Pads(0, 0, 1, 1), same.pads());
        PoolingDescriptor asym = pool(6, 6, 1, max(3, 2).withPadding(Padding.explicit(0, 1, 2, 0)));
        assertEquals(new Pads(0, 1, 2, 0), asym.pads());
        assertEquals(Shape.of(1, 1, 3, 3), asym.output()); // H: floor((6+2-3)/2)+1 = 3, W: (6+1-3)/2+1 = 3
    }

    @Test
    void globalPoolingReducesToOneByOne() {
        PoolingDescriptor g = pool(7, 5, 1024, PoolingParams.global(PoolingMode.AVERAGE));
        assertEquals(Shape.of(1, 1024, 1, 1), g.output());
        assertEquals(7, g.kernelH());
        assertEquals(5, g.kernelW());
    }

    // ---- bad input ----

    @Test
    void ceilModeWithSameOrFullIsRejected() {
        ValidationException same = invalid(4, 4, 1, max(2, 2).withPadding(Padding.SAME).withCeilMode(true));
        assertEquals(List.of("ceilMode"), parameters(same));
        assertEquals(LAYER, same.subject());
        assertTrue(same.getMessage().startsWith("MaxPooling2D 'p': ceilMode needs VALID or explicit padding; SAME already"
                + " fixes the output size ("), same.getMessage());
        ValidationException full = invalid(4, 4, 1, max(2, 2).withPadding(Padding.FULL).withCeilMode(true));
        assertTrue(full.getMessage().contains("ceilMode needs VALID or explicit padding; FULL"), full.getMessage());
        ValidationException lower = invalid(4, 4, 1, max(2, 2).withPadding(Padding.SAME_LOWER).withCeilMode(true));
        assertEquals(List.of("ceilMode"), parameters(lower));
    }

    @Test
    void poolPaddingMustBeSmallerThanTheWindow() {
        ValidationException e = invalid(4, 4, 1, max(2, 2).withPadding(Padding.explicit(2)));
        assertEquals(List.of("padding", "padding"), parameters(e));
        assertTrue(e.getMessage().startsWith("MaxPooling2D 'p': padding (2, 2) must be smaller than the pool height 2;"
                + " padding (2, 2) must be smaller than the pool width 2 ("), e.getMessage());
        ValidationException oneSide = invalid(4, 4, 1, max(3, 1).withPadding(Padding.explicit(0, 0, 3, 0)));
        assertEquals(List.of("padding"), parameters(oneSide));
        assertTrue(oneSide.getMessage().contains("padding (0, 3) must be smaller than the pool height 3"),
                oneSide.getMessage());
    }

    @Test
    void zeroWindowAndStrideAndNegativePadsAllTogether() {
        PoolingParams p = new PoolingParams(PoolingMode.AVERAGE, 0, 2, 2, 0, Padding.explicit(0, -1, 0, 0), false,
                false, false);
        ValidationException e = invalid(4, 4, 1, p);
        assertEquals(List.of("kernelH", "strideW", "padding"), parameters(e));
        assertTrue(e.getMessage().contains("pool height 0 must be > 0; stride width 0 must be > 0; explicit pads"
                + " pads(0, -1, 0, 0) must be ≥ 0"), e.getMessage());
    }

    @Test
    void windowLargerThanTheInput() {
        ValidationException e = invalid(2, 8, 1, max(3, 1));
        assertEquals(List.of("kernel"), parameters(e));
        assertTrue(e.getMessage().contains("output height 0 ≤ 0: dilated kernel 3 is larger than the padded input 2"),
                e.getMessage());
    }

    @Test
    void wrongRank() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> PoolingDescriptor.create(LAYER, Shape.of(1, 10), Layout.NHWC, max(2, 2)));
        assertTrue(e.getMessage().startsWith("MaxPooling2D 'p': input must be 4-D [N, C, H, W], got 2-D [1, 10]"),
                e.getMessage());
    }
}
