package dev.fovea.onnx;

import dev.fovea.nn.Model;
import dev.fovea.onnx.format.OnnxModel;
import dev.fovea.onnx.format.OnnxReader;
import dev.fovea.onnx.format.OnnxWriter;
import dev.fovea.onnx.format.ShapeFolding;
import dev.fovea.tensor.Layout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Loads ONNX models (opsets 11–21) as Fovea graph models, with their weights, and saves Fovea models as ONNX.
 *
 * <pre>{@code
 * try (Model model = Onnx.load(Path.of("resnet18.onnx"));     // from torch.onnx.export
 *      Engine engine = Engine.open();
 *      Inference net = model.compile(engine)) {
 *     float[] logits = net.predict(pixels, 1);                  // [1, 3, 224, 224] in NCHW order
 * }
 * }</pre>
 *
 * <p>Loading reads the file (and external data files beside it, never outside its folder), folds the
 * shape-computing subgraphs exporters emit ({@code Shape → Gather → Concat → Reshape}) to constants with a
 * symbolic batch, and translates each remaining node. A node Fovea cannot run exactly throws an
 * {@link OnnxImportException} naming it, its operator and the opset; nothing is approximated.
 */
public final class Onnx {
    private Onnx() {
    }

    /** The model in {@code file}, its activations stored channels-first (NCHW) as ONNX defines them. */
    public static Model load(Path file) throws IOException {
        return load(file, Layout.NCHW);
    }

    /** The model in {@code file}, its 4-D activations stored in {@code layout} (results are the same). */
    public static Model load(Path file, Layout layout) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(layout, "layout");
        OnnxModel onnx = OnnxReader.read(file);
        return fromOnnx(onnx, file.toString(), layout);
    }

    /** Translates an ONNX model already read; {@code source} names it in messages. */
    public static Model fromOnnx(OnnxModel onnx, String source, Layout layout) {
        Objects.requireNonNull(onnx, "onnx");
        OnnxModel folded;
        try {
            folded = new OnnxModel(onnx.irVersion(), onnx.opsetImports(), onnx.producerName(),
                    ShapeFolding.fold(onnx.graph()).graph());
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException(source + ": " + e.getMessage(), e);
        }
        return OnnxImporter.translate(folded, source, layout);
    }

    /** The ONNX form of {@code model} (opset 17), ready for {@link OnnxWriter}. */
    public static OnnxModel toOnnx(Model model) {
        Objects.requireNonNull(model, "model");
        return OnnxExporter.export(model);
    }

    /** Saves {@code model} as an ONNX file (opset 17), atomically: readers see the old file or the new one. */
    public static void save(Model model, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        OnnxWriter.write(toOnnx(model), file);
    }

    /** The ONNX operator types the importer translates (besides the shape operators folded at import). */
    public static Set<String> supportedOperators() {
        return OnnxImporter.supportedOperators();
    }
}
