package dev.fovea.onnx.format;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Hand-encoded ONNX messages, for files the writer would never produce. */
final class Protos {
    private Protos() {
    }

    @FunctionalInterface
    interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model (IR 8, opset 13) whose graph has the given fields. */
    static byte[] model(Fields graphFields) {
        byte[] graph = message(graphFields);
        return message(m -> {
            m.writeInt64(1, 8);
            m.writeByteArray(7, graph);
            m.writeByteArray(8, message(o -> {
                o.writeString(1, "");
                o.writeInt64(2, 13);
            }));
        });
    }

    /** A FLOAT tensor of {@code dims} whose data is external, with the given external_data entries. */
    static byte[] externalTensor(String name, long[] dims, Map<String, String> entries) {
        return message(t -> {
            for (long d : dims) {
                t.writeInt64(1, d);
            }
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeString(8, name);
            for (Map.Entry<String, String> e : entries.entrySet()) {
                t.writeByteArray(13, message(kv -> {
                    kv.writeString(1, e.getKey());
                    kv.writeString(2, e.getValue());
                }));
            }
            t.writeEnum(14, 1);
        });
    }

    /** A model whose only content is the initializer {@code tensor}. */
    static byte[] modelWithInitializer(byte[] tensor) {
        return model(g -> {
            g.writeString(2, "g");
            g.writeByteArray(5, tensor);
        });
    }
}
