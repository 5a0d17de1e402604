package dev.fovea.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.data.AtomicFiles;
import dev.fovea.data.Datasets;
import dev.fovea.data.FileFormatException;
import dev.fovea.data.Idx;
import dev.fovea.engine.Engine;
import dev.fovea.models.Images;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Reshape;
import dev.fovea.nn.Sequential;
import dev.fovea.onnx.Onnx;
import dev.fovea.onnx.format.OnnxAttribute;
import dev.fovea.onnx.format.OnnxDataType;
import dev.fovea.onnx.format.OnnxGraph;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxNode;
import dev.fovea.onnx.format.OnnxReader;
import dev.fovea.onnx.format.OnnxTensor;
import dev.fovea.onnx.format.ValueInfo;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Schedule;
import dev.fovea.train.Trainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input matrix: each row is one wrong input through the Java API, the exception type it must raise and the
 * words its message must contain (the file, layer, parameter or setting and the offending numbers). Every row must
 * fail before any work is done and must not crash or hang the JVM.
 */
class BadInputMatrixTest {
    /** One row: what is run, what it must throw, what the message must say. */
    record Row(String name, Class<? extends Throwable> type, List<String> words, Action action) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private static Path dir;
    private static Engine engine;
    private static final List<Row> ROWS = new ArrayList<>();

