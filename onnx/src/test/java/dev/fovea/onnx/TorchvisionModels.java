package dev.fovea.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The torchvision test models: exported on first use by {@code onnx-models/export_torchvision.py} (Debian's
 * {@code python3-torch}, {@code python3-torchvision}, {@code python3-onnx}) into {@code -Dfovea.onnx.models}
 * (default {@code onnx/target/torchvision}), where later runs reuse them. Without Python's torch the tests skip
 * with the reason, unless {@code -Dfovea.onnx.requireModels=true} (CI) turns that into a failure.
 */
final class TorchvisionModels {
    private static final List<String> NAMES = List.of("resnet18", "resnet50", "googlenet", "inception_v3",
            "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1", "densenet121", "alexnet", "vgg11",
            "efficientnet_b0", "shufflenet_v2_x1_0");

    private TorchvisionModels() {
    }

    static List<String> names() {
        return NAMES;
    }

    /** The file {@code name} ({@code resnet18-op13}), exported now if it is missing. */
    static synchronized Path file(String name) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("fovea.onnx.models", "target/torchvision")).toAbsolutePath();
        Path file = dir.resolve(name + ".onnx");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path script = Path.of("..", "onnx-models", "export_torchvision.py").toAbsolutePath().normalize();
        String model = name.substring(0, name.lastIndexOf('-'));
        String opset = name.substring(name.lastIndexOf("-op") + 3);
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(python(), script.toString(), dir.toString(), "--models", model, "--opsets",
                opset).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(file)) {
            String reason = "exporting " + name + " with " + script + " failed (needs python3-torch,"
                    + " python3-torchvision, python3-onnx): " + log.strip();
            if (Boolean.getBoolean("fovea.onnx.requireModels")) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        return file;
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
