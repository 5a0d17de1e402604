package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The blocked NCHW ↔ NHWC copy against the tensors' logical values: sizes below, at and across the tile (channels 1
 * to 130, planes from 1×1 to 96×100, so that tails, several tiles and several tasks all occur), both directions,
 * channel slices on either side, a batch slice, a heap array as destination, with 1 and 2 workers.
 */
class TransposeTest {
    private static final int[][] SHAPES = {
            {1, 3, 96, 100}, {2, 64, 7, 7}, {1, 17, 33, 35}, {3, 100, 5, 13}, {2, 1, 9, 40}, {1, 33, 1, 1},
            {1, 32, 32, 32}, {2, 130, 3, 3}, {1, 7, 64, 2}};

    @Test
    void matchesTheLogicalValuesInEveryDirectionAndView() {
        SplittableRandom rnd = new SplittableRandom(17);
        int checked = 0;
        for (WorkerPool pool : new WorkerPool[] {ConvCase.ONE, ConvCase.TWO}) {
            for (int[] d : SHAPES) {
                Shape shape = Shape.of(d[0], d[1], d[2], d[3]);
                for (Layout from : Layout.values()) {
                    Layout to = from == Layout.NCHW ? Layout.NHWC : Layout.NCHW;
                    for (int view = 0; view < 4; view++) {
                        check(shape, from, to, view, pool, rnd.nextLong());
                        checked++;
                    }
                }
            }
        }
        assertEquals(2 * SHAPES.length * 2 * 4, checked);
    }

    @Test
    void heapDestination() {
        try (TensorScope scope = new TensorScope()) {
            Shape shape = Shape.of(2, 19, 11, 37);
            Tensor x = Oracle.tensor(scope, new SplittableRandom(3), shape, Layout.NCHW);
            float[] back = new float[Math.toIntExact(shape.elementCount())];
            Tensor heap = Tensor.wrap(shape, Layout.NHWC, MemorySegment.ofArray(back), scope, true);
            assertTrue(Transpose.copy(x, heap, ConvCase.TWO));
            Oracle.assertClose("NCHW → heap NHWC", x, heap, 0, 0);
            float[] nhwc = new float[back.length];
            int i = 0;
            for (int n = 0; n < 2; n++) {
                for (int h = 0; h < 11; h++) {
                    for (int w = 0; w < 37; w++) {
                        for (int c = 0; c < 19; c++) {
                            nhwc[i++] = x.get(n, c, h, w);
                        }
                    }
                }
            }
            assertArrayEquals(nhwc, back);
        }
    }

    /**
     * view 0: dense to dense; 1: a channel slice of a wider source; 2: into a channel slice of a wider destination;
     * 3: batch item 1 of the source into batch item 0 of a destination of two.
     */
    private static void check(Shape shape, Layout from, Layout to, int view, WorkerPool pool, long seed) {
        String what = shape + " " + from + " → " + to + ", view " + view + ", " + pool.threads() + " worker(s)";
        SplittableRandom rnd = new SplittableRandom(seed);
        int c = shape.c();
        try (TensorScope scope = new TensorScope()) {
            Tensor x = switch (view) {
                case 1 -> Oracle.tensor(scope, rnd, shape.with(1, c + 5), from).channelSlice(2, c);
                case 3 -> Oracle.tensor(scope, rnd, shape.withBatch(shape.n() + 1), from).batchSlice(1, shape.n());
                default -> Oracle.tensor(scope, rnd, shape, from);
            };
            Tensor[] y = switch (view) {
                case 2 -> Oracle.destination(scope, shape, to, true);
                case 3 -> {
                    Tensor whole = Oracle.poisoned(scope, shape.withBatch(shape.n() + 1), to);
                    yield new Tensor[] {whole.batchSlice(0, shape.n()), whole};
                }
                default -> Oracle.destination(scope, shape, to, false);
            };
            // With one channel, an NHWC channel slice has no dense axis: the element-wise loop copies it.
            boolean blocked = !(c == 1 && (view == 1 && from == Layout.NHWC || view == 2 && to == Layout.NHWC));
            if (blocked) {
                assertTrue(Transpose.copy(x, y[0], pool), what + ": not taken by the blocked copy");
            } else {
                Elementwise.copy(x, y[0], pool);
            }
            Oracle.assertClose(what, x, y[0], 0, 0);
            if (view == 2) {
                Oracle.assertUntouchedOutside(what, y[1], c);
            }
            if (view == 3) {
                float[] rest = y[1].batchSlice(shape.n(), 1).toArray();
                for (float v : rest) {
                    assertTrue(Float.isNaN(v), what + ": wrote past the batch slice");
                }
            }
        }
    }
}
