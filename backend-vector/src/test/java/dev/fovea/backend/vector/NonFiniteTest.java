package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A NaN input gives NaN through a convolution with fused ReLU on every backend (it gave 0 on the reference). */
class NonFiniteTest {
    @Test
    void reluOfNaNIsNaNOnEveryBackend() {
        for (String backend : List.of("reference", "vector")) {
            reluOfNaNIsNaN(backend);
        }
    }

    private static void reluOfNaNIsNaN(String backend) {
        try (Model m = Sequential.builder(Input.image(1, 1, 1), Layout.NHWC)
                .add(Conv2D.of(1, 1).activation(Activation.RELU).name("conv")).build();
             Engine e = Engine.open(backend); Inference net = m.compile(e)) {
            m.setWeights("conv", List.of(new float[] {1}, new float[] {0}));
            assertTrue(Float.isNaN(net.predict(new float[] {Float.NaN}, 1)[0]), backend);
        }
    }
}
