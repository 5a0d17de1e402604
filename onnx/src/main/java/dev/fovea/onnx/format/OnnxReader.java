package dev.fovea.onnx.format;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads ONNX model files ({@code ModelProto}, protobuf) into {@link OnnxModel} records.
 *
 * <p>The messages are decoded field by field with protobuf-java's {@link CodedInputStream}, by the field numbers
 * of the ONNX IR specification; fields Fovea does not use (doc strings, {@code value_info}, metadata, training
 * info, functions) are skipped. What Fovea cannot represent is refused with a message naming it: graph-valued
 * attributes (subgraphs of {@code If}/{@code Loop}), sparse tensors, strings and complex numbers as tensor data,
 * non-tensor graph inputs and outputs.
 *
 * <p>Files are treated as untrusted:
 * <ul>
 *   <li>every element count is checked for overflow ({@link Math#multiplyExact}) and every tensor against
 *       {@link Options#maxTensorBytes()} before anything is allocated for it;</li>
 *   <li>message nesting, including unknown groups being skipped, is bounded by {@link Options#recursionLimit()};</li>
 *   <li>external data ({@code data_location = EXTERNAL}) is read only from regular files inside the model file's
 *       directory: a location that is absolute, has a {@code ..} segment, or resolves (following symbolic
 *       links) outside that directory is refused, and {@code offset + length} is checked against the file's
 *       real size;</li>
 *   <li>after parsing, the model must have a graph and an operator set import, and every node input and graph
 *       output must be defined before use, which also catches most truncated files.</li>
 * </ul>
 * Every failure is an {@link IOException} (mostly {@link OnnxFormatException}) whose message names the file.
 *
 * <pre>{@code
 * OnnxModel model = OnnxReader.read(Path.of("resnet18.onnx"));
 * OnnxModel small = OnnxReader.read(path, OnnxReader.Options.DEFAULT.withMaxTensorBytes(64L << 20));
 * }</pre>
 */
public final class OnnxReader {
    /** The largest model file (protobuf messages are limited to 2 GiB; bigger models use external data). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;  // the largest Java array

    // ONNX enum values used below (TensorProto.DataLocation, AttributeProto.AttributeType).
    private static final int LOCATION_EXTERNAL = 1;
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_TENSOR = 4;
    private static final int ATTR_FLOATS = 6;
    private static final int ATTR_INTS = 7;
    private static final int ATTR_STRINGS = 8;
    private static final String[] ATTR_TYPE_NAMES = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
        "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO",
        "TYPE_PROTOS"};

    /**
     * The reader's limits.
     *
     * @param maxTensorBytes the most bytes one tensor may take, in the file and decoded in memory (its
     *                       {@code float[]}/{@code long[]}); also bounds external data reads
     * @param recursionLimit the deepest protobuf message nesting accepted (ONNX's own messages nest 6 deep;
     *                       the rest is unknown groups being skipped)
     */
    public record Options(long maxTensorBytes, int recursionLimit) {
        /** 4 GiB per tensor, nesting 100 deep (protobuf's default). */
        public static final Options DEFAULT = new Options(4L << 30, 100);

        public Options {
            if (maxTensorBytes <= 0) {
                throw new IllegalArgumentException("maxTensorBytes must be positive, not " + maxTensorBytes);
            }
            if (recursionLimit < 8) {
                throw new IllegalArgumentException("recursionLimit must be at least 8 (ONNX nests 6 deep), not "
                        + recursionLimit);
            }
        }

        /** These options with another tensor size limit. */
        public Options withMaxTensorBytes(long bytes) {
            return new Options(bytes, recursionLimit);
        }

        /** These options with another nesting limit. */
        public Options withRecursionLimit(int limit) {
            return new Options(maxTensorBytes, limit);
        }
    }

    private OnnxReader() {
    }

    /** Reads the model in {@code file} with {@link Options#DEFAULT}. */
    public static OnnxModel read(Path file) throws IOException {
        return read(file, Options.DEFAULT);
    }

    /**
     * Reads the model in {@code file}; external data is read relative to the file's directory.
     *
     * @throws OnnxFormatException the file is not a valid ONNX model, uses what Fovea does not read, or breaks a
     *                             limit of {@code options}
     * @throws IOException         the file (or an external data file) cannot be read
     */
    public static OnnxModel read(Path file, Options options) throws IOException {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException(abs + ": is a directory, not an ONNX model file");
        }
        long size = Files.size(abs);
        if (size > MAX_FILE_BYTES) {
            throw new OnnxFormatException(abs + ": " + size + " bytes is over protobuf's limit of " + MAX_FILE_BYTES
                    + " bytes for one message (models that large keep their weights as external data)");
        }
        byte[] bytes = Files.readAllBytes(abs);
        return new Parser(abs.toString(), abs.getParent(), options).model(bytes);
    }

    /**
     * Parses a model held in memory; {@code source} names it in messages. Such a model cannot use external data
     * (there is no directory to read it from).
     */
    public static OnnxModel parse(byte[] bytes, String source) throws IOException {
        return parse(bytes, source, Options.DEFAULT);
    }

    /** Parses a model held in memory under {@code options}; see {@link #parse(byte[], String)}. */
    public static OnnxModel parse(byte[] bytes, String source, Options options) throws IOException {
        return new Parser(source, null, options).model(bytes);
    }

    /** One parse: the input, where it came from, and where in the model it is (for messages). */
    private static final class Parser {
        private final String source;
        private final Path baseDir;
        private final Options options;
        private final Deque<String> where = new ArrayDeque<>();
        private CodedInputStream in;
        private int size;
        private int depth;

        Parser(String source, Path baseDir, Options options) {
            this.source = source;
            this.baseDir = baseDir;
            this.options = options;
        }

        OnnxModel model(byte[] bytes) throws IOException {
            size = bytes.length;
            if (size == 0) {
                throw fail("is empty (0 bytes): not an ONNX model");
            }
            in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);  // raw_data then views the file's bytes instead of copying them
            in.setRecursionLimit(options.recursionLimit());  // bounds the skipping of unknown nested groups
            try {
                OnnxModel model = modelBody();
                validate(model);
                return model;
            } catch (InvalidProtocolBufferException e) {
                throw fail("not a valid ONNX (protobuf) file: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {  // a record refusing what the file says
                throw fail(e.getMessage(), e);
            }
        }

        // ---- messages ----
        // Each switches on the whole tag (field number << 3 | wire type): a known field that arrives with another
        // wire type than the specification's falls to the default and is skipped, as protobuf does.

        private OnnxModel modelBody() throws IOException {
            long irVersion = 0;
            String producer = "";
            OnnxGraph graph = null;
            Map<String, Long> opsets = new LinkedHashMap<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_VARINT -> irVersion = in.readInt64();
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> producer = in.readString();
                    case 7 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> graph = message("graph", this::graph);
                    case 8 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        Map.Entry<String, Long> opset = message("opset_import", this::opset);
                        opsets.put(opset.getKey(), opset.getValue());
                    }
                    default -> skip(tag);
                }
            }
            if (graph == null) {
                throw fail("has no graph: not an ONNX model, or truncated");
            }
            return new OnnxModel(irVersion, opsets, producer, graph);
        }

        private Map.Entry<String, Long> opset() throws IOException {
            String domain = "";
            long version = 0;
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> domain = in.readString();
                    case 2 << 3 | WireFormat.WIRETYPE_VARINT -> version = in.readInt64();
                    default -> skip(tag);
                }
            }
            return Map.entry(domain, version);
        }

        private OnnxGraph graph() throws IOException {
            String name = "";
            List<OnnxNode> nodes = new ArrayList<>();
            Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
            List<ValueInfo> inputs = new ArrayList<>();
            List<ValueInfo> outputs = new ArrayList<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
                            nodes.add(message("node #" + nodes.size(), this::node));
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> name = in.readString();
                    case 5 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        OnnxTensor t = message("initializer #" + initializers.size(), this::tensor);
                        if (initializers.put(t.name(), t) != null) {
                            throw fail("has two initializers named '" + t.name() + "'");
                        }
                    }
                    case 11 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
                            inputs.add(message("input #" + inputs.size(), () -> valueInfo("input")));
                    case 12 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
                            outputs.add(message("output #" + outputs.size(), () -> valueInfo("output")));
                    case 15 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
                            throw fail("has a sparse initializer, which Fovea does not read");
                    default -> skip(tag);
                }
            }
            return new OnnxGraph(name, nodes, initializers, inputs, outputs);
        }

        private OnnxNode node() throws IOException {
            String name = "";
            String opType = "";
            String domain = "";
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> inputs.add(in.readString());
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> outputs.add(in.readString());
                    case 3 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        name = in.readString();
                        where.pop();
                        where.push("node '" + name + "'");
                    }
                    case 4 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> opType = in.readString();
                    case 5 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        Map.Entry<String, OnnxAttribute> a = message("attribute #" + attributes.size(), this::attribute);
                        if (attributes.put(a.getKey(), a.getValue()) != null) {
                            throw fail("has two attributes named '" + a.getKey() + "'");
                        }
                    }
                    case 7 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> domain = in.readString();
                    default -> skip(tag);
                }
            }
            if (opType.isEmpty()) {
                throw fail("has no op_type");
            }
            return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
        }

        private Map.Entry<String, OnnxAttribute> attribute() throws IOException {
            String name = "";
            int type = 0;
            Float f = null;
            Long i = null;
            ByteString s = null;
            OnnxTensor t = null;
            FloatList floats = new FloatList();
            LongList ints = new LongList();
            List<String> strings = new ArrayList<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                int wire = WireFormat.getTagWireType(tag);
                int number = WireFormat.getTagFieldNumber(tag);
                switch (number) {
                    case 1 -> name = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED ? rename(in.readString()) : skipped(tag, name);
                    case 20 -> type = wire == WireFormat.WIRETYPE_VARINT ? in.readEnum() : skipped(tag, type);
                    case 2 -> f = wire == WireFormat.WIRETYPE_FIXED32 ? (Float) in.readFloat() : skipped(tag, f);
                    case 3 -> i = wire == WireFormat.WIRETYPE_VARINT ? (Long) in.readInt64() : skipped(tag, i);
                    case 4 -> s = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED ? in.readBytes() : skipped(tag, s);
                    case 5 -> t = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED ? message("tensor", this::tensor) : skipped(tag, t);
                    case 7 -> readFloats(tag, floats);
                    case 8 -> readVarints(tag, ints);
                    case 9 -> {
                        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                            strings.add(in.readBytes().toStringUtf8());
                        } else {
                            skip(tag);
                        }
                    }
                    case 6 -> throw unsupportedAttribute(name, "GRAPH", "the bodies of If/Loop/Scan: subgraphs");
                    case 10 -> throw unsupportedAttribute(name, "TENSORS", "lists of tensors");
                    case 11 -> throw unsupportedAttribute(name, "GRAPHS", "lists of subgraphs");
                    case 22, 23 -> throw unsupportedAttribute(name, "SPARSE_TENSOR(S)", "sparse tensors");
                    case 14, 15 -> throw unsupportedAttribute(name, "TYPE_PROTO(S)", "types as attribute values");
                    default -> skip(tag);
                }
            }
            if (name.isEmpty()) {
                throw fail("has an attribute without a name");
            }
            if (type == 0) {
                // Files of the first IR versions have no type field: take it from the one value present.
                type = f != null ? ATTR_FLOAT : i != null ? ATTR_INT : s != null ? ATTR_STRING : t != null ? ATTR_TENSOR
                        : floats.size() > 0 ? ATTR_FLOATS : ints.size() > 0 ? ATTR_INTS
                        : !strings.isEmpty() ? ATTR_STRINGS : 0;
            }
            OnnxAttribute value = switch (type) {
                case ATTR_FLOAT -> new OnnxAttribute.FloatValue(f == null ? 0f : f);
                case ATTR_INT -> new OnnxAttribute.IntValue(i == null ? 0L : i);
                case ATTR_STRING -> new OnnxAttribute.StringValue(s == null ? "" : s.toStringUtf8());
                case ATTR_TENSOR -> {
                    if (t == null) {
                        throw fail("attribute '" + name + "' is of type TENSOR but holds no tensor");
                    }
                    yield new OnnxAttribute.TensorValue(t);
                }
                case ATTR_FLOATS -> new OnnxAttribute.FloatsValue(floats.toArray());
                case ATTR_INTS -> new OnnxAttribute.IntsValue(ints.toArray());
                case ATTR_STRINGS -> new OnnxAttribute.StringsValue(strings);
                case 0 -> throw fail("attribute '" + name + "' has neither a type nor a value");
                default -> throw unsupportedAttribute(name,
                        type < ATTR_TYPE_NAMES.length ? ATTR_TYPE_NAMES[type] : "type code " + type, "it");
            };
            return Map.entry(name, value);
        }

        private String rename(String attributeName) {
            where.pop();
            where.push("attribute '" + attributeName + "'");
            return attributeName;
        }

        private OnnxFormatException unsupportedAttribute(String name, String type, String what) {
            return fail("attribute '" + name + "' is of type " + type + "; Fovea does not read " + what);
        }

        private ValueInfo valueInfo(String role) throws IOException {
            String name = "";
            ValueInfo type = null;
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        name = in.readString();
                        where.pop();
                        where.push(role + " '" + name + "'");
                    }
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> type = message("type", this::typeProto);
                    default -> skip(tag);
                }
            }
            return type == null ? new ValueInfo(name, OnnxDataType.UNDEFINED, null)
                    : new ValueInfo(name, type.elemType(), type.dims());
        }

        /** A TypeProto, which must be a tensor type; returned as a nameless ValueInfo. */
        private ValueInfo typeProto() throws IOException {
            ValueInfo tensor = null;
            for (int tag; (tag = nextTag()) != 0; ) {
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    skip(tag);
                    continue;
                }
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> tensor = message("tensor_type", this::tensorType);
                    case 4 -> throw fail("is a sequence, not a tensor; Fovea reads tensor inputs and outputs only");
                    case 5 -> throw fail("is a map, not a tensor; Fovea reads tensor inputs and outputs only");
                    case 8 -> throw fail("is a sparse tensor; Fovea reads dense tensor inputs and outputs only");
                    case 9 -> throw fail("is an optional, not a tensor; Fovea reads tensor inputs and outputs only");
                    default -> skip(tag);
                }
            }
            return tensor == null ? new ValueInfo("", OnnxDataType.UNDEFINED, null) : tensor;
        }

        private ValueInfo tensorType() throws IOException {
            OnnxDataType elemType = OnnxDataType.UNDEFINED;
            List<OnnxDim> dims = null;
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_VARINT -> elemType = dataType(in.readInt32());
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> dims = message("shape", this::shape);
                    default -> skip(tag);
                }
            }
            return new ValueInfo("", elemType, dims);
        }

        private List<OnnxDim> shape() throws IOException {
            List<OnnxDim> dims = new ArrayList<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                if (tag == (1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    dims.add(message("dim #" + dims.size(), this::dimension));
                } else {
                    skip(tag);
                }
            }
            return dims;
        }

        private OnnxDim dimension() throws IOException {
            OnnxDim dim = new OnnxDim.Symbolic("");  // neither value nor name: an unknown size
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_VARINT -> {
                        long v = in.readInt64();
                        // Some tools write -1 for "unknown"; ONNX wants dim_param for that.
                        dim = v >= 0 ? new OnnxDim.Fixed(v) : new OnnxDim.Symbolic("");
                    }
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> dim = new OnnxDim.Symbolic(in.readString());
                    default -> skip(tag);
                }
            }
            return dim;
        }

        private OnnxTensor tensor() throws IOException {
            String name = "";
            LongList dims = new LongList();
            int dataTypeCode = 0;
            FloatList floatData = new FloatList();
            LongList int32Data = new LongList();
            LongList int64Data = new LongList();
            LongList uint64Data = new LongList();
            DoubleList doubleData = new DoubleList();
            ByteString raw = null;
            int strings = 0;
            int location = 0;
            Map<String, String> external = new LinkedHashMap<>();
            for (int tag; (tag = nextTag()) != 0; ) {
                int wire = WireFormat.getTagWireType(tag);
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> readVarints(tag, dims);
                    case 2 -> dataTypeCode = wire == WireFormat.WIRETYPE_VARINT ? in.readInt32() : skipped(tag, dataTypeCode);
                    case 3 -> throw fail("is a segmented tensor, which Fovea does not read");
                    case 4 -> readFloats(tag, floatData);
                    case 5 -> readVarints(tag, int32Data);
                    case 6 -> {
                        strings++;
                        skip(tag);
                    }
                    case 7 -> readVarints(tag, int64Data);
                    case 8 -> {
                        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                            name = in.readString();
                            where.pop();
                            where.push("tensor '" + name + "'");
                        } else {
                            skip(tag);
                        }
                    }
                    case 9 -> raw = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED ? in.readBytes() : skipped(tag, raw);
                    case 10 -> readDoubles(tag, doubleData);
                    case 11 -> readVarints(tag, uint64Data);
                    case 13 -> {
                        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                            Map.Entry<String, String> e = message("external_data", this::stringEntry);
                            external.put(e.getKey(), e.getValue());
                        } else {
                            skip(tag);
                        }
                    }
                    case 14 -> location = wire == WireFormat.WIRETYPE_VARINT ? in.readEnum() : skipped(tag, location);
                    default -> skip(tag);
                }
            }
            String label = "tensor '" + name + "'";
            OnnxDataType type = dataType(dataTypeCode);
            if (!type.isSupported()) {
                throw fail(label + " has data type " + type + "; Fovea reads float and integer tensors (not UINT64,"
                        + " strings or complex numbers)");
            }
            long[] shape = dims.toArray();
            long count;
            try {
                count = OnnxTensor.elementCount(name, shape);
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage(), e);
            }
            long fileBytes = multiply(count, type.byteSize(), label, shape);
            long memoryBytes = multiply(count, type.isFloat() ? Float.BYTES : Long.BYTES, label, shape);
            long bytes = Math.max(fileBytes, memoryBytes);
            if (bytes > options.maxTensorBytes() || count > Integer.MAX_VALUE - 8) {
                throw fail(label + " with dims " + Arrays.toString(shape) + " (" + count + " elements of " + type
                        + ", " + bytes + " bytes) is over the limit of " + options.maxTensorBytes()
                        + " bytes per tensor (and " + (Integer.MAX_VALUE - 8) + " elements)");
            }
            int n = (int) count;
            float[] floats = type.isFloat() ? new float[n] : null;
            long[] longs = type.isInteger() ? new long[n] : null;
            if (location == LOCATION_EXTERNAL) {
                readExternal(label, type, shape, n, external, floats, longs);
            } else if (raw != null) {
                if (raw.size() != fileBytes) {
                    throw fail(label + " has dims " + Arrays.toString(shape) + " (" + count + " elements of " + type
                            + " = " + fileBytes + " bytes) but " + raw.size() + " bytes of raw_data");
                }
                TensorCodec.decode(raw.asReadOnlyByteBuffer(), type, floats, longs, 0, n);
            } else {
                if (strings > 0) {
                    throw fail(label + " of type " + type + " holds string_data");
                }
                typedData(label, type, shape, n, floatData, int32Data, int64Data, uint64Data, doubleData, floats, longs);
            }
            return new OnnxTensor(name, type, shape, floats, longs);
        }

        /** The values of a tensor that keeps them in the typed fields (float_data, int32_data, ...). */
        private void typedData(String label, OnnxDataType type, long[] shape, int n, FloatList floatData,
                               LongList int32Data, LongList int64Data, LongList uint64Data, DoubleList doubleData,
                               float[] floats, long[] longs) throws OnnxFormatException {
            // Which field holds each type, as the IR specification assigns them.
            String field = switch (type) {
                case FLOAT -> "float_data";
                case DOUBLE -> "double_data";
                case INT64 -> "int64_data";
                case UINT32 -> "uint64_data";
                default -> "int32_data";
            };
            int have = switch (type) {
                case FLOAT -> floatData.size();
                case DOUBLE -> doubleData.size();
                case INT64 -> int64Data.size();
                case UINT32 -> uint64Data.size();
                default -> int32Data.size();
            };
            if (have != n) {
                throw fail(label + " has dims " + Arrays.toString(shape) + " (" + n + " elements) but " + have
                        + " values in " + field);
            }
            for (int i = 0; i < n; i++) {
                switch (type) {
                    case FLOAT -> floats[i] = floatData.get(i);
                    case DOUBLE -> floats[i] = (float) doubleData.get(i);
                    case FLOAT16 -> floats[i] = Float.float16ToFloat((short) int32Data.get(i));
                    case BFLOAT16 -> floats[i] = TensorCodec.bfloat16ToFloat((short) int32Data.get(i));
                    case INT64 -> longs[i] = int64Data.get(i);
                    case UINT32 -> longs[i] = uint64Data.get(i) & 0xFFFF_FFFFL;
                    case INT32 -> longs[i] = (int) int32Data.get(i);
                    case INT16 -> longs[i] = (short) int32Data.get(i);
                    case INT8 -> longs[i] = (byte) int32Data.get(i);
                    case UINT16 -> longs[i] = int32Data.get(i) & 0xFFFF;
                    case UINT8 -> longs[i] = int32Data.get(i) & 0xFF;
                    case BOOL -> longs[i] = int32Data.get(i) != 0 ? 1 : 0;
                    default -> throw new IllegalStateException(type.toString());
                }
            }
        }

        private Map.Entry<String, String> stringEntry() throws IOException {
            String key = "";
            String value = "";
            for (int tag; (tag = nextTag()) != 0; ) {
                switch (tag) {
                    case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readString();
                    case 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readString();
                    default -> skip(tag);
                }
            }
            return Map.entry(key, value);
        }

        // ---- external data ----

        private void readExternal(String label, OnnxDataType type, long[] shape, int n, Map<String, String> entries,
                                  float[] floats, long[] longs) throws IOException {
            String location = entries.get("location");
            if (location == null || location.isEmpty()) {
                throw fail(label + " has external data without a location");
            }
            String what = label + " external data '" + location + "'";
            if (baseDir == null) {
                throw fail(what + ": the model was not read from a file, so there is no directory to read it from"
                        + " (use OnnxReader.read(Path))");
            }
            Path file = externalFile(what, location);
            long offset = externalNumber(what, entries, "offset", 0);
            long expected = (long) n * type.byteSize();
            long length = externalNumber(what, entries, "length", expected);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = ch.size();
                // Checked against the real size before anything is allocated or read.
                if (offset > size || length > size - offset) {
                    throw fail(what + ": offset " + offset + " + length " + length + " is beyond the end of " + file
                            + " (" + size + " bytes)");
                }
                if (length != expected) {
                    throw fail(what + ": length " + length + " bytes, but dims " + Arrays.toString(shape) + " of "
                            + type + " need " + expected + " bytes");
                }
                ByteBuffer chunk = ByteBuffer.allocate(Math.max(type.byteSize(), 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
                long position = offset;
                int done = 0;
                while (done < n) {
                    int elements = Math.min(n - done, chunk.capacity() / type.byteSize());
                    chunk.clear().limit(elements * type.byteSize());
                    while (chunk.hasRemaining()) {
                        int read = ch.read(chunk, position);
                        if (read < 0) {
                            throw fail(what + ": " + file + " ended at byte " + position + " (it shrank while read)");
                        }
                        position += read;
                    }
                    chunk.flip();
                    TensorCodec.decode(chunk, type, floats, longs, done, elements);
                    done += elements;
                }
            }
        }

        /**
         * The external data file at {@code location}, checked to be a regular file inside the model's directory:
         * the location is untrusted (a file downloaded from anywhere can name any path).
         */
        private Path externalFile(String what, String location) throws IOException {
            Path relative;
            try {
                relative = baseDir.getFileSystem().getPath(location);
            } catch (InvalidPathException e) {
                throw fail(what + ": not a valid path (" + e.getMessage() + ")", e);
            }
            // Windows forms too ("\\server\\x", "C:x"): a file made elsewhere must not mean something else here.
            if (relative.isAbsolute() || relative.getRoot() != null || location.startsWith("/")
                    || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")) {
                throw fail(what + ": absolute locations are refused (it must be relative to the model's directory)");
            }
            for (String segment : location.split("[/\\\\]")) {
                if (segment.equals("..")) {
                    throw fail(what + ": locations with '..' are refused (it must stay inside the model's directory)");
                }
            }
            Path realBase = baseDir.toRealPath();
            Path candidate = realBase.resolve(relative);
            Path real;
            try {
                real = candidate.toRealPath();
            } catch (NoSuchFileException e) {
                throw fail(what + ": no such file " + candidate, e);
            }
            if (!real.startsWith(realBase)) {
                throw fail(what + ": resolves to " + real + ", outside the model's directory " + realBase
                        + " (through a symbolic link); refused");
            }
            if (!Files.isRegularFile(real)) {
                throw fail(what + ": " + real + " is not a regular file");
            }
            return real;
        }

        private long externalNumber(String what, Map<String, String> entries, String key, long fallback)
                throws OnnxFormatException {
            String text = entries.get(key);
            if (text == null || text.isEmpty()) {
                return fallback;
            }
            try {
                long v = Long.parseLong(text.trim());
                if (v < 0) {
                    throw fail(what + ": " + key + " " + v + " is negative");
                }
                return v;
            } catch (NumberFormatException e) {
                throw fail(what + ": " + key + " '" + text + "' is not a number", e);
            }
        }

        // ---- validation ----

        /** What every model needs; a file cut off between two fields passes protobuf but rarely this. */
        private void validate(OnnxModel model) throws OnnxFormatException {
            where.clear();
            if (model.opsetImports().isEmpty()) {
                throw fail("imports no operator set (opset_import): not an ONNX model, or truncated");
            }
            if (model.irVersion() <= 0) {
                throw fail("has no IR version (ir_version): not an ONNX model, or truncated");
            }
            OnnxGraph g = model.graph();
            Set<String> defined = new HashSet<>(g.initializers().keySet());
            g.inputs().forEach(v -> defined.add(v.name()));
            for (OnnxNode node : g.nodes()) {
                for (String input : node.inputs()) {
                    if (!input.isEmpty() && !defined.contains(input)) {
                        throw fail(node.describe() + " reads '" + input + "', which no graph input, initializer or"
                                + " earlier node defines (the file is truncated or its nodes are out of order)");
                    }
                }
                defined.addAll(node.outputs());
            }
            for (ValueInfo out : g.outputs()) {
                if (!defined.contains(out.name())) {
                    throw fail("graph output '" + out.name() + "' is defined by no node, initializer or input");
                }
            }
        }

        // ---- wire-level helpers ----

        /** One length-delimited sub-message, read by {@code body} within its bounds. */
        private <T> T message(String name, Body<T> body) throws IOException {
            int length = in.readRawVarint32();
            where.push(name);
            if (length < 0) {
                throw fail("negative length " + length);
            }
            int left = in.getBytesUntilLimit() >= 0 ? in.getBytesUntilLimit() : size - in.getTotalBytesRead();
            if (length > left) {
                throw fail("its length is " + length + " bytes, but only " + left + " bytes are left: the file is"
                        + " truncated or corrupt");
            }
            if (++depth > options.recursionLimit()) {
                throw fail("messages nest deeper than " + options.recursionLimit());
            }
            int outer = in.pushLimit(length);
            T value = body.read();
            where.pop();
            in.popLimit(outer);
            depth--;
            return value;
        }

        private int nextTag() throws IOException {
            int tag = in.readTag();
            if (tag != 0 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_END_GROUP) {
                throw fail("unexpected end-group tag for field " + WireFormat.getTagFieldNumber(tag));
            }
            return tag;
        }

        private void skip(int tag) throws IOException {
            in.skipField(tag);
        }

        /** Skips a known field that came with an unexpected wire type, as protobuf does, keeping {@code value}. */
        private <T> T skipped(int tag, T value) throws IOException {
            in.skipField(tag);
            return value;
        }

        private int skipped(int tag, int value) throws IOException {
            in.skipField(tag);
            return value;
        }

        /** A repeated varint field, packed or not. */
        private void readVarints(int tag, LongList into) throws IOException {
            switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_VARINT -> into.add(in.readInt64());
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int outer = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) {
                        into.add(in.readInt64());
                    }
                    in.popLimit(outer);
                }
                default -> skip(tag);
            }
        }

        /** A repeated float field, packed or not. */
        private void readFloats(int tag, FloatList into) throws IOException {
            switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_FIXED32 -> into.add(in.readFloat());
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int length = in.readRawVarint32();
                    if (length % Float.BYTES != 0) {
                        throw fail("packed floats of " + length + " bytes (not a multiple of 4)");
                    }
                    int outer = in.pushLimit(length);
                    while (in.getBytesUntilLimit() > 0) {
                        into.add(in.readFloat());
                    }
                    in.popLimit(outer);
                }
                default -> skip(tag);
            }
        }

        /** A repeated double field, packed or not. */
        private void readDoubles(int tag, DoubleList into) throws IOException {
            switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_FIXED64 -> into.add(in.readDouble());
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int length = in.readRawVarint32();
                    if (length % Double.BYTES != 0) {
                        throw fail("packed doubles of " + length + " bytes (not a multiple of 8)");
                    }
                    int outer = in.pushLimit(length);
                    while (in.getBytesUntilLimit() > 0) {
                        into.add(in.readDouble());
                    }
                    in.popLimit(outer);
                }
                default -> skip(tag);
            }
        }

        private OnnxDataType dataType(int code) throws OnnxFormatException {
            OnnxDataType type = OnnxDataType.ofCode(code);
            if (type == null) {
                throw fail("has data type code " + code + ", which Fovea does not know (float8, int4 and newer)");
            }
            return type;
        }

        private long multiply(long count, int size, String label, long[] shape) throws OnnxFormatException {
            try {
                return Math.multiplyExact(count, size);
            } catch (ArithmeticException e) {
                throw fail(label + " with dims " + Arrays.toString(shape) + " overflows a 64-bit byte count", e);
            }
        }

        private OnnxFormatException fail(String problem) {
            return fail(problem, null);
        }

        /** A failure naming the file and where in the model it is ("graph > node 'conv1' > attribute 'pads'"). */
        private OnnxFormatException fail(String problem, Throwable cause) {
            StringBuilder s = new StringBuilder(source).append(": ");
            if (!where.isEmpty()) {
                List<String> path = new ArrayList<>(where);
                java.util.Collections.reverse(path);
                s.append(String.join(" > ", path)).append(": ");
            }
            return new OnnxFormatException(s.append(problem).toString(), cause);
        }
    }

    @FunctionalInterface
    private interface Body<T> {
        T read() throws IOException;
    }

    /** A growable long array (repeated int fields, without boxing). */
    private static final class LongList {
        private long[] values = new long[8];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] values = new float[8];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable double array. */
    private static final class DoubleList {
        private double[] values = new double[8];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }
}
