package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Hand-worked padding plans; the broad sweeps are in {@link EmulatedCudnnTest} and {@link OutputSizeTest}. */
class GeometryTest {
    private static ConvolutionDescriptor conv(int h, int k, int s, Padding p) {
        return ConvolutionDescriptor.create("c", Shape.of(1, 2, h, h), Layout.NCHW,
                ConvolutionParams.of(3, k, k).withStride(s, s).withPadding(p));
    }

    @Test
    void tfSameWithOddTotalPadsTheExtraRowAfter() {
        // 32×32, 8×8 kernel, stride 2 (the CNN course): out 16, total 6... even; use 7×7 input, 4×4 kernel, stride 1.
        ConvolutionDescriptor op = conv(7, 4, 1, Padding.SAME); // total 3: top 1, bottom 2
        assertEquals(1, op.pads().top());
        assertEquals(2, op.pads().bottom());
        CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
        assertEquals(new CudnnGeometry.Padded(1, 1, 0, 0, 1, 1), g);
        assertTrue(g.explicit());
        assertEquals(8, g.paddedH(7));
    }

    @Test
    void sameLowerPadsTheExtraRowBefore() {
        CudnnGeometry.Padded g = CudnnGeometry.convolution(conv(7, 4, 1, Padding.SAME_LOWER)); // top 2, bottom 1
        assertEquals(new CudnnGeometry.Padded(1, 1, 1, 1, 0, 0), g);
    }

    @Test
    void symmetricAndUnreadTrailingPaddingNeedNoCopy() {
        assertFalse(CudnnGeometry.convolution(conv(8, 3, 1, Padding.explicit(1))).explicit());
        // 5 rows, k3 s2, pads (1, 2): out 3, the last window reads 1 row past the input: cuDNN's pad 1 suffices.
        ConvolutionDescriptor op = conv(5, 3, 2, Padding.explicit(1, 1, 2, 2));
        assertEquals(3, op.output().h());
        assertEquals(new CudnnGeometry.Padded(1, 1, 0, 0, 0, 0), CudnnGeometry.convolution(op));
    }

    @Test
    void largerLeadingPadMovesTheSurplusIntoTheBuffer() {
        ConvolutionDescriptor op = conv(6, 3, 1, Padding.explicit(2, 0, 0, 2)); // top 2, bottom 0; left 0, right 2
        CudnnGeometry.Padded g = CudnnGeometry.convolution(op);
        assertEquals(new CudnnGeometry.Padded(0, 0, 2, 0, 0, 2), g);
    }

    @Test
    void ceilModeAverageCornerIsRescaledToTheClippedWindow() {
        // 4×4 input, 3×3 window, stride 2, ceil: out 2×2, the last window overhangs one row and one column.
        PoolingDescriptor op = PoolingDescriptor.create("p", Shape.of(1, 1, 4, 4), Layout.NCHW,
                PoolingParams.of(PoolingMode.AVERAGE, 3, 3).withStride(2, 2).withCeilMode(true)
                        .withCountIncludePad(true));
        assertEquals(2, op.output().h());
        CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
        assertEquals(new CudnnGeometry.Padded(0, 0, 0, 0, 1, 1), plan.padded());
        assertEquals(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, plan.cudnnMode());
        // cuDNN divides by 9 everywhere; Fovea by 9, 6, 6, 4.
        assertArrayEquals(new float[] {1f, 1.5f, 1.5f, 9f / 4}, plan.scale());
    }

    @Test
    void symmetricAverageUsesCudnnModesDirectly() {
        PoolingDescriptor exclude = PoolingDescriptor.create("p", Shape.of(1, 1, 6, 6), Layout.NHWC,
                PoolingParams.of(PoolingMode.AVERAGE, 3, 3).withStride(1, 1).withPadding(Padding.explicit(1)));
        CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(exclude);
        assertEquals(Cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, plan.cudnnMode());
        assertNull(plan.scale());
        assertFalse(plan.padded().explicit());
    }

    @Test
    void sameAverageExcludingPaddingRescalesTheExplicitRows() {
        // 4 rows, k2 s1 SAME: pads (0, 1), the buffer's extra zero row is counted by EXCLUDE_PADDING in the last row.
        PoolingDescriptor op = PoolingDescriptor.create("p", Shape.of(1, 1, 4, 4), Layout.NCHW,
                PoolingParams.of(PoolingMode.AVERAGE, 2, 2).withStride(1, 1).withPadding(Padding.SAME));
        CudnnGeometry.PoolingPlan plan = CudnnGeometry.poolingPlan(op);
        assertTrue(plan.padded().explicit());
        assertEquals(4f, plan.scale()[15]); // corner: cuDNN counts 4 buffer cells, Fovea 1 input cell
        assertEquals(1f, plan.scale()[0]);
    }
}
