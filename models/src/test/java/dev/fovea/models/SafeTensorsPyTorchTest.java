package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PyTorch state_dicts written by {@code models/src/test/python/write_pytorch_weights.py} (Debian's python3-torch)
 * load into the equivalent Fovea models, which then compute what PyTorch computed for the same input.
 */
class SafeTensorsPyTorchTest {
    /** Largest |Fovea − PyTorch| accepted, relative to the largest |PyTorch output| (at least 1). */
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(SafeTensorsPyTorchTest.class.getResource("pytorch/" + name).toURI());
    }

    /** Every tensor of a file as floats in logical order, with its shape. */
    private record Array(long[] shape, float[] values) {
    }

    private static Map<String, Array> readAll(Path file) throws IOException {
        Map<String, Array> out = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = SafeTensors.map(ch, arena);
            SafeTensors.Header h = SafeTensors.parse(data, file);
            for (SafeTensors.TensorInfo t : h.tensors()) {
                if (!SafeTensors.FLOAT_DTYPES.contains(t.dtype())) {
                    continue;  // num_batches_tracked
                }
                out.put(t.name(), new Array(t.shape(), SafeTensors.floats(data, h, t, file)));
            }
        }
        return out;
    }

    /** PyTorch's nn.Sequential of the script: conv, BN, ReLU, max pool, conv, BN, ReLU, flatten, linear ×2. */
    private static Model sequential(Layout layout) {
        return Sequential.builder(Input.image(12, 12, 3), layout).name("torch-sequential").seed(7)
                .add(Conv2D.of(8, 3).padding(Padding.explicit(1)))
                .add(BatchNormalization.create().epsilon(1e-5f))
                .add(ActivationLayer.relu())
                .add(Pooling2D.max(2))
                .add(Conv2D.of(12, 3).useBias(false))
                .add(BatchNormalization.create().epsilon(1e-5f))
                .add(ActivationLayer.relu())
                .add(Flatten.create())
                .add(Dense.of(32).activation(Activation.RELU))
                .add(Dropout.of(0.2))
                .add(Dense.of(10))
                .build();
    }

    /** The script's module with named children: features.conv, features.bn, head. */
    private static Model named(Layout layout) {
        return Sequential.builder(Input.image(10, 10, 1), layout).name("torch-named").seed(7)
                .add(Conv2D.of(4, 3).name("conv"))
                .add(BatchNormalization.create().epsilon(1e-5f).name("bn"))
                .add(ActivationLayer.relu())
                .add(Pooling2D.average(2))
                .add(Flatten.create())
                .add(Dropout.of(0.5))
                .add(Dense.of(6).name("fc"))
                .build();
    }

    /** Runs {@code model} on the file's NCHW input; the largest difference from its output, relative. */
    private static double relativeError(Model model, String backend, Map<String, Array> io) {
        Array in = io.get("input");
        Array want = io.get("output");
        int n = (int) in.shape()[0];
        float[] got;
        try (Engine engine = Engine.open(backend); Inference net = model.compile(engine);
             TensorScope scope = new TensorScope()) {
            Tensor x = scope.allocate(model.inputShape(n), Layout.NCHW);
            x.copyFrom(in.values());
            got = net.predict(x, scope).toArray();
        }
        assertEquals(want.values().length, got.length);
        double scale = 1;
        double diff = 0;
        for (int i = 0; i < got.length; i++) {
            scale = Math.max(scale, Math.abs(want.values()[i]));
            diff = Math.max(diff, Math.abs(got[i] - want.values()[i]));
        }
        return diff / scale;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "f32, NHWC, reference", "f32, NCHW, reference", "f32, NHWC, vector", "f32, NCHW, vector",
            "f16, NHWC, reference", "f16, NCHW, vector", "bf16, NHWC, reference", "f64, NCHW, reference"})
    void sequentialPredictsLikePyTorch(String dtype, Layout layout, String backend) throws Exception {
        try (Model model = sequential(layout)) {
            SafeTensors.loadPyTorch(model, resource("sequential-" + dtype + ".safetensors"));
            double err = relativeError(model, backend, readAll(resource("sequential-" + dtype + "-io.safetensors")));
            assertTrue(err <= TOLERANCE, dtype + " " + layout + " " + backend + ": relative error " + err);
        }
    }

    @Test
    void halfPrecisionWeightsStayCloseToTheFloatModel() throws Exception {
        // The F16 file's weights are the F32 model's rounded to half precision (11 significant bits): the
        // outputs move by about 1e-4 of their largest value (9e-5 here).
        try (Model model = sequential(Layout.NHWC)) {
            SafeTensors.loadPyTorch(model, resource("sequential-f16.safetensors"));
            double err = relativeError(model, "reference", readAll(resource("sequential-f32-io.safetensors")));
            assertTrue(err <= 1e-3, "relative error " + err);
            assertTrue(err > TOLERANCE, "the F16 weights should differ from the F32 ones: " + err);
        }
    }

    @Test
    void weightsAreConvertedExactly() throws Exception {
        Map<String, Array> torch = readAll(resource("sequential-f32.safetensors"));
        try (Model model = sequential(Layout.NCHW)) {
            SafeTensors.loadPyTorch(model, resource("sequential-f32.safetensors"));
            List<String> layers = List.of("conv2d", "batch_normalization", "conv2d_1", "batch_normalization_1",
                    "dense", "dense_1");
            Map<String, Tensor> w = model.namedWeights();
            assertEquals(w.keySet().stream().map(k -> k.substring(0, k.lastIndexOf('.'))).distinct().toList(),
                    layers);
            assertArrayEquals(torch.get("0.weight").values(), w.get("conv2d.kernel").toArray());
            assertArrayEquals(torch.get("1.running_var").values(),
                    w.get("batch_normalization.moving_variance").toArray());
            assertArrayEquals(torch.get("5.weight").values(), w.get("batch_normalization_1.gamma").toArray());
            // Linear [U, F] becomes Dense [F, U].
            float[] linear = torch.get("11.weight").values();
            Tensor kernel = w.get("dense_1.kernel");
            assertEquals(Shape.of(32, 10), kernel.shape());
            for (int f = 0; f < 32; f++) {
                for (int u = 0; u < 10; u++) {
                    assertEquals(linear[u * 32 + f], kernel.get(f, u));
                }
            }
        }
        // In NHWC, the first dense layer's row (h, w, c) is PyTorch's column (c, h, w): c·16 + h·4 + w.
        try (Model model = sequential(Layout.NHWC)) {
            SafeTensors.loadPyTorch(model, resource("sequential-f32.safetensors"));
            float[] linear = torch.get("8.weight").values();
            Tensor kernel = model.namedWeights().get("dense.kernel");
            int c = 5;
            int h = 2;
            int wi = 3;
            int row = (h * 4 + wi) * 12 + c;
            for (int u = 0; u < 32; u++) {
                assertEquals(linear[u * 192 + c * 16 + h * 4 + wi], kernel.get(row, u));
            }
        }
    }

    @Test
    void namedModulesLoadThroughTheMap() throws Exception {
        Map<String, String> map = Map.of("conv", "features.conv", "bn", "features.bn", "fc", "head");
        for (Layout layout : Layout.values()) {
            try (Model model = named(layout)) {
                SafeTensors.loadPyTorch(model, resource("named-f32.safetensors"), map);
                double err = relativeError(model, "reference", readAll(resource("named-f32-io.safetensors")));
                assertTrue(err <= TOLERANCE, layout + ": relative error " + err);
            }
        }
    }

    @Test
    void aPartialMapLeavesTheRestToTheConvention() throws Exception {
        // The map names the head; "features.conv" and "features.bn" differ in more than numbers.
        try (Model model = named(Layout.NHWC)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadPyTorch(model,
                    resource("named-f32.safetensors"), Map.of("fc", "head")));
            assertEquals(1, e.problems().size(), e.getMessage());
            String p = e.problems().getFirst();
            assertTrue(p.contains("'features.bn' and 'features.conv'") || p.contains("'features.conv' and"
                    + " 'features.bn'"), p);
            assertTrue(p.contains("[conv, bn]"), p);
            assertTrue(e.getMessage().startsWith(resource("named-f32.safetensors").toString()), e.getMessage());
        }
    }

    @Test
    void wrongModelIsReportedWholeAndLeavesTheWeightsAlone() throws Exception {
        // A model whose second convolution has a bias and 16 filters, and whose last dense layer is missing.
        try (Model model = Sequential.builder(Input.image(12, 12, 3), Layout.NHWC).seed(3)
                .add(Conv2D.of(8, 3).padding(Padding.explicit(1)))
                .add(BatchNormalization.create().epsilon(1e-5f))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(16, 3))
                .add(BatchNormalization.create())
                .add(Flatten.create())
                .add(Dense.of(32))
                .build()) {
            Map<String, float[]> before = new LinkedHashMap<>();
            model.namedWeights().forEach((k, t) -> before.put(k, t.toArray()));
            SafeTensorsException e = assertThrows(SafeTensorsException.class,
                    () -> SafeTensors.loadPyTorch(model, resource("sequential-f32.safetensors")));
            assertEquals(List.of(
                    "Conv2D 'conv2d_1' (from module '4'): tensor '4.weight' has shape [12, 8, 3, 3], the layer's"
                            + " kernel [16, 8, 3, 3] needs [16, 8, 3, 3]",
                    "Conv2D 'conv2d_1' (from module '4'): missing tensor '4.bias' [16] for its bias",
                    "BatchNormalization 'batch_normalization_1' (from module '5'): tensor '5.weight' has shape [12],"
                            + " the layer's gamma [16] needs [16]",
                    "BatchNormalization 'batch_normalization_1' (from module '5'): tensor '5.bias' has shape [12],"
                            + " the layer's beta [16] needs [16]",
                    "BatchNormalization 'batch_normalization_1' (from module '5'): tensor '5.running_mean' has"
                            + " shape [12], the layer's moving_mean [16] needs [16]",
                    "BatchNormalization 'batch_normalization_1' (from module '5'): tensor '5.running_var' has"
                            + " shape [12], the layer's moving_variance [16] needs [16]",
                    "Dense 'dense' (from module '8'): tensor '8.weight' has shape [32, 192], the layer's kernel"
                            + " [256, 32] needs [32, 256] (PyTorch's [out, in])"),
                    e.problems().subList(1, e.problems().size()));
            assertTrue(e.problems().getFirst().startsWith("module '11' has no layer left"), e.problems().getFirst());
            model.namedWeights().forEach((k, t) -> assertArrayEquals(before.get(k), t.toArray(), k));
        }
    }

    @Test
    void integerTensorsAndUnknownParametersAreRefused() throws Exception {
        String header = """
                {"0.weight": {"dtype": "I32", "shape": [2, 1, 1, 1], "data_offsets": [0, 8]},
                 "0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
                 "0.scale": {"dtype": "F32", "shape": [1], "data_offsets": [16, 20]}}""";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = Files.write(dir.resolve("ints.safetensors"), b.array());
        try (Model model = Sequential.builder(Input.image(2, 2, 1), Layout.NHWC).add(Conv2D.pointwise(2)).build()) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadPyTorch(model, f));
            assertEquals(List.of(
                    "Conv2D 'conv2d' (from module '0'): tensor '0.weight' has dtype I32; weights are read from F32,"
                            + " F16, BF16, F64",
                    "Conv2D 'conv2d' (from module '0'): unexpected tensor '0.scale' (F32 [1]): the layer has kernel,"
                            + " bias"), e.problems());
        }
    }

    @Test
    void sequentialOrderComparesNumbersAsNumbers() throws Exception {
        // The file lists 0, 1, 11, 4, 5, 8 (sorted as text); the layers take 0, 1, 4, 5, 8, 11.
        Map<String, Array> torch = readAll(resource("sequential-f32.safetensors"));
        assertEquals(List.of("0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean",
                "1.running_var", "1.weight", "11.bias", "11.weight"), SafeTensors.readHeader(
                resource("sequential-f32.safetensors")).tensors().stream().limit(9).map(t -> t.name()).toList());
        try (Model model = sequential(Layout.NHWC)) {
            SafeTensors.loadPyTorch(model, resource("sequential-f32.safetensors"));
            assertArrayEquals(torch.get("11.bias").values(), model.namedWeights().get("dense_1.bias").toArray());
            assertArrayEquals(torch.get("8.bias").values(), model.namedWeights().get("dense.bias").toArray());
        }
    }

    @Test
    void f64BeyondTheFloatRangeIsAnError() throws Exception {
        String header = """
                {"0.weight": {"dtype": "F64", "shape": [1, 1, 1, 1], "data_offsets": [0, 8]}}""";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putDouble(1e300);
        Path f = Files.write(dir.resolve("big.safetensors"), b.array());
        try (Model model = Sequential.builder(Input.image(2, 2, 1), Layout.NHWC)
                .add(Conv2D.pointwise(1).useBias(false)).build()) {
            float[] before = model.namedWeights().get("conv2d.kernel").toArray();
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadPyTorch(model, f));
            assertTrue(e.getMessage().contains("tensor '0.weight' (F64) holds 1.0E300 at element 0"), e.getMessage());
            assertArrayEquals(before, model.namedWeights().get("conv2d.kernel").toArray());
        }
    }

    @Test
    void fp16AndBf16BitsConvertExactly() throws Exception {
        // 1.5, -2^-24 (F16's smallest subnormal), 65504 (F16's largest), -0.0, +inf, NaN; BF16 of 1.5 and -3.0e38.
        short[] f16 = {0x3e00, (short) 0x8001, 0x7bff, (short) 0x8000, 0x7c00, 0x7e00};
        short[] bf16 = {0x3fc0, (short) 0xff61};
        String header = """
                {"a": {"dtype": "F16", "shape": [6], "data_offsets": [0, 12]},
                 "b": {"dtype": "BF16", "shape": [2], "data_offsets": [12, 16]}}""";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (short s : f16) {
            b.putShort(s);
        }
        for (short s : bf16) {
            b.putShort(s);
        }
        Map<String, Array> all = readAll(Files.write(dir.resolve("half.safetensors"), b.array()));
        float[] a = all.get("a").values();
        assertArrayEquals(new float[] {1.5f, -0x1p-24f, 65504f, -0.0f, Float.POSITIVE_INFINITY, Float.NaN}, a);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(a[3]));
        assertArrayEquals(new float[] {1.5f, Float.intBitsToFloat(0xff610000)}, all.get("b").values());
        assertTrue(Arrays.equals(new long[] {6}, all.get("a").shape()));
    }

    @Test
    void batchNormWithoutAffineParametersScalesByOne() throws Exception {
        String header = """
                {"0.running_mean": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "0.running_var": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
                 "0.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [16, 24]}}""";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(0.5f).putFloat(-1f).putFloat(4f).putFloat(9f).putLong(100);
        Path f = Files.write(dir.resolve("bn.safetensors"), b.array());
        try (Model model = Sequential.builder(Input.image(2, 2, 2), Layout.NHWC).seed(1)
                .add(BatchNormalization.create()).build()) {
            model.namedWeights().get("batch_normalization.gamma").copyFrom(new float[] {7, 7});
            SafeTensors.loadPyTorch(model, f);
            Map<String, Tensor> w = model.namedWeights();
            assertArrayEquals(new float[] {1, 1}, w.get("batch_normalization.gamma").toArray());
            assertArrayEquals(new float[] {0, 0}, w.get("batch_normalization.beta").toArray());
            assertArrayEquals(new float[] {0.5f, -1}, w.get("batch_normalization.moving_mean").toArray());
            assertArrayEquals(new float[] {4, 9}, w.get("batch_normalization.moving_variance").toArray());
        }
    }

    @Test
    void aTruncatedFileIsRefusedBeforeAnythingIsRead() throws Exception {
        byte[] all = Files.readAllBytes(resource("sequential-f32.safetensors"));
        Path f = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(all, all.length - 100));
        try (Model model = sequential(Layout.NHWC)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadPyTorch(model, f));
            assertTrue(e.getMessage().startsWith(f + ": malformed safetensors header"), e.getMessage());
            assertTrue(e.getMessage().contains("beyond the end of the file (" + (all.length - 100) + " bytes;"
                    + " truncated?)"), e.getMessage());
        }
    }
}
