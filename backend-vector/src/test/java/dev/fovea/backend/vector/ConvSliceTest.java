package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Direct convolutions whose tasks split the filters (large weights, few output pixels: ResNet's last stages at
 * small batches) against the reference backend: filter counts that are and are not multiples of the panel width,
 * strides 1 and 2, 1, 2 and 3 workers, both layouts, bias and activations, and an output that is a channel slice
 * of a wider tensor (each slice must write its own channels only).
 */
class ConvSliceTest {
    record Case(int n, int c, int k, int kernel, int stride, int h, Padding padding, Activation act, Layout layout,
                boolean strided) {
    }

    @Test
    void filterSlicesMatchTheReference() {
        Case[] cases = {
                new Case(1, 128, 128, 3, 1, 7, Padding.SAME, Activation.RELU, Layout.NHWC, false),
                new Case(1, 64, 300, 3, 2, 9, Padding.explicit(1), Activation.NONE, Layout.NHWC, true),
                new Case(2, 80, 200, 3, 1, 5, Padding.VALID, Activation.RELU6, Layout.NCHW, false),
                new Case(1, 520, 260, 1, 1, 6, Padding.VALID, Activation.NONE, Layout.NHWC, true),
                new Case(3, 96, 160, 3, 1, 4, Padding.SAME, Activation.SIGMOID, Layout.NCHW, true),
        };
        SplittableRandom rnd = new SplittableRandom(5);
        for (int threads : new int[] {1, 2, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                for (Case cs : cases) {
                    check(cs, threads, pool, rnd.nextLong());
                }
            }
        }
    }

    /**
     * Filter slices under a pooling (a classifier convolution read by a global average pooling, a 3×3 convolution
     * under a 2×2 max pooling) against the reference convolution then the reference pooling.
     */
    @Test
    void filterSlicesUnderAPoolingMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int threads : new int[] {1, 2, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                checkPooled(ConvolutionParams.of(260, 1, 1).withActivation(Activation.RELU), Shape.of(1, 520, 6, 6),
                        PoolingParams.global(PoolingMode.AVERAGE), threads, pool, rnd.nextLong());
                checkPooled(ConvolutionParams.of(136, 3, 3).withPadding(Padding.SAME), Shape.of(2, 128, 8, 8),
                        PoolingParams.of(PoolingMode.MAX, 2, 2), threads, pool, rnd.nextLong());
            }
        }
    }

    private static void checkPooled(ConvolutionParams p, Shape input, PoolingParams pp, int threads, WorkerPool pool,
                                    long seed) {
        ConvolutionDescriptor op = ConvolutionDescriptor.create("conv", input, Layout.NHWC, p.withBias(true));
        PoolingDescriptor pd = PoolingDescriptor.create("pool", op.output(), Layout.NHWC, pp);
        String what = op + " then " + pd + " with " + threads + " worker" + (threads == 1 ? "" : "s");
        SplittableRandom rnd = new SplittableRandom(seed);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), Layout.NHWC);
            Tensor w = Oracle.tensor(scope, rnd, op.weightShape(), Layout.NCHW);
            Tensor b = Oracle.tensor(scope, rnd, op.biasShape(), Layout.NCHW);
            Tensor conv = Oracle.poisoned(scope, op.output(), Layout.NHWC);
            Tensor want = Oracle.poisoned(scope, pd.output(), Layout.NHWC);
            try (Plan ref = Oracle.REFERENCE.planConvolution(op, w, b)) {
                ref.execute(x, conv);
            }
            Oracle.REFERENCE.poolingForward(pd, conv, want);
            Tensor got = Oracle.poisoned(scope, pd.output(), Layout.NHWC);
            try (ConvPlan plan = new ConvPlan(op, pd, w.toArray(), b.toArray(), pool)) {
                assertTrue(threads == 1 || plan.sliceCount() > 1, what + ": not sliced");
                plan.execute(x, got);
            }
            Oracle.assertClose(what, want, got);
        }
    }

    private static void check(Case cs, int threads, WorkerPool pool, long seed) {
        ConvolutionParams p = ConvolutionParams.of(cs.k, cs.kernel, cs.kernel).withStride(cs.stride, cs.stride)
                .withPadding(cs.padding).withBias(true).withActivation(cs.act);
        ConvolutionDescriptor op = ConvolutionDescriptor.create("conv", Shape.of(cs.n, cs.c, cs.h, cs.h), cs.layout,
                p);
        String what = cs + " with " + threads + " worker" + (threads == 1 ? "" : "s");
        SplittableRandom rnd = new SplittableRandom(seed);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), cs.layout);
            Tensor w = Oracle.tensor(scope, rnd, op.weightShape(), Layout.NCHW);
            Tensor b = Oracle.tensor(scope, rnd, op.biasShape(), Layout.NCHW);
            Tensor want = Oracle.poisoned(scope, op.output(), cs.layout);
            try (Plan ref = Oracle.REFERENCE.planConvolution(op, w, b)) {
                ref.execute(x, want);
            }
            Tensor[] got = Oracle.destination(scope, op.output(), cs.layout, cs.strided);
            try (ConvPlan plan = new ConvPlan(op, null, w.toArray(), b.toArray(), pool)) {
                // One worker: one task reads the weights once; more: the filters are what the tasks split.
                if (threads == 1) {
                    assertEquals(1, plan.taskCount(), what);
                } else {
                    assertTrue(plan.sliceCount() > 1, what + ": not sliced");
                }
                plan.execute(x, got[0]);
            }
            Oracle.assertClose(what, want, got[0]);
            if (cs.strided) {
                Oracle.assertUntouchedOutside(what, got[1], cs.k);
            }
        }
    }
}
