package dev.fovea.examples;

import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Takes a model from the zoo, writes it as an ONNX file, loads that file back and checks that both predict
 * the same: the path a model exported elsewhere (PyTorch's torch.onnx.export) takes into Fovea.
 */
public final class ZooToOnnx {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("fovea-onnx");
        Path file = dir.resolve("lenet5.onnx");
        try (Model zoo = ModelZoo.build("lenet5", 42);
             Engine engine = Engine.open()) {
            Onnx.save(zoo, file);
            System.out.printf("wrote %s (%d bytes); Fovea reads these operators: %s%n", file.getFileName(),
                    Files.size(file), Onnx.supportedOperators());
            try (Model loaded = Onnx.load(file);
                 Inference original = zoo.compile(engine);
                 Inference imported = loaded.compile(engine)) {
                System.out.print(loaded.summary());
                int batch = 4;
                float[] input = new float[Math.toIntExact(loaded.inputShape(batch).elementCount())];
                SplittableRandom random = new SplittableRandom(1);
                for (int i = 0; i < input.length; i++) {
                    input[i] = (float) random.nextDouble();
                }
                float[] a = original.predict(input, batch);
                float[] b = imported.predict(input, batch);
                double worst = 0;
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                }
                System.out.printf("%d outputs on backend %s; largest difference zoo vs ONNX: %.2e%n", a.length,
                        engine.name(), worst);
                if (a.length != b.length || worst > 1e-5) {
                    throw new IllegalStateException("the ONNX round trip changed the outputs by " + worst);
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
