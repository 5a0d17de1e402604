package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.ValidationException;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTest {
    @Test
    void ranksLargestFirstTiesByIndexNanLast() {
        Prediction p = Prediction.of(Shape.of(2, 5), new float[] {0.1f, Float.NaN, 0.7f, 0.1f, -2f,
                3f, 3f, -1f, 5f, 0f}, List.of());
        assertEquals(Shape.of(2, 5), p.shape());
        assertEquals(2, p.batch());
        assertEquals(5, p.classes());
        assertArrayEquals(new int[] {2, 3}, p.argmax());
        assertEquals(List.of(new Prediction.Score(2, "class 2", 0.7f), new Prediction.Score(0, "class 0", 0.1f),
                new Prediction.Score(3, "class 3", 0.1f), new Prediction.Score(4, "class 4", -2f)), p.topK(0, 4));
        assertEquals(1, p.topK(0, 9).getLast().index(), "NaN ranks last");
        assertEquals(List.of(3, 0, 1), p.topK(1, 3).stream().map(Prediction.Score::index).toList());
        assertArrayEquals(new float[] {3f, 3f, -1f, 5f, 0f}, p.item(1));
        assertEquals(5f, p.get(1, 3));
        assertEquals("class 8 0.700", new Prediction.Score(8, "class 8", 0.7f).toString());
    }

    @Test
    void labelsNameTheClasses() {
        Prediction p = Prediction.of(Shape.of(1, 3), new float[] {0.2f, 0.5f, 0.3f}, List.of("cat", "dog", "fox"));
        assertEquals(List.of("dog 0.500", "fox 0.300"), p.topK(0, 2).stream().map(Object::toString).toList());
        assertEquals("class 1", p.withLabels(List.of()).topK(0, 1).getFirst().label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.withLabels(List.of("a", "b")));
        assertEquals("2 labels for 3 values per item (one label per class, in class order)", e.getMessage());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Prediction.of(Shape.of(2, 3), new float[5], List.of()));
        Prediction p = Prediction.of(Shape.of(2, 3), new float[6], List.of());
        assertThrows(IndexOutOfBoundsException.class, () -> p.argmax(2));
        assertThrows(IndexOutOfBoundsException.class, () -> p.get(0, 3));
        assertThrows(IllegalArgumentException.class, () -> p.topK(0, 0));
        float[] values = p.values();
        values[0] = 9;
        assertEquals(0f, p.get(0, 0), "values() is a copy");
    }

    @Test
    void inferenceResultsCarryShapeLogicalOrderAndTheModelsLabels() {
        // An NHWC model whose output is 4-D: prediction() gives the logical [N, C, H, W] order.
        try (Model m = Sequential.builder(Input.image(2, 3, 1), Layout.NHWC).seed(3)
                .add(Conv2D.pointwise(2)).build();
             Model classifier = Sequential.builder(Input.image(2, 2, 1), Layout.NHWC).seed(3)
                     .add(Flatten.create()).add(Dense.of(3)).build();
             Engine e = Engine.open("reference");
             Inference net = m.compile(e);
             Inference cls = classifier.compile(e)) {
            float[] x = {1, 2, 3, 4, 5, 6, -1, 0, 1, 2, 3, 4};
            Prediction p = net.prediction(x, 2);
            assertEquals(Shape.of(2, 2, 2, 3), p.shape());
            float[] nhwc = net.predict(x, 2);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 2; c++) {
                    for (int i = 0; i < 6; i++) {
                        assertEquals(nhwc[n * 12 + i * 2 + c], p.get(n, c * 6 + i));
                    }
                }
            }
            assertTrue(p.labels().isEmpty());

            classifier.setLabels(List.of("a", "b", "c"));
            float[] y = cls.predict(new float[] {1, 0, 0, 1}, 1);
            Prediction q = cls.prediction(new float[] {1, 0, 0, 1}, 1);
            assertArrayEquals(y, q.values());
            int best = y[0] >= y[1] && y[0] >= y[2] ? 0 : y[1] >= y[2] ? 1 : 2;
            assertEquals(List.of("a", "b", "c").get(best), q.topK(0, 1).getFirst().label());
            ValidationException bad = assertThrows(ValidationException.class,
                    () -> classifier.setLabels(List.of("a", "b")));
            assertTrue(bad.getMessage().contains("has 3 classes, got 2 labels"), bad.getMessage());
        }
    }
}
