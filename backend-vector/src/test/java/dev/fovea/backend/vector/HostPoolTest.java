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
}
