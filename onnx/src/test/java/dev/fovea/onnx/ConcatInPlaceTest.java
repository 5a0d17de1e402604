package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Layout;
import java.util.SplittableRandom;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Placing concatenations' inputs in their outputs (each producer writing into its channel slice, no copy) changes
 * no result: torchvision's models give bit for bit the outputs of the same model compiled with every concatenation
 * copying ({@code -Dfovea.concatInPlace=false}), channels-last (and channels-first for two), and the models with
 * concatenations hold fewer activation bytes.
 */
class ConcatInPlaceTest {
    private static final String PROPERTY = "fovea.concatInPlace";
    /** The models whose graphs concatenate on channels. */
    private static final Set<String> CONCATENATING = Set.of("googlenet", "squeezenet1_1", "densenet121",
            "shufflenet_v2_x1_0");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "googlenet", "squeezenet1_1", "densenet121", "mobilenet_v2",
        "efficientnet_b0", "resnet50", "shufflenet_v2_x1_0"})
    void sameOutputsAsCopying(String name) throws Exception {
        // NHWC is what fovea bench runs; NCHW at batch 2 gives slices that are strided across the batch only
        // (DenseNet's chains there; the api module's graphs cover the other patterns in both layouts).
        check(name, Layout.NHWC, 1);
        if (name.equals("densenet121") || name.equals("googlenet")) {
            check(name, Layout.NCHW, 2);
        }
    }

    private static void check(String name, Layout layout, int batch) throws Exception {
        try (Model model = Onnx.load(TorchvisionModels.file(name + "-op13"), layout);
             Engine engine = Engine.open("vector")) {
            float[] x = input(Math.toIntExact(model.inputShape(batch).elementCount()));
            float[] copied;
            long copiedBytes;
            String before = System.getProperty(PROPERTY);
            System.setProperty(PROPERTY, "false");
            try (Inference net = model.compile(engine)) {
                copied = net.predict(x, batch);
                copiedBytes = net.activationBytes(batch);
            } finally {
                if (before == null) {
                    System.clearProperty(PROPERTY);
                } else {
                    System.setProperty(PROPERTY, before);
                }
            }
            try (Inference net = model.compile(engine)) {
                float[] placed = net.predict(x, batch);
                assertArrayEquals(copied, placed, name + " " + layout + " batch " + batch
                        + ": outputs differ from those of the copying concatenations");
                // A second pass reuses the activation arena, with the buffers the first pass placed.
                assertArrayEquals(copied, net.predict(x, batch), name + " " + layout + " batch " + batch
                        + ": second pass");
                long placedBytes = net.activationBytes(batch);
                if (CONCATENATING.contains(name)) {
                    assertTrue(placedBytes < copiedBytes, name + ": activations " + placedBytes
                            + " bytes placed, not fewer than " + copiedBytes + " copying");
                } else {
                    assertEquals(copiedBytes, placedBytes, name + ": no concatenation, same activations");
                }
            }
        }
    }

    private static float[] input(int count) {
        SplittableRandom r = new SplittableRandom(20);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }
}
