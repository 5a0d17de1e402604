package dev.fovea.onnx.format;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.fovea.data.AtomicFiles;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes {@link OnnxModel} records as ONNX files ({@code ModelProto}, protobuf), by the field numbers of the
 * ONNX IR specification, with protobuf-java's {@link CodedOutputStream}.
 *
 * <p>Every tensor's values go into {@code raw_data}, little-endian, in the tensor's {@link OnnxTensor#dataType()}
 * (a FLOAT16 tensor is rounded back to half precision). With {@link Options#externalAbove(long)}, initializers of
 * at least that many bytes go instead into one external data file beside the model ({@code <model file>.data}
 * unless named), each at an offset that is a multiple of {@value #EXTERNAL_ALIGNMENT}.
 *
 * <p>Files are written atomically: into a new file in the same directory, forced to disk, then moved over the
 * target, so a reader sees the old file or the new one, never half of one. The external data file is moved into
 * place before the model, so a new model never points at missing data. Only what the records hold is written:
 * fields the reader skipped (doc strings, {@code value_info}, metadata) are not carried over.
 */
public final class OnnxWriter {
    /** External tensors start at multiples of this many bytes (so they can be mapped and read aligned). */
    public static final int EXTERNAL_ALIGNMENT = 64;

    private static final int CHUNK = 1 << 16;

    /**
     * How to write.
     *
     * @param externalThresholdBytes initializers of at least this many bytes go to the external data file;
     *                               {@link Long#MAX_VALUE} keeps every tensor inside the model file
     * @param externalFileName       the external data file's name (a plain file name, in the model's directory),
     *                               or null for the model file's name + {@code ".data"}
     */
    public record Options(long externalThresholdBytes, String externalFileName) {
        /** Every tensor inside the model file. */
        public static final Options DEFAULT = new Options(Long.MAX_VALUE, null);

        public Options {
            if (externalThresholdBytes < 0) {
                throw new IllegalArgumentException("externalThresholdBytes must not be negative: " + externalThresholdBytes);
            }
            if (externalFileName != null && (externalFileName.isEmpty() || externalFileName.contains("/")
                    || externalFileName.contains("\\") || externalFileName.equals(".") || externalFileName.equals(".."))) {
                throw new IllegalArgumentException("external data file name '" + externalFileName
                        + "' must be a plain file name (it is written beside the model)");
            }
        }

        /** Initializers of at least {@code bytes} bytes as external data, in {@code <model file>.data}. */
        public static Options externalAbove(long bytes) {
            return new Options(bytes, null);
        }

        /** These options with the external data file named {@code name}. */
        public Options withExternalFileName(String name) {
            return new Options(externalThresholdBytes, name);
        }
    }

    private OnnxWriter() {
    }

    /**
     * The model as the bytes of an ONNX file, every tensor inline.
     *
     * @throws IllegalArgumentException the model is over protobuf's 2 GiB message limit (write it to a file with
     *                                  {@link Options#externalAbove(long)} instead)
     */
    public static byte[] toBytes(OnnxModel model) {
        Encoder encoder = new Encoder(Map.of());
        byte[] bytes = new byte[encoder.checkedSize(model)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            encoder.model(out, model);
        } catch (IOException e) {
            throw new IllegalStateException("writing into an array of the computed size failed", e);
        }
        out.checkNoSpaceLeft();
        return bytes;
    }

    /** Writes {@code model} to {@code file} atomically, every tensor inline. */
    public static void write(OnnxModel model, Path file) throws IOException {
        write(model, file, Options.DEFAULT);
    }

    /**
     * Writes {@code model} to {@code file} atomically; initializers of at least
     * {@link Options#externalThresholdBytes()} bytes go to the external data file beside it.
     *
     * @throws IllegalArgumentException the model file would be over protobuf's 2 GiB limit
     * @throws IOException              a file cannot be written
     */
    public static void write(OnnxModel model, Path file, Options options) throws IOException {
        Objects.requireNonNull(model, "model");
        Path target = file.toAbsolutePath();
        String dataName = options.externalFileName() != null ? options.externalFileName()
                : target.getFileName() + ".data";

        // Lay the external tensors out first: the model refers to them by offset.
        Map<OnnxTensor, Placement> external = new IdentityHashMap<>();
        long offset = 0;
        for (OnnxTensor t : model.graph().initializers().values()) {
            if (t.byteSize() >= options.externalThresholdBytes() && t.byteSize() > 0) {
                offset = align(offset);
                external.put(t, new Placement(dataName, offset, t.byteSize()));
                offset += t.byteSize();
            }
        }
        Encoder encoder = new Encoder(external);
        int size = encoder.checkedSize(model);

        if (!external.isEmpty()) {
            Path dataFile = target.resolveSibling(dataName);
            if (dataFile.equals(target)) {
                throw new IllegalArgumentException("the external data file cannot be the model file " + target);
            }
            atomicWrite(dataFile, ch -> {
                for (OnnxTensor t : model.graph().initializers().values()) {
                    Placement p = external.get(t);
                    if (p != null) {
                        writeTensorBytes(ch, t, p.offset());
                    }
                }
            });
        }
        atomicWrite(target, ch -> {
            OutputStream stream = Channels.newOutputStream(ch);
            CodedOutputStream out = CodedOutputStream.newInstance(stream, CHUNK);
            encoder.model(out, model);
            out.flush();
            if (ch.size() != size) {
                throw new IOException(target + ": wrote " + ch.size() + " bytes, computed " + size);
            }
        });
    }

    private static long align(long offset) {
        return (offset + EXTERNAL_ALIGNMENT - 1) / EXTERNAL_ALIGNMENT * EXTERNAL_ALIGNMENT;
    }

    /** A tensor's values, little-endian, at {@code offset} of {@code ch} (positional writes: gaps read as zeros). */
    private static void writeTensorBytes(FileChannel ch, OnnxTensor t, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long position = offset;
        int n = (int) t.elementCount();
        for (int i = 0; i < n; ) {
            buf.clear();
            i = TensorCodec.encode(t, i, buf);
            buf.flip();
            while (buf.hasRemaining()) {
                position += ch.write(buf, position);
            }
        }
    }

    @FunctionalInterface
    private interface ChannelBody {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes {@code target} through a temporary file moved over it ({@link AtomicFiles}). */
    private static void atomicWrite(Path target, ChannelBody body) throws IOException {
        AtomicFiles.write(target, body::write);
    }

    /** Where an external tensor's bytes are. */
    private record Placement(String location, long offset, long length) {
    }

    /**
     * The protobuf encoding: for each message, its size (needed first, as the length prefix) and its fields in
     * field-number order. Sizes are long so that an oversized model is reported, not wrapped around.
     */
    private static final class Encoder {
        private final Map<OnnxTensor, Placement> external;

        Encoder(Map<OnnxTensor, Placement> external) {
            this.external = external;
        }

        int checkedSize(OnnxModel model) {
            long size = modelSize(model);
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the model would be " + size + " bytes, over protobuf's limit of "
                        + Integer.MAX_VALUE + " bytes for one message; write it with OnnxWriter.Options.externalAbove"
                        + " to keep large initializers in an external data file");
            }
            return (int) size;
        }

        // ---- ModelProto ----

        long modelSize(OnnxModel m) {
            long s = CodedOutputStream.computeInt64Size(1, m.irVersion());
            s += stringSize(2, m.producerName());
            s += nested(7, graphSize(m.graph()));
            for (Map.Entry<String, Long> e : m.opsetImports().entrySet()) {
                s += nested(8, opsetSize(e.getKey(), e.getValue()));
            }
            return s;
        }

        void model(CodedOutputStream out, OnnxModel m) throws IOException {
            out.writeInt64(1, m.irVersion());
            string(out, 2, m.producerName());
            header(out, 7, graphSize(m.graph()));
            graph(out, m.graph());
            for (Map.Entry<String, Long> e : m.opsetImports().entrySet()) {
                header(out, 8, opsetSize(e.getKey(), e.getValue()));
                out.writeString(1, e.getKey());
                out.writeInt64(2, e.getValue());
            }
        }

        private static long opsetSize(String domain, long version) {
            return CodedOutputStream.computeStringSize(1, domain) + CodedOutputStream.computeInt64Size(2, version);
        }

        // ---- GraphProto ----

        long graphSize(OnnxGraph g) {
            long s = 0;
            for (OnnxNode n : g.nodes()) {
                s += nested(1, nodeSize(n));
            }
            s += stringSize(2, g.name());
            for (OnnxTensor t : g.initializers().values()) {
                s += nested(5, tensorSize(t));
            }
            for (ValueInfo v : g.inputs()) {
                s += nested(11, valueInfoSize(v));
            }
            for (ValueInfo v : g.outputs()) {
                s += nested(12, valueInfoSize(v));
            }
            return s;
        }

        void graph(CodedOutputStream out, OnnxGraph g) throws IOException {
            for (OnnxNode n : g.nodes()) {
                header(out, 1, nodeSize(n));
                node(out, n);
            }
            string(out, 2, g.name());
            for (OnnxTensor t : g.initializers().values()) {
                header(out, 5, tensorSize(t));
                tensor(out, t);
            }
            for (ValueInfo v : g.inputs()) {
                header(out, 11, valueInfoSize(v));
                valueInfo(out, v);
            }
            for (ValueInfo v : g.outputs()) {
                header(out, 12, valueInfoSize(v));
                valueInfo(out, v);
            }
        }

        // ---- NodeProto, AttributeProto ----

        long nodeSize(OnnxNode n) {
            long s = 0;
            for (String in : n.inputs()) {
                s += CodedOutputStream.computeStringSize(1, in);  // "" too: it holds an optional input's place
            }
            for (String o : n.outputs()) {
                s += CodedOutputStream.computeStringSize(2, o);
            }
            s += stringSize(3, n.name());
            s += CodedOutputStream.computeStringSize(4, n.opType());
            for (Map.Entry<String, OnnxAttribute> a : n.attributes().entrySet()) {
                s += nested(5, attributeSize(a.getKey(), a.getValue()));
            }
            s += stringSize(7, n.domain());
            return s;
        }

        void node(CodedOutputStream out, OnnxNode n) throws IOException {
            for (String in : n.inputs()) {
                out.writeString(1, in);
            }
            for (String o : n.outputs()) {
                out.writeString(2, o);
            }
            string(out, 3, n.name());
            out.writeString(4, n.opType());
            for (Map.Entry<String, OnnxAttribute> a : n.attributes().entrySet()) {
                header(out, 5, attributeSize(a.getKey(), a.getValue()));
                attribute(out, a.getKey(), a.getValue());
            }
            string(out, 7, n.domain());
        }

        /** AttributeProto.type codes. */
        private static int typeCode(OnnxAttribute a) {
            return switch (a) {
                case OnnxAttribute.FloatValue f -> 1;
                case OnnxAttribute.IntValue i -> 2;
                case OnnxAttribute.StringValue s -> 3;
                case OnnxAttribute.TensorValue t -> 4;
                case OnnxAttribute.FloatsValue f -> 6;
                case OnnxAttribute.IntsValue i -> 7;
                case OnnxAttribute.StringsValue s -> 8;
            };
        }

        long attributeSize(String name, OnnxAttribute a) {
            long s = CodedOutputStream.computeStringSize(1, name);
            s += switch (a) {
                case OnnxAttribute.FloatValue f -> CodedOutputStream.computeFloatSize(2, f.value());
                case OnnxAttribute.IntValue i -> CodedOutputStream.computeInt64Size(3, i.value());
                case OnnxAttribute.StringValue v -> CodedOutputStream.computeByteArraySize(4, utf8(v.value()));
                case OnnxAttribute.TensorValue t -> nested(5, tensorSize(t.value()));
                case OnnxAttribute.FloatsValue f -> (long) f.values().length * CodedOutputStream.computeFloatSize(7, 0f);
                case OnnxAttribute.IntsValue v -> {
                    long sum = 0;
                    for (long x : v.values()) {
                        sum += CodedOutputStream.computeInt64Size(8, x);
                    }
                    yield sum;
                }
                case OnnxAttribute.StringsValue v -> {
                    long sum = 0;
                    for (String x : v.values()) {
                        sum += CodedOutputStream.computeByteArraySize(9, utf8(x));
                    }
                    yield sum;
                }
            };
            return s + CodedOutputStream.computeEnumSize(20, typeCode(a));
        }

        void attribute(CodedOutputStream out, String name, OnnxAttribute a) throws IOException {
            out.writeString(1, name);
            switch (a) {
                case OnnxAttribute.FloatValue f -> out.writeFloat(2, f.value());
                case OnnxAttribute.IntValue i -> out.writeInt64(3, i.value());
                case OnnxAttribute.StringValue v -> out.writeByteArray(4, utf8(v.value()));
                case OnnxAttribute.TensorValue t -> {
                    header(out, 5, tensorSize(t.value()));
                    tensor(out, t.value());
                }
                // Repeated scalars unpacked: onnx.proto is proto2 and declares them without [packed = true].
                case OnnxAttribute.FloatsValue f -> {
                    for (float x : f.values()) {
                        out.writeFloat(7, x);
                    }
                }
                case OnnxAttribute.IntsValue v -> {
                    for (long x : v.values()) {
                        out.writeInt64(8, x);
                    }
                }
                case OnnxAttribute.StringsValue v -> {
                    for (String x : v.values()) {
                        out.writeByteArray(9, utf8(x));
                    }
                }
            }
            out.writeEnum(20, typeCode(a));
        }

        // ---- TensorProto ----

        long tensorSize(OnnxTensor t) {
            long s = 0;
            for (long d : t.dims()) {
                s += CodedOutputStream.computeInt64Size(1, d);
            }
            s += CodedOutputStream.computeInt32Size(2, t.dataType().code());
            s += stringSize(8, t.name());
            Placement p = external.get(t);
            if (p == null) {
                s += nested(9, t.byteSize());
            } else {
                for (Map.Entry<String, String> e : externalEntries(p)) {
                    s += nested(13, CodedOutputStream.computeStringSize(1, e.getKey())
                            + CodedOutputStream.computeStringSize(2, e.getValue()));
                }
                s += CodedOutputStream.computeEnumSize(14, 1);
            }
            return s;
        }

        void tensor(CodedOutputStream out, OnnxTensor t) throws IOException {
            for (long d : t.dims()) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, t.dataType().code());
            string(out, 8, t.name());
            Placement p = external.get(t);
            if (p == null) {
                header(out, 9, t.byteSize());
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                int n = (int) t.elementCount();
                for (int i = 0; i < n; ) {
                    buf.clear();
                    i = TensorCodec.encode(t, i, buf);
                    out.writeRawBytes(buf.array(), 0, buf.position());
                }
            } else {
                for (Map.Entry<String, String> e : externalEntries(p)) {
                    header(out, 13, CodedOutputStream.computeStringSize(1, e.getKey())
                            + CodedOutputStream.computeStringSize(2, e.getValue()));
                    out.writeString(1, e.getKey());
                    out.writeString(2, e.getValue());
                }
                out.writeEnum(14, 1);  // data_location = EXTERNAL
            }
        }

        private static List<Map.Entry<String, String>> externalEntries(Placement p) {
            return List.of(Map.entry("location", p.location()), Map.entry("offset", Long.toString(p.offset())),
                    Map.entry("length", Long.toString(p.length())));
        }

        // ---- ValueInfoProto, TypeProto ----

        long valueInfoSize(ValueInfo v) {
            return CodedOutputStream.computeStringSize(1, v.name()) + nested(2, nested(1, tensorTypeSize(v)));
        }

        void valueInfo(CodedOutputStream out, ValueInfo v) throws IOException {
            out.writeString(1, v.name());
            header(out, 2, nested(1, tensorTypeSize(v)));  // TypeProto
            header(out, 1, tensorTypeSize(v));             // .tensor_type
            if (v.elemType() != OnnxDataType.UNDEFINED) {
                out.writeInt32(1, v.elemType().code());
            }
            if (v.hasShape()) {
                header(out, 2, shapeSize(v.dims()));
                for (OnnxDim d : v.dims()) {
                    header(out, 1, dimSize(d));
                    switch (d) {
                        case OnnxDim.Fixed f -> out.writeInt64(1, f.size());
                        case OnnxDim.Symbolic s -> string(out, 2, s.name());
                    }
                }
            }
        }

        private static long tensorTypeSize(ValueInfo v) {
            long s = v.elemType() == OnnxDataType.UNDEFINED ? 0 : CodedOutputStream.computeInt32Size(1, v.elemType().code());
            return v.hasShape() ? s + nested(2, shapeSize(v.dims())) : s;
        }

        private static long shapeSize(List<OnnxDim> dims) {
            long s = 0;
            for (OnnxDim d : dims) {
                s += nested(1, dimSize(d));
            }
            return s;
        }

        private static long dimSize(OnnxDim d) {
            return switch (d) {
                case OnnxDim.Fixed f -> CodedOutputStream.computeInt64Size(1, f.size());
                case OnnxDim.Symbolic s -> stringSize(2, s.name());
            };
        }

        // ---- field helpers ----

        /** Size of a length-delimited field {@code field} whose payload is {@code length} bytes. */
        private static long nested(int field, long length) {
            return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
        }

        private static void header(CodedOutputStream out, int field, long length) throws IOException {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag((int) length);  // checkedSize bounded the whole model by Integer.MAX_VALUE
        }

        /** An optional string field: written only when not empty (proto2 leaves absent fields out). */
        private static long stringSize(int field, String s) {
            return s.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, s);
        }

        private static void string(CodedOutputStream out, int field, String s) throws IOException {
            if (!s.isEmpty()) {
                out.writeString(field, s);
            }
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
