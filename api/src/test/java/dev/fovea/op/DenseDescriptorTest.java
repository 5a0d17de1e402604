package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

class DenseDescriptorTest {
    @Test
    void shapesAndParameterCounts() {
        DenseDescriptor d = DenseDescriptor.create("Dense 'd'", Shape.of(1, 1600), 128, true, Activation.RELU);
        assertEquals(Shape.of(1, 128), d.output());
        assertEquals(Shape.of(1600, 128), d.weightShape());
        assertEquals(204_928, d.parameterCount()); // fashion-cnn's first dense layer
        assertEquals(650, DenseDescriptor.create("Dense 'd'", Shape.of(1, 64), 10, true, Activation.NONE)
                .parameterCount());
        assertEquals(640, DenseDescriptor.create("Dense 'd'", Shape.of(4, 64), 10, false, Activation.NONE)
                .parameterCount());
    }

    @Test
    void rankFourInputAsksForFlatten() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> DenseDescriptor.create("Dense 'd'", Shape.of(1, 64, 3, 3), 10, true, Activation.NONE));
        assertEquals("Dense 'd'", e.subject());
        assertEquals("input", e.violations().getFirst().parameter());
        assertTrue(e.getMessage().startsWith("Dense 'd': input must be 2-D [N, F] (add a Flatten layer), got 4-D"
                + " [1, 64, 3, 3]"), e.getMessage());
    }

    @Test
    void unitsAndActivationReportedTogether() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> DenseDescriptor.create("Dense 'd'", Shape.of(1, 64), 0, true, null));
        assertEquals(2, e.violations().size());
        assertTrue(e.getMessage().contains("units 0 must be > 0"), e.getMessage());
        assertTrue(e.getMessage().contains("activation must not be null"), e.getMessage());
    }
}