    private static void row(String name, Class<? extends Throwable> type, Action action, String... words) {
        ROWS.add(new Row(name, type, List.of(words), action));
    }

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("fovea-bad-input");
        engine = Engine.open("reference");
    }

    @AfterAll
    static void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Stream<Row> rows() throws Exception {
        if (ROWS.isEmpty()) {
            if (dir == null) {
                setUp();
            }
            shapes();
            descriptors();
            layers();
            inference();
            tensors();
            settings();
            training();
            idx();
            images();
            safetensors();
            onnx();
            saves();
        }
        return ROWS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void badInputIsRefusedWithAClearMessage(Row row) {
        Throwable thrown = null;
        try {
            row.action.run();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail(row.name + ": accepted; expected " + row.type.getSimpleName());
        }
        if (!row.type.isInstance(thrown)) {
            throw new AssertionError(row.name + ": expected " + row.type.getSimpleName() + ", got " + thrown, thrown);
        }
        String m = String.valueOf(thrown.getMessage());
        for (String w : row.words) {
            assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)),
                    row.name + ": message lacks '" + w + "': " + m);
        }
        // Offsets the reader computes are never negative; a negative one the file gave is quoted as it is.
        assertTrue(row.name.contains("negative") || !m.matches("(?s).*offset -\\d.*"),
                row.name + ": a negative offset in the message: " + m);
    }

    @Test
    void theMatrixHasAtLeastAHundredRows() throws Exception {
        assertTrue(rows().count() >= 100, "rows: " + rows().count());
        assertEquals(rows().count(), rows().map(Row::name).distinct().count(), "row names are unique");
    }

    // ---- rows ----

    private static void shapes() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        row("shape/rank-0", iae, () -> Shape.of(), "rank", "0");
        row("shape/rank-9", iae, () -> Shape.of(1, 1, 1, 1, 1, 1, 1, 1, 1), "rank", "9");
        row("shape/zero-dimension", iae, () -> Shape.of(1, 0, 3), "positive", "[1, 0, 3]");
        row("shape/negative-dimension", iae, () -> Shape.of(2, -3), "positive", "-3");
        row("shape/4x65536-overflows", iae, () -> Shape.of(65536, 65536, 65536, 65536), "2^60", "65536");
        row("shape/int-max-cubed", iae, () -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                "2^60");
    }

    private static void descriptors() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Shape x = Shape.of(1, 3, 8, 8);
        Layout l = Layout.NCHW;
        row("conv/zero-filters", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(0, 3, 3)), "'c'", "filters", "0");
        row("conv/zero-kernel", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 0, 3)), "'c'", "kernel", "0");
        row("conv/zero-stride", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 3, 3).withStride(0, 1)), "'c'", "stride", "0");
        row("conv/zero-dilation", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 3, 3).withDilation(1, 0)), "'c'", "dilation", "0");
        row("conv/groups-do-not-divide-channels", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 3, 3).withGroups(2)), "'c'", "groups", "2", "3");
        row("conv/kernel-larger-than-input", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 9, 9)), "'c'", "9");
        row("conv/negative-padding", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", x, l,
                ConvolutionParams.of(4, 3, 3).withPadding(Padding.explicit(-1))), "'c'", "-1");
        row("conv/rank-2-input", iae, () -> ConvolutionDescriptor.create("Conv2D 'c'", Shape.of(2, 5), l,
                ConvolutionParams.of(4, 3, 3)), "'c'", "[2, 5]");
        row("pool/zero-kernel", iae, () -> PoolingDescriptor.create("MaxPooling2D 'p'", x, l,
                PoolingParams.of(PoolingMode.MAX, 0, 2)), "'p'", "0");
        row("pool/zero-stride", iae, () -> PoolingDescriptor.create("MaxPooling2D 'p'", x, l,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withStride(2, 0)), "'p'", "stride");
        row("pool/window-larger-than-input", iae, () -> PoolingDescriptor.create("MaxPooling2D 'p'", x, l,
                PoolingParams.of(PoolingMode.MAX, 9, 9)), "'p'", "9");
        row("pool/zero-dilation", iae, () -> PoolingDescriptor.create("MaxPooling2D 'p'", x, l,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withDilation(0, 1)), "'p'", "dilation");
        row("dense/zero-units", iae, () -> DenseDescriptor.create("Dense 'd'", Shape.of(2, 5), 0, true,
                Activation.NONE), "'d'", "units", "0");
        row("dense/rank-4-input", iae, () -> DenseDescriptor.create("Dense 'd'", x, 3, true, Activation.NONE),
                "'d'");
        row("clamp/min-nan", iae, () -> ClampDescriptor.create("Clip 'k'", x, l, 1, 0, Float.NaN, 6), "'k'", "min",
                "NaN");
        row("clamp/max-below-min", iae, () -> ClampDescriptor.create("Clip 'k'", x, l, 1, 0, 6, 0), "'k'", "6", "0");
        row("clamp/alpha-infinite", iae, () -> ClampDescriptor.create("Clip 'k'", x, l, Float.POSITIVE_INFINITY, 0,
                0, 6), "'k'", "alpha", "Infinity");
        row("lrn/size-0", iae, () -> LrnDescriptor.create("LRN 'n'", x, l, 0, 1e-4f, 0.75f, 1), "'n'", "size", "0");
        row("lrn/alpha-nan", iae, () -> LrnDescriptor.create("LRN 'n'", x, l, 5, Float.NaN, 0.75f, 1), "'n'", "alpha",
                "NaN");
        row("lrn/beta-nan", iae, () -> LrnDescriptor.create("LRN 'n'", x, l, 5, 1e-4f, Float.NaN, 1), "'n'", "beta",
                "NaN");
        row("lrn/bias-infinite", iae, () -> LrnDescriptor.create("LRN 'n'", x, l, 5, 1e-4f, 0.75f,
                Float.NEGATIVE_INFINITY), "'n'", "bias");
        row("pad/negative", iae, () -> PadDescriptor.create("Pad 'q'", x, l, new int[] {0, 0, -1, 0},
                new int[] {0, 0, 0, 0}, 0), "'q'", "-1");
        row("pad/wrong-rank", iae, () -> PadDescriptor.create("Pad 'q'", x, l, new int[] {1, 1}, new int[] {1, 1}, 0),
                "'q'");
        row("transpose/duplicate-axis", iae, () -> TransposeDescriptor.create("Transpose 't'", x, l,
                new int[] {0, 1, 1, 3}), "'t'", "[0, 1, 1, 3]");
        row("transpose/axis-out-of-range", iae, () -> TransposeDescriptor.create("Transpose 't'", x, l,
                new int[] {0, 1, 2, 4}), "'t'", "4");
        row("binary/broadcast-mismatch", iae, () -> BinaryDescriptor.create("Add 'a'", BinaryOp.ADD, x,
                Shape.of(1, 2, 8, 8), l, Activation.NONE), "'a'", "[1, 2, 8, 8]");
        row("scale-shift/rank-3", iae, () -> ScaleShiftDescriptor.create("BatchNormalization 'b'", Shape.of(1, 3, 4),
                l, Activation.NONE), "'b'");
    }

    private static void layers() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Input in = Input.image(8, 8, 1);
        row("layer/conv2d-zero-filters", iae, () -> Sequential.builder(in, Layout.NHWC).add(Conv2D.of(0, 3)).build(),
                "filters", "0");
        row("layer/conv2d-zero-kernel", iae, () -> Sequential.builder(in, Layout.NHWC).add(Conv2D.of(4, 0)).build(),
                "kernel", "0");
        row("layer/conv2d-kernel-larger-than-input", iae, () -> Sequential.builder(in, Layout.NHWC)
                .add(Conv2D.of(4, 11).name("big")).build(), "big", "11");
        row("layer/dense-zero-units", iae, () -> Sequential.builder(in, Layout.NHWC).add(Flatten.create())
                .add(Dense.of(0)).build(), "units", "0");
        row("layer/pooling-zero", iae, () -> Sequential.builder(in, Layout.NHWC).add(Pooling2D.max(0)).build(), "0");
        row("layer/pooling-larger-than-input", iae, () -> Sequential.builder(in, Layout.NHWC)
                .add(Pooling2D.max(9).name("pool")).build(), "pool", "9");
        row("layer/input-zero-height", iae, () -> Input.image(0, 28, 1), "0");
        row("layer/input-negative-channels", iae, () -> Input.image(28, 28, -1), "-1");
        row("layer/dropout-rate-1", iae, () -> Sequential.builder(in, Layout.NHWC).add(Dropout.of(1.0)).build(),
                "Dropout", "rate 1.0");
        row("layer/dropout-rate-nan", iae, () -> Sequential.builder(in, Layout.NHWC).add(Dropout.of(Double.NaN))
                .build(), "Dropout", "rate NaN");
        row("layer/reshape-wrong-count", iae, () -> Sequential.builder(in, Layout.NHWC).add(Reshape.to(7, 7))
                .build(), "64");
        row("layer/duplicate-names", iae, () -> Sequential.builder(in, Layout.NHWC).add(Conv2D.of(2, 3).name("x"))
                .add(Conv2D.of(2, 3).name("x")).build(), "x");
        row("model/set-weights-unknown-layer", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                m.setWeights("nope", List.of(new float[1]));
            }
        }, "nope");
        row("model/set-weights-wrong-length", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                m.setWeights("dense", List.of(new float[5], new float[3]));
            }
        }, "dense", "5");
    }

    private static void inference() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        row("predict/batch-0", iae, () -> withNet(net -> net.predict(new float[0], 0)), "batch", "0");
        row("predict/batch-negative", iae, () -> withNet(net -> net.predict(new float[64], -2)), "batch", "-2");
        row("predict/wrong-length", iae, () -> withNet(net -> net.predict(new float[65], 1)), "64", "65");
        row("predict/wrong-tensor-shape", iae, () -> withNet(net -> {
            try (TensorScope s = new TensorScope()) {
                net.predict(s.allocate(Shape.of(1, 1, 9, 8), Layout.NHWC), s);
            }
        }), "[1, 1, 9, 8]", "[1, 1, 8, 8]");
        row("predict/after-inference-closed", ise, () -> {
            try (Model m = Samples.smallCnn("closing")) {
                Inference net = m.compile(engine);
                net.close();
                net.predict(new float[64], 1);
            }
        }, "Inference", "closing", "closed");
        row("predict/after-model-closed", ise, () -> {
            Model m = Samples.smallCnn("gone");
            Inference net = m.compile(engine);
            m.close();
            net.predict(new float[64], 1);
        }, "model 'gone'", "closed");
        row("predict/after-engine-closed", ise, () -> {
            try (Model m = Samples.smallCnn("m"); Engine e = Engine.open("reference")) {
                Inference net = m.compile(e);
                e.close();
                net.predict(new float[64], 1);
            }
        }, "engine", "reference", "closed");
        row("predict/non-finite-input-rejected", iae, () -> withNet(net -> {
            float[] x = new float[2 * 64];
            x[64 + 10] = Float.NaN;
            net.rejectNonFiniteInputs(true).predict(x, 2);
        }), "NaN", "batch item 1", "value 10");
        row("predict/infinite-input-rejected", iae, () -> withNet(net -> {
            float[] x = new float[64];
            x[0] = Float.NEGATIVE_INFINITY;
            net.rejectNonFiniteInputs(true).predict(x, 1);
        }), "-Infinity", "batch item 0");
        row("predict/activations-over-the-limit", iae, () -> withProperty("fovea.maxActivationBytes", "10000",
                () -> withNet(net -> net.predict(new float[64 * 64], 64))), "batch of 64", "activations",
                "fovea.maxActivationBytes", "items per call");
        row("engine/unknown-backend", RuntimeException.class, () -> Engine.open("no-such-backend"),
                "no-such-backend");
        row("compile/zero-cached-batch-sizes", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                m.compile(engine, 0);
            }
        }, "0");
    }

    private static void tensors() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        row("tensor/copy-from-wrong-length", iae, () -> {
            try (TensorScope s = new TensorScope()) {
                s.allocate(Shape.of(2, 3), Layout.NCHW).copyFrom(new float[5]);
            }
        }, "5", "6");
        row("tensor/index-out-of-range", RuntimeException.class, () -> {
            try (TensorScope s = new TensorScope()) {
                s.allocate(Shape.of(2, 3), Layout.NCHW).get(2, 0);
            }
        }, "2");
        row("tensor/slice-out-of-range", RuntimeException.class, () -> {
            try (TensorScope s = new TensorScope()) {
                s.allocate(Shape.of(2, 3), Layout.NCHW).slice(1, 2, 2);
            }
        }, "2");
        row("tensor/reshape-wrong-count", iae, () -> {
            try (TensorScope s = new TensorScope()) {
                s.allocate(Shape.of(2, 3), Layout.NCHW).reshape(Shape.of(7), Layout.NCHW);
            }
        }, "7");
        row("tensor/used-after-scope-closed", IllegalStateException.class, () -> {
            Tensor t;
            try (TensorScope s = new TensorScope()) {
                t = s.allocate(Shape.of(2, 3), Layout.NCHW);
            }
            t.toArray();
        }, "closed");
        row("tensor/from-array-wrong-length", iae, () -> {
            try (TensorScope s = new TensorScope()) {
                s.fromArray(new float[3], Shape.of(2, 2), Layout.NCHW);
            }
        }, "3", "4");
    }

    private static void settings() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        row("setting/fovea.threads-abc", iae, () -> withProperty("fovea.threads", "abc", BackendOptions::defaults),
                "fovea.threads", "abc");
        row("setting/fovea.threads-negative", iae, () -> withProperty("fovea.threads", "-3",
                BackendOptions::defaults), "fovea.threads", "-3");
        row("setting/backend-options-negative", iae, () -> new BackendOptions(-1), "-1");
        row("setting/fovea.image.maxPixels-abc", iae, () -> withProperty("fovea.image.maxPixels", "abc",
                Images::maxPixels), "fovea.image.maxPixels", "abc");
        row("setting/fovea.maxActivationBytes-zero", iae, () -> withProperty("fovea.maxActivationBytes", "0",
                () -> withNet(net -> net.predict(new float[64], 1))), "fovea.maxActivationBytes", "0");
    }

    private static void training() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        row("optimizer/weight-decay-nan", iae, () -> Optimizer.sgd().weightDecay(Double.NaN), "weight decay",
                "NaN");
        row("optimizer/weight-decay-negative", iae, () -> Optimizer.adamW(-0.1), "weight decay", "-0.1");
        row("optimizer/weight-decay-infinite", iae, () -> Optimizer.adam().weightDecay(Double.POSITIVE_INFINITY),
                "weight decay", "Infinity");
        row("optimizer/momentum-nan", iae, () -> Optimizer.sgd(Double.NaN, false), "momentum", "NaN");
        row("optimizer/momentum-1", iae, () -> Optimizer.sgd(1, false), "momentum", "1");
        row("optimizer/adam-beta-nan", iae, () -> Optimizer.adam().betas(Double.NaN, 0.999), "beta1", "NaN");
        row("optimizer/adam-epsilon-nan", iae, () -> Optimizer.adam().epsilon(Double.NaN), "epsilon", "NaN");
        row("schedule/cosine-nan", iae, () -> Schedule.cosine(Double.NaN), "minFraction", "NaN");
        row("schedule/step-gamma-nan", iae, () -> Schedule.step(2, Double.NaN), "gamma", "NaN");
        row("trainer/learning-rate-nan", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                Trainer.builder(m, engine).learningRate(Double.NaN).build();
            }
        }, "learning rate", "NaN");
        row("trainer/batch-size-0", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                Trainer.builder(m, engine).batchSize(0).build();
            }
        }, "batch", "0");
        row("trainer/epochs-negative", iae, () -> {
            try (Model m = Samples.smallCnn("m")) {
                Trainer.builder(m, engine).epochs(-1).build();
            }
        }, "epochs", "-1");
    }

    private static void idx() throws IOException {
        Class<IOException> io = IOException.class;
        Class<FileFormatException> fmt = FileFormatException.class; // what the file holds, as opposed to no file
        Path bad = file("bad-magic.idx", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 1});
        row("idx/bad-magic", fmt, () -> Idx.read(bad), bad.toString(), "not an IDX file", "0x50");
        Path type = file("type.idx", new byte[] {0, 0, 0x0A, 1, 0, 0, 0, 1, 0});
        row("idx/unknown-type", fmt, () -> Idx.read(type), type.toString(), "0x0a");
        Path rank0 = file("rank0.idx", new byte[] {0, 0, 8, 0});
        row("idx/rank-0", fmt, () -> Idx.read(rank0), rank0.toString(), "rank is 0");
        Path shortHeader = file("short-header.idx", new byte[] {0, 0, 8, 3, 0, 0, 0, 2});
        row("idx/truncated-header", fmt, () -> Idx.read(shortHeader), shortHeader.toString(), "3 dimensions");
        Path shortData = file("short-data.idx", new byte[] {0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 2, 3});
        row("idx/truncated-data", fmt, () -> Idx.read(shortData), shortData.toString(), "need 12 bytes", "found 3");
        byte[] huge = {0, 0, 8, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
        Path overflow = file("overflow.idx", huge);
        row("idx/4x65536-overflow", fmt, () -> Idx.read(overflow), overflow.toString(), "too large",
                "[65536, 65536, 65536, 65536]");
        Path overflowGz = gzip("overflow.idx.gz", huge);
        row("idx/4x65536-overflow-gzip", fmt, () -> Idx.read(overflowGz), overflowGz.toString(), "too large");
        Path negative = file("negative.idx", new byte[] {0, 0, 8, 1, (byte) 0xff, 0, 0, 0});
        row("idx/dimension-above-2^31", fmt, () -> Idx.read(negative), negative.toString(), "dimension 0",
                "4278190080");
        Path announced = file("announced.idx", new byte[] {0, 0, 8, 3, 0, 0, (byte) 0xc3, 0x50, 0, 0, 0, 28, 0, 0,
            0, 28});
        row("idx/header-larger-than-file", fmt, () -> Idx.read(announced), announced.toString(), "39200000",
                "found 0");
        Path corrupt = gzip("corrupt.idx.gz", new Idx(Idx.UBYTE, new int[] {4}, new byte[4]).encode());
        byte[] c = Files.readAllBytes(corrupt);
        c[2] = 7;
        Files.write(corrupt, c);
        row("idx/corrupt-gzip", fmt, () -> Idx.read(corrupt), corrupt.toString(), "gzip");
        Path cut = gzip("cut.idx.gz", new Idx(Idx.UBYTE, new int[] {400}, new byte[400]).encode());
        byte[] cb = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(cb, 14));
        row("idx/truncated-gzip", fmt, () -> Idx.read(cut), cut.toString());
        Path folder = Files.createDirectories(dir.resolve("idx-folder"));
        row("idx/directory", io, () -> Idx.read(folder), folder.toString(), "directory");
        Path missing = dir.resolve("missing.idx");
        row("idx/missing", io, () -> Idx.read(missing), missing.toString());
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        row("idx/record-data-length", iae, () -> new Idx(Idx.UBYTE, new int[] {2, 3}, new byte[5]), "[2, 3]", "6",
                "5");
        row("idx/record-overflow", iae, () -> new Idx(Idx.UBYTE, new int[] {65536, 65536, 65536, 65536},
                new byte[0]), "2^63");
        Idx images = new Idx(Idx.UBYTE, new int[] {2, 2, 2}, new byte[8]);
        row("datasets/labels-count", io, () -> Datasets.fromIdx("set", List.of("a"), images,
                new Idx(Idx.UBYTE, new int[] {3}, new byte[3])), "set", "2 images", "3 labels");
        row("datasets/images-rank-2", io, () -> Datasets.fromIdx("set", List.of("a"),
                new Idx(Idx.UBYTE, new int[] {2, 4}, new byte[8]), new Idx(Idx.UBYTE, new int[] {2}, new byte[2])),
                "set", "images");
        row("datasets/labels-type-int", io, () -> Datasets.fromIdx("set", List.of("a"), images,
                new Idx(0x0C, new int[] {2}, new byte[8])), "set", "labels");
        Path empty = Files.createDirectories(dir.resolve("no-data"));
        row("datasets/missing-files", RuntimeException.class, () -> Datasets.fashionMnist(empty), empty.toString(),
                "train-images-idx3-ubyte");
    }

    private static void images() throws IOException {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IOException> io = IOException.class;
        Class<FileFormatException> fmt = FileFormatException.class;
        Path missing = dir.resolve("missing.png");
        row("image/missing", io, () -> Images.read(missing), missing.toString(), "does not exist");
        Path folder = Files.createDirectories(dir.resolve("folder.png"));
        row("image/directory", io, () -> Images.read(folder), folder.toString(), "directory");
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        row("image/not-an-image", fmt, () -> Images.read(text), text.toString(), "not an image format");
        Path huge = file("huge.png", Samples.pngHeaderOnly(20000, 20000));
        row("image/20000x20000-over-the-pixel-limit", io, () -> Images.read(huge), huge.toString(), "20000×20000",
                "400000000", "fovea.image.maxPixels");
        Path wide = file("wide.png", Samples.pngHeaderOnly(Integer.MAX_VALUE, Integer.MAX_VALUE));
        row("image/int-max-squared", io, () -> Images.read(wide), wide.toString(), "pixels");
        Path header = file("header.png", Samples.pngHeaderOnly(4, 4));
        row("image/png-without-data", fmt, () -> Images.read(header), header.toString(), "PNG");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(32, 32,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path good = dir.resolve("good.png");
        javax.imageio.ImageIO.write(img, "png", good.toFile());
        byte[] g = Files.readAllBytes(good);
        Path cut = file("cut.png", Arrays.copyOf(g, 50));
        row("image/png-cut-short", fmt, () -> Images.read(cut), cut.toString());
        Path jpeg = file("bad.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 16, 'J', 'F',
            'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, (byte) 0xff, (byte) 0xd9});
        row("image/jpeg-without-frame", fmt, () -> Images.read(jpeg), jpeg.toString(), "JPEG");
        row("image/limit-below-size", io, () -> Images.read(good, 1023), good.toString(), "32×32", "1023");
        row("image/limit-zero", iae, () -> Images.read(good, 0), "maxPixels", "0");
        row("image/prepare-two-channels", iae, () -> Images.prepare(img, 2, 28, 28), "2 input channels");
        row("image/prepare-zero-size", iae, () -> Images.prepare(img, 1, 0, 28), "0×28");
        row("image/rgb-crop-zero", iae, () -> new Images.RgbOptions(256, 0, 224, new double[3], new double[] {1, 1,
            1}), "crop", "0");
        row("image/rgb-resize-zero", iae, () -> new Images.RgbOptions(0, 224, 224, new double[3], new double[] {1, 1,
            1}), "resize", "0");
    }

    private static void safetensors() throws IOException {
        Class<IOException> io = IOException.class;
        Path saved = dir.resolve("small.safetensors");
        try (Model m = Samples.smallCnn("small")) {
            SafeTensors.save(m, saved);
        }
        byte[] good = Files.readAllBytes(saved);
        long headerLength = ByteBuffer.wrap(good, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(good, 8, (int) headerLength, StandardCharsets.UTF_8).strip();
        byte[] data = Arrays.copyOfRange(good, 8 + (int) headerLength, good.length);

        Path missing = dir.resolve("none.safetensors");
        row("safetensors/missing", io, () -> load(missing), missing.toString());
        Path folder = Files.createDirectories(dir.resolve("weights-dir.safetensors"));
        row("safetensors/directory", io, () -> load(folder), folder.toString(), "directory");
        Path empty = file("empty.safetensors", new byte[0]);
        row("safetensors/empty", io, () -> load(empty), empty.toString());
        Path seven = file("seven.safetensors", new byte[7]);
        row("safetensors/shorter-than-length-field", io, () -> load(seven), seven.toString());
        ByteBuffer hugeLength = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        Path longHeader = file("long-header.safetensors", hugeLength.array());
        row("safetensors/header-length-beyond-file", io, () -> load(longHeader), longHeader.toString());
        ByteBuffer negLength = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(-8);
        Path negHeader = file("neg-header.safetensors", negLength.array());
        row("safetensors/header-length-negative", io, () -> load(negHeader), negHeader.toString());
        Path notJson = file("not-json.safetensors", Samples.safetensors("{not json", new byte[0]));
        row("safetensors/header-not-json", io, () -> load(notJson), notJson.toString());
        Path arrayHeader = file("array.safetensors", Samples.safetensors("[1, 2]", new byte[0]));
        row("safetensors/header-is-an-array", io, () -> load(arrayHeader), arrayHeader.toString());
        Path f64 = file("f64.safetensors", Samples.safetensors(header.replaceFirst("\"F32\"", "\"F64\""), data));
        row("safetensors/wrong-dtype", io, () -> load(f64), f64.toString(), "F64");
        Path shape = file("shape.safetensors", Samples.safetensors(header.replaceFirst("\\[4,1,3,3\\]|\\[4, 1, 3, 3\\]",
                "[4,3,1,3]"), data));
        row("safetensors/wrong-shape", io, () -> load(shape), shape.toString());
        Path beyond = file("beyond.safetensors", Samples.safetensors(header, Arrays.copyOf(data, data.length - 4)));
        row("safetensors/data-beyond-file", io, () -> load(beyond), beyond.toString());
        Path extra = file("extra.safetensors", Samples.safetensors(header.replaceFirst("\\{",
                "{\"stray\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"), data));
        row("safetensors/unexpected-tensor", io, () -> load(extra), extra.toString(), "stray");
        Path reversed = file("reversed.safetensors", Samples.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[8,4]}}", new byte[8]));
        row("safetensors/offsets-reversed", io, () -> SafeTensors.readHeader(reversed), reversed.toString());
        Path negOffset = file("neg-offset.safetensors", Samples.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[-4,0]}}", new byte[8]));
        row("safetensors/offset-negative", io, () -> SafeTensors.readHeader(negOffset), negOffset.toString());
        // In bounds but not the size the shape needs: [1] is 4 bytes, the offsets span 8.
        Path inBounds = file("in-bounds.safetensors", Samples.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,8]}}", new byte[8]));
        row("safetensors/offsets-in-bounds-but-wrong-size", io, () -> SafeTensors.readHeader(inBounds),
                inBounds.toString());
        Path overflow = file("overflow.safetensors", Samples.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,"
                + "65536,65536,65536],\"data_offsets\":[0,0]}}", new byte[0]));
        row("safetensors/shape-overflows", io, () -> SafeTensors.readHeader(overflow), overflow.toString());
        Path noModel = file("no-model.safetensors", Samples.safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]}}", new byte[4]));
        row("safetensors/load-model-without-name", io, () -> SafeTensors.loadModel(noModel), noModel.toString(),
                "fovea.model");
        Path unknown = file("unknown.safetensors", Samples.safetensors("{\"__metadata__\":{\"fovea.model\":\"nope\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        row("safetensors/load-model-unknown-name", io, () -> SafeTensors.loadModel(unknown), unknown.toString(),
                "nope");
        row("safetensors/load-into-another-model", io, () -> {
            try (Model other = Sequential.builder(Input.image(8, 8, 1), Layout.NHWC).add(Flatten.create())
                    .add(Dense.of(2)).build()) {
                SafeTensors.load(other, saved);
            }
        }, saved.toString());
    }

    private static void load(Path file) throws IOException {
        try (Model m = Samples.smallCnn("small")) {
            SafeTensors.load(m, file);
        }
    }

    private static void onnx() throws IOException {
        Class<IOException> io = IOException.class;
        Path modelDir = Files.createDirectories(dir.resolve("onnx-model"));
        Path secret = Files.write(dir.resolve("secret.bin"), Samples.floatsLe(1, 2, 3, 4));
        Files.write(modelDir.resolve("w.bin"), Samples.floatsLe(1, 2, 3, 4));
        Map<String, Path> attacks = new LinkedHashMap<>();
        attacks.put("../secret.bin", null);
        attacks.put("sub/../../secret.bin", null);
        attacks.put("..\\secret.bin", null);
        attacks.put(secret.toString(), null);
        attacks.put("/etc/passwd", null);
        attacks.put("C:\\Windows\\win.ini", null);
        int i = 0;
        for (String location : attacks.keySet()) {
            Path m = file("onnx-model/attack" + i++ + ".onnx", Samples.onnxWithExternal(Map.of("location", location)));
            row("onnx/external-data-escapes:" + location, io, () -> OnnxReader.read(m), m.toString(), "'w'",
                    location);
        }
        try {
            Files.createSymbolicLink(modelDir.resolve("link.bin"), secret);
            Path m = file("onnx-model/symlink.onnx", Samples.onnxWithExternal(Map.of("location", "link.bin")));
            row("onnx/external-data-symlink-out-of-the-directory", io, () -> OnnxReader.read(m), m.toString(),
                    "link.bin");
        } catch (UnsupportedOperationException | IOException e) {
            // no symbolic links on this file system: that attack cannot be made here
        }
        Path beyond = file("onnx-model/beyond.onnx", Samples.onnxWithExternal(Map.of("location", "w.bin", "offset",
                "8")));
        row("onnx/external-data-beyond-the-file", io, () -> OnnxReader.read(beyond), beyond.toString(), "w.bin");
        Path negative = file("onnx-model/negative.onnx", Samples.onnxWithExternal(Map.of("location", "w.bin",
                "offset", "-16")));
        row("onnx/external-data-negative-offset", io, () -> OnnxReader.read(negative), negative.toString(), "-16");
        Path absent = file("onnx-model/absent.onnx", Samples.onnxWithExternal(Map.of("location", "absent.bin")));
        row("onnx/external-data-missing-file", io, () -> OnnxReader.read(absent), absent.toString(), "absent.bin");
        Path deep = file("deep.onnx", Samples.nested(5000));
        row("onnx/nesting-bomb", io, () -> OnnxReader.read(deep), deep.toString());
        Path empty = file("empty.onnx", new byte[0]);
        row("onnx/empty-file", io, () -> OnnxReader.read(empty), empty.toString());
        Path random = file("random.onnx", new java.util.Random(3).ints(200, 0, 256).collect(() -> new byte[200],
                new java.util.function.ObjIntConsumer<byte[]>() {
                    int k;

                    @Override
                    public void accept(byte[] b, int v) {
                        b[k++] = (byte) v;
                    }
                }, (a, b) -> { }));
        row("onnx/random-bytes", io, () -> OnnxReader.read(random), random.toString());
        Path folder = Files.createDirectories(dir.resolve("folder.onnx"));
        row("onnx/directory", io, () -> OnnxReader.read(folder), folder.toString());
        Path missing = dir.resolve("missing.onnx");
        row("onnx/missing", io, () -> Onnx.load(missing), missing.toString());
        Path small = dir.resolve("small.onnx");
        try (Model m = Samples.smallCnn("small")) {
            Onnx.save(m, small);
        }
        byte[] good = Files.readAllBytes(small);
        Path cut = file("cut.onnx", Arrays.copyOf(good, good.length / 2));
        row("onnx/truncated", io, () -> Onnx.load(cut), cut.toString());
        // Found by the fuzz test: a perm shorter than the input's rank, and 64-bit attributes beyond an int.
        row("onnx/transpose-perm-shorter-than-rank", IllegalArgumentException.class, () -> Onnx.fromOnnx(
                single("Transpose", Map.of("perm", new OnnxAttribute.IntsValue(new long[] {0, 2}))), "t.onnx",
                Layout.NCHW), "t.onnx", "Transpose", "perm", "[0, 2]", "rank 4");
        row("onnx/conv-stride-beyond-int", IllegalArgumentException.class, () -> Onnx.fromOnnx(single("Conv",
                Map.of("strides", new OnnxAttribute.IntsValue(new long[] {(1L << 32) + 1, 1}))), "c.onnx",
                Layout.NCHW), "c.onnx", "strides", "4294967297");
        row("onnx/conv-group-beyond-int", IllegalArgumentException.class, () -> Onnx.fromOnnx(single("Conv",
                Map.of("group", new OnnxAttribute.IntValue((1L << 32) + 1))), "g.onnx", Layout.NCHW), "g.onnx",
                "group", "4294967297");
        row("onnx/tensor-over-the-size-limit", io, () -> OnnxReader.read(small, OnnxReader.Options.DEFAULT
                .withMaxTensorBytes(16)), small.toString(), "16");
    }

    /** A model of one node reading 'x' [1, 3, 8, 8] (and, for Conv, 4 filters 'w' [4, 3, 3, 3]) into 'y'. */
    private static OnnxModel single(String op, Map<String, OnnxAttribute> attributes) {
        boolean conv = op.equals("Conv");
        List<OnnxTensor> init = conv ? List.of(OnnxTensor.ofFloats("w", new long[] {4, 3, 3, 3}, new float[108]))
                : List.of();
        OnnxNode node = OnnxNode.of("node", op, conv ? List.of("x", "w") : List.of("x"), List.of("y"), attributes);
        return new OnnxModel(OnnxModel.DEFAULT_IR_VERSION, Map.of("", 13L), "test", new OnnxGraph("g",
                List.of(node), OnnxGraph.byName(init), List.of(ValueInfo.of("x", OnnxDataType.FLOAT, 1, 3, 8, 8)),
                List.of(ValueInfo.of("y", OnnxDataType.FLOAT, 1, 3, 8, 8))));
    }

    private static void saves() throws IOException {
        Class<IOException> io = IOException.class;
        Path folder = Files.createDirectories(dir.resolve("out.safetensors"));
        row("save/safetensors-onto-a-directory", io, () -> {
            try (Model m = Samples.smallCnn("m")) {
                SafeTensors.save(m, folder);
            }
        }, folder.toString(), "directory");
        Path nowhere = dir.resolve("no-such-dir/m.safetensors");
        row("save/safetensors-into-a-missing-directory", io, () -> {
            try (Model m = Samples.smallCnn("m")) {
                SafeTensors.save(m, nowhere);
            }
        }, nowhere.toString(), "does not exist");
        Path onnxNowhere = dir.resolve("no-such-dir/m.onnx");
        row("save/onnx-into-a-missing-directory", io, () -> {
            try (Model m = Samples.smallCnn("m")) {
                Onnx.save(m, onnxNowhere);
            }
        }, onnxNowhere.toString(), "does not exist");
        Path full = dir.resolve("full.bin");
        row("save/disk-full", io, () -> AtomicFiles.write(full, ch -> {
            throw new IOException("No space left on device");
        }), full.toString(), "No space left");
        Path idxNowhere = dir.resolve("no-such-dir/x.idx");
        row("save/idx-into-a-missing-directory", io, () -> new Idx(Idx.UBYTE, new int[] {1}, new byte[1])
                .write(idxNowhere, false), idxNowhere.toString());
    }

    // ---- helpers ----

    private static Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static Path gzip(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(bytes);
        }
        return f;
    }

    @FunctionalInterface
    interface NetAction {
        void run(Inference net) throws Exception;
    }

    private static void withNet(NetAction action) throws Exception {
        try (Model m = Samples.smallCnn("small"); Inference net = m.compile(engine)) {
            action.run(net);
        }
    }

    private static void withProperty(String key, String value, Action action) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            action.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
