package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import dev.fovea.nn.Prediction;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fovea predict --pytorch ZOO_MODEL --weights F}: a state_dict named and laid out as PyTorch saves it. */
class PredictPyTorchTest {
    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        CommandLine cli = new CommandLine(new Fovea());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("fovea: " + e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /**
     * lenet5's weights as PyTorch's nn.Sequential of the same layers would save them: modules numbered by position
     * (c1 0, s2 1, c3 2, s4 3, c5 4, flatten 5, f6 6, output 7), Linear weights [out, in]. c5's output is 1×1, so
     * the flatten order is the same in both frameworks.
     */
    private static void writeAsPyTorch(Model m, Path file) throws Exception {
        Map<String, String> modules = Map.of("c1", "0", "c3", "2", "c5", "4", "f6", "6", "output", "7");
        List<String> entries = new ArrayList<>();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> w : m.namedWeights().entrySet()) {
            String layer = w.getKey().substring(0, w.getKey().indexOf('.'));
            String param = w.getKey().endsWith(".kernel") ? "weight" : "bias";
            int[] dims = w.getValue().shape().dims();
            float[] v = w.getValue().toArray();
            if (layer.startsWith("f") || layer.equals("output")) {
                if (param.equals("weight")) {
                    float[] t = new float[v.length];
                    for (int f = 0; f < dims[0]; f++) {
                        for (int u = 0; u < dims[1]; u++) {
                            t[u * dims[0] + f] = v[f * dims[1] + u];
                        }
                    }
                    v = t;
                    dims = new int[] {dims[1], dims[0]};
                }
            }
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            entries.add("\"" + modules.get(layer) + "." + param + "\":{\"dtype\":\"F32\",\"shape\":"
                    + java.util.Arrays.toString(dims).replace(" ", "") + ",\"data_offsets\":[" + data.size() + ","
                    + (data.size() + v.length * 4) + "]}");
            data.write(b.array());
        }
        byte[] header = ("{" + entries.stream().collect(Collectors.joining(",")) + "}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(head.array());
        all.write(header);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    @Test
    void predictsWithPyTorchWeightsLikeTheModelTheyCameFrom() throws Exception {
        Path weights = tmp.resolve("lenet5-torch.safetensors");
        Path png = tmp.resolve("digit.png");
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, Math.abs(x - 16) < 3 && y > 4 && y < 28 ? 0xffffff : 0x000000);
            }
        }
        ImageIO.write(img, "png", png.toFile());
        String want;
        try (Model m = ModelZoo.build("lenet5", 5); Engine e = Engine.open("reference");
             Inference net = m.compile(e)) {
            writeAsPyTorch(m, weights);
            Prediction p = net.prediction(PredictCommand.preprocess(png, 32, 32), 1);
            want = png + ": " + p.topK(0, 4).stream().map(Object::toString).collect(Collectors.joining(", "));
        }
        String[] r = run("--backend", "reference", "predict", "--pytorch", "lenet5", "--weights", weights.toString(),
                "--top", "4", png.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(want, r[1].strip());
        assertTrue(want.matches(".*: \\d 0\\.\\d{3}, \\d .*"), "digit labels from the zoo: " + want);
    }

    @Test
    void pyTorchOptionIsChecked() throws Exception {
        Path png = tmp.resolve("x.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        String[] r = run("predict", "--pytorch", "resnet", "--weights", png.toString(), png.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--pytorch: unknown zoo model 'resnet'; known: mnist-cnn"), r[2]);
        r = run("predict", "--pytorch", "lenet5", "--model", png.toString(), png.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("it does not apply to --model"), r[2]);
        // A Fovea file is not a PyTorch state_dict: the names say so before anything is loaded.
        Path fovea = tmp.resolve("fovea.safetensors");
        try (Model m = ModelZoo.build("lenet5", 1)) {
            dev.fovea.models.SafeTensors.save(m, fovea);
        }
        r = run("--backend", "reference", "predict", "--pytorch", "lenet5", "--weights", fovea.toString(),
                png.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("modules 'c1' and 'c3' differ in more than their numbers")
                || r[2].contains("differ in more than their numbers"), r[2]);
    }
}
