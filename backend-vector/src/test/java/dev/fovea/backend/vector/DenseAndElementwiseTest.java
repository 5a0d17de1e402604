package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fovea.op.Activation;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Dense, activation, softmax and copy against the reference backend. */
class DenseAndElementwiseTest {
    static final int[] TAILS = {1, 3, 7, 13, 17, 31, 33, 65};

    @TestFactory
    Stream<DynamicTest> dense() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (int n : new int[] {1, 3, 17, 70}) {
            for (int f : new int[] {1, 7, 33, 300}) {
                for (int u : TAILS) {
                    Activation act = Activation.values()[i % 4];
                    boolean bias = i % 3 != 0;
                    boolean strided = i % 5 == 0;
                    i++;
                    String name = "dense n" + n + " f" + f + " u" + u + " " + act + (bias ? " bias" : "")
                            + (strided ? " slice-dst" : "");
                    tests.add(DynamicTest.dynamicTest(name, () -> dense(n, f, u, bias, act, strided)));
                }
            }
        }
        return tests.stream();
    }

    static void dense(int n, int f, int u, boolean bias, Activation act, boolean strided) {
        DenseDescriptor op = DenseDescriptor.create("dense", Shape.of(n, f), u, bias, act);
        SplittableRandom rnd = new SplittableRandom(n * 31L + f * 7L + u);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), Layout.NCHW);
            Tensor w = scope.fromArray(Oracle.random(rnd, (long) f * u, 0.5), op.weightShape(), Layout.NCHW);
            Tensor b = bias ? Oracle.tensor(scope, rnd, Shape.of(u), Layout.NCHW) : null;
            Tensor expected = Oracle.poisoned(scope, op.output(), Layout.NCHW);
            try (Plan ref = REFERENCE.planDense(op, w, b)) {
                ref.execute(x, expected);
            }
            Tensor[] dst = Oracle.destination(scope, op.output(), Layout.NCHW, strided);
            try (Plan plan = VECTOR.planDense(op, w, b)) {
                plan.execute(x, dst[0]);
            }
            Oracle.assertClose("dense", expected, dst[0]);
            if (strided) {
                Oracle.assertUntouchedOutside("dense", dst[1], u);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> activation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Activation act : Activation.values()) {
            for (Layout layout : Layout.values()) {
                for (int c : new int[] {1, 17, 33}) {
                    for (int mode = 0; mode < 3; mode++) {
                        int m = mode;
                        String name = act + " " + layout + " c" + c + " " + new String[] {"dense", "in-place",
                            "slices"}[m];
                        tests.add(DynamicTest.dynamicTest(name, () -> activation(act, layout, c, m)));
                    }
                }
            }
            tests.add(DynamicTest.dynamicTest(act + " 2-D 65", () -> {
                try (TensorScope scope = new TensorScope()) {
                    SplittableRandom rnd = new SplittableRandom(3);
                    Tensor x = scope.fromArray(Oracle.random(rnd, 3 * 65, 6), Shape.of(3, 65), Layout.NCHW);
                    Tensor e = Oracle.poisoned(scope, x.shape(), Layout.NCHW);
                    Tensor y = Oracle.poisoned(scope, x.shape(), Layout.NCHW);
                    REFERENCE.activationForward(act, x, e);
                    VECTOR.activationForward(act, x, y);
                    Oracle.assertClose(act.toString(), e, y);
                }
            }));
        }
        return tests.stream();
    }

    /** mode 0: dense x → y; 1: in place; 2: channel slice of one tensor into a channel slice of another. */
    static void activation(Activation act, Layout layout, int c, int mode) {
        SplittableRandom rnd = new SplittableRandom(c * 13L + mode);
        try (TensorScope scope = new TensorScope()) {
            Shape shape = Shape.of(2, c, 7, 13);
            Tensor x = scope.fromArray(Oracle.random(rnd, shape.elementCount(), 6), shape, layout);
            Tensor expected = Oracle.poisoned(scope, shape, layout);
            REFERENCE.activationForward(act, x, expected);
            switch (mode) {
                case 0 -> {
                    Tensor y = Oracle.poisoned(scope, shape, layout);
                    VECTOR.activationForward(act, x, y);
                    Oracle.assertClose(act.toString(), expected, y);
                }
                case 1 -> {
                    VECTOR.activationForward(act, x, x);
                    Oracle.assertClose(act + " in place", expected, x);
                }
                default -> {
                    Tensor wideX = scope.allocate(shape.with(1, c + 4), layout);
                    wideX.channelSlice(1, c).copyFrom(x.toArray());
                    Tensor[] dst = Oracle.destination(scope, shape, layout, true);
                    VECTOR.activationForward(act, wideX.channelSlice(1, c), dst[0]);
                    Oracle.assertClose(act + " slices", expected, dst[0]);
                    Oracle.assertUntouchedOutside(act + " slices", dst[1], c);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> softmax() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int n : new int[] {1, 3, 17}) {
            for (int f : TAILS) {
                tests.add(DynamicTest.dynamicTest("softmax n" + n + " f" + f, () -> {
                    SplittableRandom rnd = new SplittableRandom(n * 100L + f);
                    try (TensorScope scope = new TensorScope()) {
                        // Large logits: only a max-subtracting softmax stays finite.
                        Tensor x = scope.fromArray(Oracle.random(rnd, (long) n * f, 80), Shape.of(n, f),
                                Layout.NCHW);
                        Tensor e = Oracle.poisoned(scope, x.shape(), Layout.NCHW);
                        Tensor y = Oracle.poisoned(scope, x.shape(), Layout.NCHW);
                        REFERENCE.softmaxForward(x, e);
                        VECTOR.softmaxForward(x, y);
                        Oracle.assertClose("softmax", e, y);
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> copy() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Layout from : Layout.values()) {
            for (Layout to : Layout.values()) {
                for (boolean strided : new boolean[] {false, true}) {
                    tests.add(DynamicTest.dynamicTest("copy " + from + " → " + to + (strided ? " slice-dst" : ""),
                            () -> {
                                SplittableRandom rnd = new SplittableRandom(5);
                                try (TensorScope scope = new TensorScope()) {
                                    Shape shape = Shape.of(2, 17, 5, 13);
                                    Tensor x = Oracle.tensor(scope, rnd, shape, from);
                                    Tensor[] dst = Oracle.destination(scope, shape, to, strided);
                                    VECTOR.copy(x, dst[0]);
                                    Oracle.assertClose("copy", x, dst[0]);
                                    if (strided) {
                                        Oracle.assertUntouchedOutside("copy", dst[1], 17);
                                    }
                                }
                            }));
                }
            }
        }
        return tests.stream();
    }

    /** A copy large enough to be split between threads, its length no multiple of the block, at an offset. */
    @Test
    void largeDenseCopiesSplitBetweenThreadsKeepEveryValue() {
        try (VectorBackend backend = new VectorBackend(2); TensorScope scope = new TensorScope()) {
            int items = 3;
            Shape item = Shape.of(1, 7, 129, 257); // 0.9 MiB a batch item: 2.8 MiB in all
            Shape shape = item.withBatch(items);
            long bytes = shape.elementCount() * 4;
            assertTrue(bytes > Elementwise.COPY_BLOCK_BYTES);
            assertTrue(WorkerPool.bytesWork(2 * bytes) >= WorkerPool.INLINE_WORK);
            float[] values = new float[Math.toIntExact(shape.elementCount())];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rnd.nextDouble();
            }
            Tensor x = scope.fromArray(values, shape, Layout.NHWC);
            Tensor big = scope.allocate(shape.withBatch(items + 1), Layout.NHWC);
            big.fill(-1);
            Tensor dst = big.batchSlice(1, items);
            backend.copy(x, dst);
            assertArrayEquals(values, dst.toArray());
            assertEquals(-1f, big.get(0, 6, 128, 256), "the item before is untouched");
            // From heap memory too (predict's arrays).
            float[] back = new float[values.length];
            Tensor heap = Tensor.wrap(shape, Layout.NHWC, java.lang.foreign.MemorySegment.ofArray(back), scope, true);
            backend.copy(dst, heap);
            assertArrayEquals(values, back);
        }
    }

    @Test
    void speciesFollowsTheProperty() {
        String forced = System.getProperty(Simd.BITS_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            assertEquals(Integer.parseInt(forced.trim()), Simd.F.vectorBitSize());
        } else {
            assertEquals(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, Simd.F);
        }
        assertFalse(Simd.describe().isEmpty());
    }
}
