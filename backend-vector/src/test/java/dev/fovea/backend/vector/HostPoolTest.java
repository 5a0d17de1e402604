package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Large tensors from the vector backend are recycled between scopes, zero-filled, and die with their scope. */
class HostPoolTest {
    @Test
    void recycledTensorsAreZeroAndTiedToTheirScope() {
        Shape shape = Shape.of(4, 64, 32, 32);
        Tensor first;
        try (TensorScope s = new TensorScope()) {
            first = Oracle.VECTOR.allocate(shape, Layout.NHWC, s);
            assertTrue(first.isHost() && first.isContiguous());
            assertEquals(0, first.buffer().address() % TensorScope.ALIGNMENT, "64-byte aligned");
            first.fill(3f);
        }
        assertFalse(first.isAlive());
        assertThrows(IllegalStateException.class, () -> Oracle.VECTOR.copy(first, first));
        try (TensorScope s = new TensorScope()) {
            Tensor again = Oracle.VECTOR.allocate(shape, Layout.NHWC, s);
            float[] v = again.toArray();
            for (float f : v) {
                assertEquals(0f, f);
            }
            Tensor small = Oracle.VECTOR.allocate(Shape.of(1, 3, 4, 4), Layout.NCHW, s);
            assertEquals(48, small.toArray().length);
        }
    }

    @Test
    void aSlightlySmallerTensorReusesABlockAndSeesOnlyZeros() {
        HostPool pool = new HostPool();
        long address;
        try (TensorScope s = new TensorScope()) {
            Tensor t = pool.allocate(Shape.of(32, 64, 16, 16), Layout.NHWC, s);
            address = t.buffer().address();
            t.fill(7f);
        }
        assertEquals(32L * 64 * 16 * 16 * 4, pool.pooledBytes());
        try (TensorScope s = new TensorScope()) {
            Tensor t = pool.allocate(Shape.of(31, 64, 16, 16), Layout.NHWC, s);
            assertEquals(address, t.buffer().address(), "batch 31 takes batch 32's block");
            assertEquals(31L * 64 * 16 * 16 * 4, t.buffer().byteSize(), "the tensor sees its own size only");
            for (float f : t.toArray()) {
                assertEquals(0f, f);
            }
            assertEquals(0, pool.pooledBytes());
        }
        assertEquals(32L * 64 * 16 * 16 * 4, pool.pooledBytes(), "the whole block comes back");
        try (TensorScope s = new TensorScope()) {
            Tensor t = pool.allocate(Shape.of(16, 64, 16, 16), Layout.NHWC, s);
            assertTrue(t.buffer().address() != address, "a block twice the size is not taken");
        }
    }

    @Test
    void changingSizesKeepTheNewestBlocksWithinTheLimit() {
        long mib = 1 << 20;
        HostPool pool = new HostPool(8 * mib);
        long lastAddress = 0;
        for (int n = 1; n <= 40; n++) {
            // 1, 2, 4 MiB (+ a little) in turn: sizes that never fit each other's blocks.
            Shape shape = Shape.of(1, 1, 1, (int) ((1L << (n % 3)) * mib / 4) + n);
            try (TensorScope s = new TensorScope()) {
                lastAddress = pool.allocate(shape, Layout.NHWC, s).buffer().address();
            }
            assertTrue(pool.pooledBytes() <= 8 * mib, "pooled " + pool.pooledBytes() + " after " + n);
        }
        assertTrue(pool.pooledBytes() > 4 * mib, "the pool still holds blocks: " + pool.pooledBytes());
        try (TensorScope s = new TensorScope()) {
            Shape again = Shape.of(1, 1, 1, (int) ((1L << (40 % 3)) * mib / 4) + 40);
            assertEquals(lastAddress, pool.allocate(again, Layout.NHWC, s).buffer().address(),
                    "the block given back last is kept");
        }
    }
}
