package dev.fovea.models;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.nn.Model;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.fovea.data.AtomicFiles;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Model weights in the safetensors format (the one PyTorch and Hugging Face use):
 * an 8-byte little-endian unsigned header length {@code N}, {@code N} bytes of JSON header, then the raw
 * little-endian tensor data. The header maps each tensor name to
 * {@code {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}} (offsets relative to the first data
 * byte, that is file offset {@code 8 + N}) and may hold {@code "__metadata__"}, a string-to-string map.
 *
 * <p>Fovea writes:
 * <ul>
 *   <li>one F32 tensor per entry of {@link Model#namedWeights()}, named {@code <layer>.<param>}
 *       ({@code conv2d.kernel}, {@code conv2d.bias}, {@code dense_1.kernel}), in layer order, packed back to
 *       back from offset 0;</li>
 *   <li>each tensor in its logical row-major order: a convolution kernel is {@code [K, C/groups, kH, kW]} (as
 *       PyTorch stores it; TensorFlow's {@code [kH, kW, C, K]} must be transposed by an importer), a dense
 *       kernel {@code [F, U]} (as Keras stores it), a bias {@code [K]} or {@code [U]};</li>
 *   <li>{@code __metadata__} {@code {"fovea.model": <model name>, "fovea.format": "1"}}: for a zoo model the
 *       name is its {@link ModelZoo} name, so {@link #loadModel(Path)} can rebuild it from the file alone;</li>
 *   <li>the JSON header padded with spaces so the data starts at a multiple of 8 bytes.</li>
 * </ul>
 *
 * <p>Loading maps the file into memory and validates everything before writing any weight: the header's
 * structure (length, JSON, dtypes, shapes, offsets in range, matching the shape, neither overlapping nor
 * leaving gaps), then every name, dtype and shape against the model. All problems are reported together in one
 * {@link SafeTensorsException}; a model is never left partly loaded. Weights that fit but were saved from a
 * model of another name ({@code fovea.model}) are loaded with a warning on the {@code dev.fovea.models}
 * {@link System.Logger}. Inferences already compiled from the model use the loaded weights from their next call.
 *
 * <pre>{@code
 * SafeTensors.save(model, Path.of("mnist.safetensors"));
 * try (Model m = SafeTensors.loadModel(Path.of("mnist.safetensors"))) { ... }   // zoo model + weights
 * SafeTensors.load(otherModel, Path.of("mnist.safetensors"));                   // into an existing model
 * }</pre>
 */
public final class SafeTensors {
    /** Metadata key naming the model the weights belong to (a {@link ModelZoo} name for zoo models). */
    public static final String MODEL_KEY = "fovea.model";
    /** Metadata key of Fovea's file-format version. */
    public static final String FORMAT_KEY = "fovea.format";
    /** The file-format version this class writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** Largest header accepted, as the reference implementation limits it (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    private static final System.Logger LOG = System.getLogger("dev.fovea.models");
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The dtypes loaded into F32 weights: F32 as is, the others converted (see {@link #floats}). */
    static final List<String> FLOAT_DTYPES = List.of("F32", "F16", "BF16", "F64");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Bytes per element of every safetensors dtype with whole-byte elements. */
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    /** One tensor's header entry: offsets are relative to the first data byte, {@code end} exclusive. */
    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        /** The dimensions (a copy). */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
        }
    }

    /**
     * A validated header: the metadata, the tensors in header order, and where the data starts in the file.
     */
    public record Header(Map<String, String> metadata, List<TensorInfo> tensors, long dataStart) {
        /** The tensor named {@code name}, or null. */
        public TensorInfo tensor(String name) {
            return tensors.stream().filter(t -> t.name.equals(name)).findFirst().orElse(null);
        }
    }

    private SafeTensors() {
    }

    /**
     * Writes every weight of {@code model} to {@code file} (replacing it atomically where the file system allows),
     * with metadata {@code fovea.model} = the model's name and {@code fovea.format} = {@value #FORMAT_VERSION}.
     * A new file gets the permissions {@link Files#newOutputStream} would give it (the process's umask); a
     * replaced file keeps its permissions where the file system has POSIX permissions.
     */
    public static void save(Model model, Path file) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(file, "file");
        Map<String, Tensor> weights = model.namedWeights();
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(METADATA);
        meta.put(MODEL_KEY, model.name());
        meta.put(FORMAT_KEY, FORMAT_VERSION);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() != DType.F32) {
                throw new IllegalStateException("weight '" + e.getKey() + "' is " + t.dtype() + "; only F32 is saved");
            }
            long bytes = t.shape().elementCount() * DType.F32.byteSize();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", DType.F32.safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape().dims()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = json.length + (8 - json.length % 8) % 8;

        // Written beside the target and moved over it; a crash's leftover is removed by the next save.
        AtomicFiles.write(file.toAbsolutePath(), ch -> {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            writeFully(ch, head.flip());
            for (Tensor t : weights.values()) {
                float[] values = t.toArray();  // weights are dense in logical order
                ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(values);  // raw bits: NaN payloads and -0.0 survive
                writeFully(ch, data);
            }
        });
    }

    /**
     * Loads {@code file}'s weights into {@code model}. Every tensor of the model must be in the file with the
     * model's shape and a floating-point dtype (F32, or F16, BF16 or F64, converted on load), and the file must
     * hold no other tensor; otherwise a {@link SafeTensorsException} lists every missing, unexpected, wrongly
     * shaped or typed tensor, and the model is unchanged. For PyTorch's names and layouts use
     * {@link #loadPyTorch(Model, Path, Map)}.
     */
    public static void load(Model model, Path file) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(file, "file");
        requireFile(file);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = map(ch, arena);
            Header header = parse(data, file);
            Map<String, Tensor> weights = model.namedWeights();
            checkFits(header, weights, model, file);
            String from = header.metadata.get(MODEL_KEY);
            if (from != null && !from.equals(model.name())) {
                LOG.log(System.Logger.Level.WARNING, "fovea: {0} was saved from model ''{1}'' and is loaded into"
                        + " model ''{2}'': the tensors fit, but check that this is the network you meant", file,
                        from, model.name());
            }
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            header.tensors.forEach(t -> byName.put(t.name, t));
            // Read everything before writing anything, so an I/O fault cannot leave the model half loaded.
            List<float[]> staged = new ArrayList<>();
            for (String name : weights.keySet()) {
                staged.add(floats(data, header, byName.get(name), file));
            }
            Iterator<float[]> it = staged.iterator();
            for (Tensor t : weights.values()) {
                t.copyFrom(it.next());
            }
            model.weightsChanged();
        }
    }

    /**
     * Rebuilds the zoo model named by the file's {@code fovea.model} metadata and loads the weights into it:
     * the file alone is enough to run the network. The caller owns (closes) the returned model.
     */
    public static Model loadModel(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Header header = readHeader(file);
        String name = header.metadata.get(MODEL_KEY);
        if (name == null) {
            throw new SafeTensorsException(file, "cannot rebuild the model", "the header's " + METADATA
                    + " has no '" + MODEL_KEY + "' entry naming the model; build the model yourself and call"
                    + " SafeTensors.load(model, file)");
        }
        if (!ModelZoo.names().contains(name)) {
            throw new SafeTensorsException(file, "cannot rebuild the model", "'" + MODEL_KEY + "' names '" + name
                    + "', which is not a zoo model (known: " + String.join(", ", ModelZoo.names())
                    + "); build the model yourself and call SafeTensors.load(model, file)");
        }
        Model model = ModelZoo.build(name, 0);
        try {
            load(model, file);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Loads a PyTorch {@code state_dict} saved with safetensors ({@code safetensors.torch.save_file(
     * model.state_dict(), file)}) into {@code model}, pairing PyTorch's modules with Fovea's layers by the
     * Sequential convention alone: {@code loadPyTorch(model, file, Map.of())}.
     */
    public static void loadPyTorch(Model model, Path file) throws IOException {
        loadPyTorch(model, file, Map.of());
    }

    /**
     * Loads a PyTorch {@code state_dict} saved with safetensors into {@code model}, converting names and layouts.
     *
     * <p>Names: a PyTorch tensor is {@code <module>.<param>} ({@code 0.weight}, {@code features.3.bias}).
     * {@code modules} maps a Fovea layer name to the PyTorch module that holds its weights
     * ({@code "dense_1" -> "classifier.1"}). The layers it does not name are paired, in the model's layer order,
     * with the remaining modules in the order of their names' numbers, as {@code nn.Sequential} numbers its
     * children ({@code 0}, {@code 1}, {@code 4}, {@code 11}: numbers compare as numbers, not as text); this
     * convention needs names that differ only in numbers ({@code 0.weight}, {@code net.3.bias}), and anything
     * else must be mapped.
     *
     * <p>Tensors, per layer:
     * <ul>
     *   <li>{@code Conv2D}: {@code weight [K, C/groups, kH, kW]} (PyTorch's OIHW, Fovea's kernel order) and
     *       {@code bias [K]};</li>
     *   <li>{@code Dense}: {@code weight [U, F]} transposed into Fovea's {@code [F, U]}, and {@code bias [U]}.
     *       When the dense layer reads a {@code Flatten} (through dropout or activation layers) of an NHWC
     *       model, whose features come in (h, w, c) order, the rows are permuted from PyTorch's (c, h, w)
     *       flatten order, so the loaded model computes what PyTorch does;</li>
     *   <li>{@code BatchNormalization}: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}
     *       into gamma, beta, the moving mean and the moving variance; {@code num_batches_tracked} is ignored.
     *       Without {@code weight} and {@code bias} ({@code affine=False}) gamma is 1 and beta 0. PyTorch's
     *       epsilon is 1e-5 unless the module says otherwise; the layer's own epsilon is used.</li>
     * </ul>
     * F16, BF16 and F64 tensors are converted to F32 on load. Every problem (a layer or module left unpaired, a
     * missing or unexpected tensor, a shape or dtype that does not fit) is reported together in one
     * {@link SafeTensorsException} naming the file, the Fovea layer, the PyTorch tensor and the shapes, before
     * any weight is written.
     *
     * <pre>{@code
     * // PyTorch: nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
     * //          safetensors.torch.save_file(net.state_dict(), "net.safetensors")
     * SafeTensors.loadPyTorch(model, Path.of("net.safetensors"));                      // 0.* and 4.*
     * SafeTensors.loadPyTorch(model, Path.of("resnet.safetensors"), Map.of("conv2d", "conv1", "dense", "fc"));
     * }</pre>
     */
    public static void loadPyTorch(Model model, Path file, Map<String, String> modules) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(modules, "modules");
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = map(ch, arena);
            Header header = parse(data, file);
            PyTorchWeights.load(model, file, data, header, modules);
        }
    }

    /** Reads and validates the header of {@code file} (not the tensor data against any model). */
    public static Header readHeader(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        requireFile(file);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(map(ch, arena), file);
        }
    }

    /** A directory opens for reading on Linux and then fails to map with "No such device": named here instead. */
    private static void requireFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new SafeTensorsException(file, "cannot read weights", "it is a directory, not a .safetensors file");
        }
    }

    static MemorySegment map(FileChannel ch, Arena arena) throws IOException {
        long size = ch.size();
        return size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
    }

    /**
     * The values of one validated tensor as floats in its row-major order: F32 as stored, F16 by
     * {@link Float#float16ToFloat}, BF16 as the upper half of an F32's bits, F64 rounded to the nearest float
     * (a finite value beyond the float range is an error, not an infinity). Exact for F32, F16 and BF16.
     */
    static float[] floats(MemorySegment file, Header header, TensorInfo t, Path path) throws SafeTensorsException {
        long bytes = t.end - t.begin;
        int size = DTYPE_BYTES.get(t.dtype);
        long count = bytes / size;
        if (count > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(path, "tensor too large", "tensor '" + t.name + "' " + t.dtype + " "
                    + Arrays.toString(t.shape) + " has " + count + " elements; at most " + (Integer.MAX_VALUE - 8)
                    + " fit in one array");
        }
        long at = header.dataStart + t.begin;
        float[] out = new float[(int) count];
        switch (t.dtype) {
            case "F32" -> MemorySegment.copy(file, F32_LE, at, out, 0, out.length);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(file.get(U16_LE, at + 2L * i));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((file.get(U16_LE, at + 2L * i) & 0xffff) << 16);
                }
            }
            case "F64" -> {
                for (int i = 0; i < out.length; i++) {
                    double d = file.get(F64_LE, at + 8L * i);
                    out[i] = (float) d;
                    if (Float.isInfinite(out[i]) && !Double.isInfinite(d)) {
                        throw new SafeTensorsException(path, "value out of range", "tensor '" + t.name + "' (F64)"
                                + " holds " + d + " at element " + i + ", beyond the float range (±"
                                + Float.MAX_VALUE + ")");
                    }
                }
            }
            default -> throw new SafeTensorsException(path, "unsupported dtype", "tensor '" + t.name + "' has dtype "
                    + t.dtype + "; weights are read from " + String.join(", ", FLOAT_DTYPES));
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Validates the whole header against the file's size; throws with every problem found. */
    static Header parse(MemorySegment file, Path path) throws SafeTensorsException {
        String malformed = "malformed safetensors header";
        long size = file.byteSize();
        if (size < 8) {
            throw new SafeTensorsException(path, malformed, "the file is " + size + " bytes, too short for the"
                    + " 8-byte header length at byte offset 0");
        }
        long n = file.get(U64_LE, 0);
        if (Long.compareUnsigned(n, size - 8) > 0) {
            throw new SafeTensorsException(path, malformed, "header length " + Long.toUnsignedString(n)
                    + " (the u64 at byte offset 0) is beyond the end of the file: only " + (size - 8)
                    + " bytes follow it (file size " + size + ")");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(path, malformed, "header length " + n + " (the u64 at byte offset 0)"
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n < 2) {
            throw new SafeTensorsException(path, malformed, "header length " + n + " (the u64 at byte offset 0)"
                    + " is too short for a JSON object");
        }
        byte[] json = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new SafeTensorsException(path, malformed, "invalid JSON" + (at >= 0 ? " at byte offset "
                    + (8 + at) : "") + " of the header (bytes 8 to " + (8 + n) + "): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SafeTensorsException(path, malformed, "unreadable JSON header: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(path, malformed, "the header at byte offset 8 is not a JSON object");
        }

        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        List<String> problems = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode v = field.getValue();
            if (name.equals(METADATA)) {
                if (!v.isObject()) {
                    problems.add(METADATA + " is not a JSON object");
                    continue;
                }
                for (Map.Entry<String, JsonNode> m : v.properties()) {
                    if (m.getValue().isTextual()) {
                        metadata.put(m.getKey(), m.getValue().textValue());
                    } else {
                        problems.add(METADATA + " entry '" + m.getKey() + "' is not a string");
                    }
                }
                continue;
            }
            TensorInfo t = tensorInfo(name, v, dataStart, dataSize, problems);
            if (t != null) {
                tensors.add(t);
            }
        }
        if (problems.isEmpty()) {
            checkCoverage(tensors, dataStart, dataSize, problems);
        }
        String format = metadata.get(FORMAT_KEY);
        if (format != null && !format.equals(FORMAT_VERSION)) {
            problems.add("'" + FORMAT_KEY + "' is '" + format + "'; this version reads format " + FORMAT_VERSION);
        }
        if (!problems.isEmpty()) {
            throw new SafeTensorsException(path, malformed, problems);
        }
        return new Header(Map.copyOf(metadata), List.copyOf(tensors), dataStart);
    }

    /** One tensor entry, or null after adding its problems. */
    private static TensorInfo tensorInfo(String name, JsonNode v, long dataStart, long dataSize,
                                         List<String> problems) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) {
            problems.add(where + ": entry is not a JSON object");
            return null;
        }
        int before = problems.size();
        JsonNode dtypeNode = v.get("dtype");
        String dtype = dtypeNode != null && dtypeNode.isTextual() ? dtypeNode.textValue() : null;
        if (dtype == null) {
            problems.add(where + ": 'dtype' is missing or not a string");
        } else if (!DTYPE_BYTES.containsKey(dtype)) {
            problems.add(where + ": unknown dtype '" + dtype + "'");
        }
        long[] shape = longs(v.get("shape"), -1);
        if (shape == null) {
            problems.add(where + ": 'shape' is missing or not an array of non-negative integers");
        }
        long[] offsets = longs(v.get("data_offsets"), 2);
        if (offsets == null) {
            problems.add(where + ": 'data_offsets' is missing or not two non-negative integers [begin, end]");
        } else if (offsets[0] > offsets[1]) {
            problems.add(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        } else if (offsets[1] > dataSize) {
            problems.add(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end at file byte offset "
                    + (dataStart + offsets[1]) + ", beyond the end of the file (" + (dataStart + dataSize)
                    + " bytes; truncated?)");
        }
        if (problems.size() > before) {
            return null;
        }
        long expected;
        try {
            expected = DTYPE_BYTES.get(dtype);
            for (long d : shape) {
                expected = Math.multiplyExact(expected, d);
            }
        } catch (ArithmeticException e) {
            problems.add(where + ": shape " + Arrays.toString(shape) + " is too large");
            return null;
        }
        if (offsets[1] - offsets[0] != expected) {
            problems.add(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] hold "
                    + (offsets[1] - offsets[0]) + " bytes, but " + dtype + " " + Arrays.toString(shape) + " needs "
                    + expected);
            return null;
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** The tensors must tile the data exactly: no overlap, no gap, nothing after the last one. */
    private static void checkCoverage(List<TensorInfo> tensors, long dataStart, long dataSize, List<String> problems) {
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long next = 0;
        TensorInfo previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin < next) {
                problems.add("tensors '" + previous.name + "' [" + previous.begin + ", " + previous.end + ") and '"
                        + t.name + "' [" + t.begin + ", " + t.end + ") overlap");
            } else if (t.begin > next) {
                problems.add("data bytes [" + next + ", " + t.begin + ") (file byte offset " + (dataStart + next)
                        + ") belong to no tensor");
            }
            if (t.end >= next) {
                next = t.end;
                previous = t;
            }
        }
        if (next < dataSize) {
            problems.add((dataSize - next) + " bytes after the last tensor (from file byte offset "
                    + (dataStart + next) + ") belong to no tensor");
        }
    }

    /** A JSON array of non-negative integers ({@code count} of them, or any number if negative), or null. */
    private static long[] longs(JsonNode node, int count) {
        if (node == null || !node.isArray() || (count >= 0 && node.size() != count)) {
            return null;
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                return null;
            }
            out[i] = x.longValue();
        }
        return out;
    }

    /** Every name, dtype and shape of the model against the file; throws with all mismatches. */
    private static void checkFits(Header header, Map<String, Tensor> weights, Model model, Path file)
            throws SafeTensorsException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String name = e.getKey();
            long[] want = toLongs(e.getValue().shape());
            TensorInfo t = header.tensor(name);
            if (t == null) {
                problems.add("missing tensor '" + name + "' (the model needs F32 " + Arrays.toString(want) + ")");
                continue;
            }
            if (!FLOAT_DTYPES.contains(t.dtype)) {
                problems.add("tensor '" + name + "' has dtype " + t.dtype + ", the model needs F32");
            }
            if (!Arrays.equals(t.shape, want)) {
                problems.add("tensor '" + name + "' has shape " + Arrays.toString(t.shape) + ", the model needs "
                        + Arrays.toString(want));
            }
        }
        for (TensorInfo t : header.tensors) {
            if (!weights.containsKey(t.name)) {
                problems.add("unexpected tensor '" + t.name + "' (" + t.dtype + " " + Arrays.toString(t.shape)
                        + "): the model has no such weight");
            }
        }
        if (!problems.isEmpty()) {
            String from = header.metadata.get(MODEL_KEY);
            throw new SafeTensorsException(file, "weights do not fit model '" + model.name() + "'"
                    + (from != null && !from.equals(model.name()) ? " (the file was saved from '" + from + "')" : ""),
                    problems);
        }
    }

    private static long[] toLongs(Shape s) {
        return Arrays.stream(s.dims()).asLongStream().toArray();
    }
}
