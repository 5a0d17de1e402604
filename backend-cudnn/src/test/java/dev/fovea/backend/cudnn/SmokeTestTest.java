package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fovea.engine.Engine;
import org.junit.jupiter.api.Test;

/** The probe's convolution and its expected values agree on the reference backend: a GPU mismatch is cuDNN's. */
class SmokeTestTest {
    @Test
    void theProbesExpectedValuesAreTheReferenceResult() {
        try (Engine reference = Engine.open("reference")) {
            assertNull(SmokeTest.convolve(reference.backend()));
        }
    }
}
