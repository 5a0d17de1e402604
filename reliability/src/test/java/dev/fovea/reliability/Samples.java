package dev.fovea.reliability;

import com.google.protobuf.CodedOutputStream;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Small valid inputs the bad-input and fuzz tests start from, and byte-level helpers. */
final class Samples {
    private Samples() {
    }

    /** A small CNN: 8×8×1 → conv 3×3×4 (ReLU) → max pool 2 → flatten → dense 3 (softmax). */
    static Model smallCnn(String name) {
        return Sequential.builder(Input.image(8, 8, 1), Layout.NHWC).name(name)
                .add(Conv2D.of(4, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(3).softmax())
                .seed(7)
                .build();
    }

    /** A safetensors file from a header JSON and data bytes (the header padded with spaces to 8 bytes). */
    static byte[] safetensors(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int padded = h.length + (8 - h.length % 8) % 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    /** A grayscale PNG whose header announces {@code w × h}, followed by nothing but IEND. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13);
        int from = b.position();
        b.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put(new byte[] {8, 0, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(b.array(), from, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(0xAE426082);
        return b.array();
    }

    /** Protobuf fields written by a caller. */
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

    /**
     * An ONNX model (IR 8, opset 13) with one FLOAT initializer 'w' [4] whose data is external, described by
     * {@code entries} (location, offset, length), and graph output 'w'.
     */
    static byte[] onnxWithExternal(Map<String, String> entries) {
        byte[] tensor = message(t -> {
            t.writeInt64(1, 4);
            t.writeInt32(2, 1); // FLOAT
            t.writeString(8, "w");
            for (var e : entries.entrySet()) {
                t.writeByteArray(13, message(kv -> {
                    kv.writeString(1, e.getKey());
                    kv.writeString(2, e.getValue());
                }));
            }
            t.writeEnum(14, 1); // EXTERNAL
        });
        byte[] graph = message(g -> {
            g.writeString(2, "g");
            g.writeByteArray(5, tensor);
            g.writeByteArray(12, message(v -> v.writeString(1, "w")));
        });
        return message(m -> {
            m.writeInt64(1, 8);
            m.writeByteArray(7, graph);
            m.writeByteArray(8, message(o -> {
                o.writeString(1, "");
                o.writeInt64(2, 13);
            }));
        });
    }

    /** {@code depth} nested length-delimited messages in field 7 (the graph) and below: a nesting bomb. */
    static byte[] nested(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            byte[] body = inner;
            int field = i % 2 == 0 ? 1 : 7;
            inner = message(m -> m.writeByteArray(field, body));
        }
        byte[] graph = inner;
        return message(m -> {
            m.writeInt64(1, 8);
            m.writeByteArray(7, graph);
        });
    }

    static byte[] floatsLe(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }
}
