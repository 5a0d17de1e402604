package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeOverflowTest {
    @Test
    void hugeShapesAreRefusedInsteadOfWrappingToZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.of(65536, 65536, 65536, 65536));
        assertTrue(e.getMessage().contains("[65536, 65536, 65536, 65536]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
    }

    @Test
    void largeButAddressableShapesCountExactly() {
        assertEquals(1L << 40, Shape.of(1 << 20, 1 << 20).elementCount());
    }
}
