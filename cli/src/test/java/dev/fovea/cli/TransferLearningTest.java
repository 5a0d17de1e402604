package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.nn.GraphLayer;
import dev.fovea.nn.Model;
import dev.fovea.onnx.Onnx;
import dev.fovea.tensor.Layout;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfer learning from an imported model: torchvision's mobilenet_v2 (random weights) re-headed for the 10
 * Fashion-MNIST classes with {@code fovea train --model ... --freeze-until ...}, trained a few steps on a folder of
 * sample pictures (one sub-folder per class) and exported to ONNX: the loss decreases, the frozen layers' weights
 * are bit-identical afterwards, the layers after them changed. The ONNX file is the one the onnx module's tests
 * export ({@code -Dfovea.onnx.models}, default {@code ../onnx/target/torchvision}); without it the test skips,
 * unless {@code -Dfovea.onnx.requireModels=true} (CI).
 */
class TransferLearningTest {
    /** The last frozen layer: everything before the final 1×1 convolution block stays as imported. */
    private static final String FREEZE_UNTIL = "features_17_conv_3_BatchNormalization";

    @TempDir
    Path tmp;

    @Test
    void mobilenetV2ReheadedForTenClassesTrainsItsHeadAndKeepsTheFrozenWeights() throws Exception {
        Path onnx = Path.of(System.getProperty("fovea.onnx.models", "../onnx/target/torchvision"))
                .resolve("mobilenet_v2-op17.onnx").toAbsolutePath();
        if (!Files.isRegularFile(onnx)) {
            String reason = onnx + " is missing: the onnx module's tests export it (python3-torch)";
            if (Boolean.getBoolean("fovea.onnx.requireModels")) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        Path data = pictureFolder(2);
        Path out = tmp.resolve("reheaded.onnx");
        StringWriter log = new StringWriter();
        int code = Fovea.run(new String[] {"--backend", "vector", "train", "--model", onnx.toString(), "--freeze-until",
                FREEZE_UNTIL, "--data", data.toString(), "--epochs", "3", "--batch", "20", "--augment", "none",
                "--schedule", "constant", "--lr", "0.001", "--no-progress", "--out", out.toString()},
                new PrintWriter(log), new PrintWriter(log));
        assertEquals(0, code, log.toString());
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("epoch \\d/3: train loss ([0-9.]+)").matcher(log.toString());
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        assertEquals(3, losses.size(), log.toString());
        assertTrue(losses.get(2) < losses.get(0), "the loss decreases: " + losses);
        try (Model before = Onnx.load(onnx, Layout.NHWC); Model after = Onnx.load(out, Layout.NHWC)) {
            assertEquals(10, after.outputShape(1).perItem(), "the new head has 10 classes");
            Set<String> frozen = new java.util.HashSet<>();
            for (GraphLayer l : before.graph()) {
                frozen.add(l.name());
                if (l.name().equals(FREEZE_UNTIL)) {
                    break;
                }
            }
            Map<String, dev.fovea.tensor.Tensor> old = before.namedWeights();
            int checked = 0;
            boolean laterChanged = false;
            for (Map.Entry<String, dev.fovea.tensor.Tensor> e : after.namedWeights().entrySet()) {
                String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
                dev.fovea.tensor.Tensor was = old.get(e.getKey());
                if (frozen.contains(layer)) {
                    assertArrayEquals(was.toArray(), e.getValue().toArray(), e.getKey() + " is frozen");
                    checked++;
                } else if (was != null && was.shape().equals(e.getValue().shape())) {
                    laterChanged |= !java.util.Arrays.equals(was.toArray(), e.getValue().toArray());
                }
            }
            assertTrue(checked > 100, "frozen weights compared: " + checked);
            assertTrue(laterChanged, "the unfrozen block after " + FREEZE_UNTIL + " was trained");
        }
        assertFalse(log.toString().contains("test accuracy"), "an image folder has no test split here");
    }

    /** {@code perClass} sample pictures of each Fashion-MNIST class, as PNG files in one folder per class. */
    private Path pictureFolder(int perClass) throws Exception {
        Dataset train = Datasets.fashionMnistSample().train();
        Path dir = tmp.resolve("pictures");
        int[] count = new int[10];
        for (int i = 0; i < train.size(); i++) {
            int label = train.label(i);
            if (count[label] == perClass) {
                continue;
            }
            Path classDir = dir.resolve(String.format("%d-%s", label, train.classes().get(label).replace('/', '-')));
            Files.createDirectories(classDir);
            float[] px = train.image(i);
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int k = 0; k < px.length; k++) {
                int v = Math.round(px[k] * 255);
                img.getRaster().setSample(k % 28, k / 28, 0, v);
            }
            ImageIO.write(img, "png", classDir.resolve(i + ".png").toFile());
            count[label]++;
        }
        return dir;
    }
}
