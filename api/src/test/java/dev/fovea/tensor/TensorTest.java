package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ownership, layout order, logical indexing and views of {@link Tensor} and {@link TensorScope}. */
class TensorTest {

    /** A value that encodes its logical index, so a misplaced element is visible. */
    private static float code(int n, int c, int h, int w) {
        return n * 1000 + c * 100 + h * 10 + w;
    }

    /** {@code [N, C, H, W]} codes laid out in {@code layout}'s storage order, computed independently of Layout. */
    private static float[] storageOrder(int n, int c, int h, int w, Layout layout) {
        float[] out = new float[n * c * h * w];
        int k = 0;
        for (int in = 0; in < n; in++) {
            if (layout == Layout.NCHW) {
                for (int ic = 0; ic < c; ic++) {
                    for (int ih = 0; ih < h; ih++) {
                        for (int iw = 0; iw < w; iw++) {
                            out[k++] = code(in, ic, ih, iw);
                        }
                    }
                }
            } else {
                for (int ih = 0; ih < h; ih++) {
                    for (int iw = 0; iw < w; iw++) {
                        for (int ic = 0; ic < c; ic++) {
                            out[k++] = code(in, ic, ih, iw);
                        }
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void splitAxisSeesTheSameElements(Layout layout) {
        try (TensorScope s = new TensorScope()) {
            Tensor t = s.allocate(Shape.of(2, 6, 3, 4), layout).channelSlice(0, 6);
            Tensor wide = s.allocate(Shape.of(2, 9, 3, 4), layout);
            Tensor sliced = wide.channelSlice(2, 6);
            for (Tensor x : List.of(t, sliced)) {
                for (int i = 0; i < 2 * 6 * 3 * 4; i++) {
                    x.set(i, i / 72, i / 12 % 6, i / 4 % 3, i % 4);
                }
                Tensor v = x.splitAxis(1, 2);
                assertEquals(Shape.of(2, 2, 3, 3, 4), v.shape());
                for (int n = 0; n < 2; n++) {
                    for (int g = 0; g < 2; g++) {
                        for (int c = 0; c < 3; c++) {
                            assertEquals(x.get(n, g * 3 + c, 2, 1), v.get(n, g, c, 2, 1));
                        }
                    }
                }
                v.set(-1f, 1, 1, 2, 0, 3);
                assertEquals(-1f, x.get(1, 5, 0, 3), "writes reach the tensor's memory");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.splitAxis(1, 4));
            assertTrue(e.getMessage().contains("(6) does not split into 4"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.splitAxis(4, 1));
        }
    }

    @Test
    void everyAllocationIs64ByteAligned() {
        assertEquals(64, TensorScope.ALIGNMENT);
        try (TensorScope s = new TensorScope()) {
            for (int n : new int[] {1, 3, 7, 13, 17, 33, 65, 1000}) {
                Tensor t = s.allocate(Shape.of(n), Layout.NCHW);
                assertEquals(0, t.buffer().address() % 64, "tensor of " + n + " floats");
                Tensor img = s.allocate(Shape.of(1, 3, n, 1), Layout.NHWC);
                assertEquals(0, img.buffer().address() % 64);
                MemorySegment raw = s.allocateBytes(n);
                assertEquals(0, raw.address() % 64);
            }
        }
    }

    @Test
    void allocationsAreZeroFilled() {
        try (TensorScope s = new TensorScope()) {
            assertArrayEquals(new float[24], s.allocate(Shape.of(1, 2, 3, 4), Layout.NHWC).toArray());
        }
    }

    @Test
    void aScopeClosesManyTensorsAndClosingTwiceIsHarmless() {
        TensorScope s = new TensorScope();
        List<Tensor> ts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ts.add(s.allocate(Shape.of(1, 1 + i % 4, 3, 3), i % 2 == 0 ? Layout.NCHW : Layout.NHWC));
        }
        assertTrue(ts.stream().allMatch(Tensor::isAlive));
        s.close();
        assertFalse(s.isOpen());
        assertTrue(ts.stream().noneMatch(Tensor::isAlive));
        for (Tensor t : ts) {
            assertThrows(IllegalStateException.class, () -> t.get(0, 0, 0, 0));
        }
        assertDoesNotThrow(s::close);
        assertDoesNotThrow(s::close);
        assertThrows(IllegalStateException.class, () -> s.allocate(Shape.of(1), Layout.NCHW));
    }

    @Test
    void closeRunsCleanupsInReverseOrder() {
        List<Integer> order = new ArrayList<>();
        TensorScope s = new TensorScope();
        s.onClose(() -> order.add(1));
        s.onClose(() -> order.add(2));
        s.close();
        s.close();
        assertEquals(List.of(2, 1), order);
    }

    @Test
    void useAfterCloseThrowsIllegalStateException() {
        TensorScope s = new TensorScope();
        Tensor t = s.allocate(Shape.of(1, 2, 2, 2), Layout.NHWC);
        Tensor slice = t.channelSlice(0, 1);
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.get(0, 0, 0, 0));
        assertTrue(e.getMessage().contains("after its scope was closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.set(1f, 0, 0, 0, 0));
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[8]));
        assertThrows(IllegalStateException.class, t::toArray);
        assertThrows(IllegalStateException.class, () -> t.fill(1f));
        assertThrows(IllegalStateException.class, t::buffer);
        assertThrows(IllegalStateException.class, t::checkAlive);
        assertThrows(IllegalStateException.class, slice::toArray);
        assertThrows(IllegalStateException.class, () -> t.flatten().toArray());
        assertTrue(t.toString().contains("closed"), t.toString());
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void copyFromAndToArrayRoundTripInStorageOrder(Layout layout) {
        float[] data = storageOrder(2, 3, 4, 5, layout);
        try (TensorScope s = new TensorScope()) {
            Tensor t = s.fromArray(data, Shape.of(2, 3, 4, 5), layout);
            assertArrayEquals(data, t.toArray());
            assertTrue(t.isContiguous());
            // get/set use the logical (n, c, h, w) index whatever the layout
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int h = 0; h < 4; h++) {
                        for (int w = 0; w < 5; w++) {
                            assertEquals(code(n, c, h, w), t.get(n, c, h, w), layout + " at " + n + c + h + w);
                        }
                    }
                }
            }
            t.set(-1f, 1, 2, 3, 4);
            assertEquals(-1f, t.get(1, 2, 3, 4));
            assertEquals(-1f, t.toArray()[data.length - 1]); // last in both orders
            t.set(-2f, 0, 1, 0, 0);
            int k = layout == Layout.NCHW ? 20 : 1; // (0,1,0,0): after one channel plane (NCHW) or one element (NHWC)
            assertEquals(-2f, t.toArray()[k]);
        }
    }

    @Test
    void stridesFollowTheLayout() {
        Shape s = Shape.of(2, 3, 4, 5);
        assertArrayEquals(new long[] {60, 20, 5, 1}, Layout.NCHW.denseStrides(s));
        assertArrayEquals(new long[] {60, 1, 15, 3}, Layout.NHWC.denseStrides(s));
        assertArrayEquals(new long[] {7, 1}, Layout.NHWC.denseStrides(Shape.of(3, 7)));
    }

    @Test
    void copyFromRejectsTheWrongLength() {
        try (TensorScope s = new TensorScope()) {
            Tensor t = s.allocate(Shape.of(1, 2, 2, 2), Layout.NCHW);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[7]));
            assertTrue(e.getMessage().contains("7 floats") && e.getMessage().contains("8 elements"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 2, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> t.get(0, 0, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void channelSliceIsAViewThatWritesIntoItsParent(Layout layout) {
        try (TensorScope s = new TensorScope()) {
            Tensor parent = s.allocate(Shape.of(2, 5, 3, 4), layout);
            Tensor slice = parent.channelSlice(1, 2);
            assertEquals(Shape.of(2, 2, 3, 4), slice.shape());
            assertEquals(layout, slice.layout());
            assertFalse(slice.isContiguous());
            slice.fill(7f);
            slice.set(9f, 1, 1, 2, 3); // logical channel 1 of the slice = channel 2 of the parent
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 5; c++) {
                    for (int h = 0; h < 3; h++) {
                        for (int w = 0; w < 4; w++) {
                            float want = c == 1 || c == 2 ? 7f : 0f;
                            if (n == 1 && c == 2 && h == 2 && w == 3) {
                                want = 9f;
                            }
                            assertEquals(want, parent.get(n, c, h, w));
                        }
                    }
                }
            }
            // copyFrom/toArray through a strided view: the slice's own storage order
            float[] data = storageOrder(2, 2, 3, 4, layout);
            slice.copyFrom(data);
            assertArrayEquals(data, slice.toArray());
            assertEquals(code(1, 0, 2, 1), parent.get(1, 1, 2, 1));
            assertEquals(code(0, 1, 0, 3), parent.get(0, 2, 0, 3));
            assertEquals(0f, parent.get(0, 0, 0, 0));
            assertEquals(0f, parent.get(1, 4, 2, 3));
            assertTrue(slice.toString().contains("strided view"), slice.toString());
        }
    }

    @Test
    void batchSliceWritesIntoItsParent() {
        try (TensorScope s = new TensorScope()) {
            Tensor parent = s.allocate(Shape.of(3, 2, 2, 2), Layout.NHWC);
            Tensor item = parent.batchSlice(1, 1);
            assertEquals(Shape.of(1, 2, 2, 2), item.shape());
            assertTrue(item.isContiguous());
            item.copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
            float[] all = parent.toArray();
            float[] want = new float[24];
            for (int i = 0; i < 8; i++) {
                want[8 + i] = i + 1;
            }
            assertArrayEquals(want, all);
            assertEquals(2f, parent.get(1, 1, 0, 0)); // NHWC: element 1 of the item is channel 1
            assertThrows(IndexOutOfBoundsException.class, () -> parent.batchSlice(2, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> parent.channelSlice(0, 0));
        }
    }

    @Test
    void flattenFollowsTheStorageOrder() {
        try (TensorScope s = new TensorScope()) {
            Tensor nhwc = s.fromArray(storageOrder(2, 3, 2, 2, Layout.NHWC), Shape.of(2, 3, 2, 2), Layout.NHWC);
            Tensor flat = nhwc.flatten();
            assertEquals(Shape.of(2, 12), flat.shape());
            // Keras order: (h, w, c)
            int k = 0;
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 2; w++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(code(1, c, h, w), flat.get(1, k++));
                    }
                }
            }
            Tensor nchw = s.fromArray(storageOrder(2, 3, 2, 2, Layout.NCHW), Shape.of(2, 3, 2, 2), Layout.NCHW);
            Tensor flat2 = nchw.flatten();
            k = 0;
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 2; h++) {
                    for (int w = 0; w < 2; w++) {
                        assertEquals(code(0, c, h, w), flat2.get(0, k++));
                    }
                }
            }
            // a view of the same memory
            flat.set(-5f, 0, 0);
            assertEquals(-5f, nhwc.get(0, 0, 0, 0));
            assertThrows(IllegalStateException.class, () -> nhwc.channelSlice(0, 1).flatten());
        }
    }

    @Test
    void toStringShowsShapeAndLayoutNotData() {
        try (TensorScope s = new TensorScope()) {
            Tensor big = s.allocate(Shape.of(1, 3, 224, 224), Layout.NHWC);
            big.fill(1.5f);
            String str = big.toString();
            assertEquals("Tensor[F32 NHWC (1, 224, 224, 3), host]", str);
            Tensor nchw = s.allocate(Shape.of(8, 3, 32, 32), Layout.NCHW);
            assertEquals("Tensor[F32 NCHW (8, 3, 32, 32), host]", nchw.toString());
            assertFalse(str.contains("1.5"));
        }
    }

    @Test
    void shapeRejectsBadDimensions() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1, 0, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1, -2));
        assertThrows(IllegalArgumentException.class, Shape::of);
        assertEquals("[1, 3, 32, 32]", Shape.nchw(1, 3, 32, 32).toString());
        assertEquals(3 * 32 * 32, Shape.of(4, 3, 32, 32).perItem());
        assertEquals("(None, 26, 26, 32)", Layout.NHWC.format(Shape.of(1, 32, 26, 26), "None"));
        assertEquals("(None, 32, 26, 26)", Layout.NCHW.format(Shape.of(1, 32, 26, 26), "None"));
    }
}
