package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A one-channel 3×3 convolution fused with a 2×2 max pooling ({@link SmallDepthPool}, pooled in registers) against
 * the convolution and the pooling run apart: the same values, NaN and infinity included, for activations that
 * commute with the max and for SiLU, which does not (its pooling follows the activation).
 */
class SmallDepthPoolTest {
    private static final WorkerPool POOL = ConvCase.TWO;

    @Test
    void fusedMaxPoolingEqualsConvolutionThenPooling() {
        Activation[] acts = {Activation.RELU, Activation.NONE, Activation.RELU6, Activation.SILU};
        int[][] sizes = {{3, 27, 25}, {2, 28, 28}, {1, 9, 12}};
        SplittableRandom rnd = new SplittableRandom(5);
        int compared = 0;
        for (Activation act : acts) {
            for (int[] size : sizes) {
                for (Layout layout : Layout.values()) {
                    ConvolutionDescriptor op = ConvolutionDescriptor.create("conv", Shape.of(size[0], 1, size[1],
                            size[2]), layout, ConvolutionParams.of(Gemm.NR, 3, 3).withActivation(act));
                    PoolingDescriptor pooling = PoolingDescriptor.create("pool", op.output(), layout,
                            PoolingParams.of(PoolingMode.MAX, 2, 2));
                    try (TensorScope scope = new TensorScope()) {
                        Tensor x = Oracle.tensor(scope, rnd, op.input(), layout);
                        x.set(Float.NaN, 0, 0, 4, 5);
                        x.set(Float.POSITIVE_INFINITY, size[0] - 1, 0, size[1] - 1, 0);
                        float[] wts = Oracle.random(rnd, op.weightShape().elementCount(), 0.5);
                        float[] b = act == Activation.NONE ? null : Oracle.random(rnd, Gemm.NR, 1);
                        Tensor mid = scope.allocate(op.output(), layout);
                        Tensor want = scope.allocate(pooling.output(), layout);
                        Tensor got = Oracle.poisoned(scope, pooling.output(), layout);
                        try (ConvPlan apart = new ConvPlan(op, null, wts, b, POOL);
                             ConvPlan fused = new ConvPlan(op, pooling, wts, b, POOL)) {
                            assertEquals(act != Activation.SILU, fused.poolsInRegisters(), act.toString());
                            apart.execute(x, mid);
                            Pooling.forward(pooling, mid, want, POOL);
                            fused.execute(x, got);
                        }
                        float[] e = want.toArray();
                        float[] a = got.toArray();
                        int nonFinite = 0;
                        for (int i = 0; i < e.length; i++) {
                            String at = act + " " + java.util.Arrays.toString(size) + " " + layout + " [" + i + "]";
                            assertEquals(Float.isNaN(e[i]), Float.isNaN(a[i]), at);
                            assertTrue(Float.isNaN(e[i]) || e[i] == a[i], at + ": " + e[i] + " vs " + a[i]);
                            nonFinite += Float.isFinite(a[i]) ? 0 : 1;
                        }
                        assertTrue(nonFinite > 0, "the NaN and the infinity reached no output");
                        compared++;
                    }
                }
            }
        }
        assertEquals(24, compared);
    }
}
