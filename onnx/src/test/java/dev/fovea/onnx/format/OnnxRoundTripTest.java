package dev.fovea.onnx.format;

import static dev.fovea.onnx.format.TestModels.attrs;
import static dev.fovea.onnx.format.TestModels.dims;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRoundTripTest {
    @TempDir
    Path dir;

    /** One tensor of every supported type, with values at the edges of each. */
    private static List<OnnxTensor> everyType() {
        return List.of(
                OnnxTensor.ofFloats("f32", dims(2, 3), 0f, -0f, 1.5f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN),
                OnnxTensor.ofFloats("f16", OnnxDataType.FLOAT16, dims(4), 1f, -2.5f, 65504f, 0.000061035156f),
                OnnxTensor.ofFloats("bf16", OnnxDataType.BFLOAT16, dims(3), 1f, -3.140625f, Math.scalb(1f, 100)),
                OnnxTensor.ofFloats("f64", OnnxDataType.DOUBLE, dims(2), 0.1f, -1e-20f),
                OnnxTensor.ofLongs("i64", dims(3), Long.MIN_VALUE, -1, Long.MAX_VALUE),
                OnnxTensor.ofLongs("i32", OnnxDataType.INT32, dims(2), Integer.MIN_VALUE, Integer.MAX_VALUE),
                OnnxTensor.ofLongs("i16", OnnxDataType.INT16, dims(2), Short.MIN_VALUE, Short.MAX_VALUE),
                OnnxTensor.ofLongs("i8", OnnxDataType.INT8, dims(3), -128, 0, 127),
                OnnxTensor.ofLongs("u8", OnnxDataType.UINT8, dims(2), 0, 255),
                OnnxTensor.ofLongs("u16", OnnxDataType.UINT16, dims(2), 0, 65535),
                OnnxTensor.ofLongs("u32", OnnxDataType.UINT32, dims(2), 0, 0xFFFF_FFFFL),
                OnnxTensor.ofLongs("bool", OnnxDataType.BOOL, dims(2, 2), 1, 0, 0, 1),
                OnnxTensor.ofLongs("scalar", dims(), 42),
                OnnxTensor.ofFloats("empty", dims(0, 3)));
    }

    private static OnnxModel richModel() {
        List<OnnxTensor> tensors = everyType();
        OnnxNode node = new OnnxNode("n0", "Custom", "com.example", List.of("x", "", "f32"), List.of("y", ""),
                attrs("f", 0.5f, "i", -7L, "s", "héllo", "t", OnnxTensor.ofLongs("t", dims(2), 3, 4),
                        "floats", new float[] {1f, -2f}, "ints", new long[] {Long.MIN_VALUE, 0, 9},
                        "strings", new OnnxAttribute.StringsValue(List.of("a", "", "ü")),
                        "emptyInts", new OnnxAttribute.IntsValue(new long[0])));
        ValueInfo x = new ValueInfo("x", OnnxDataType.FLOAT,
                List.of(OnnxDim.of("batch"), OnnxDim.of(3), OnnxDim.of(""), OnnxDim.of(0)));
        ValueInfo y = new ValueInfo("y", OnnxDataType.UNDEFINED, null);
        OnnxGraph g = new OnnxGraph("rich", List.of(node), OnnxGraph.byName(tensors), List.of(x), List.of(y));
        return new OnnxModel(8, Map.of("", 13L, "com.example", 1L), "fovea-test", g);
    }

    @Test
    void bytesRoundTripKeepsEverything() throws IOException {
        OnnxModel m = richModel();
        OnnxModel back = OnnxReader.parse(OnnxWriter.toBytes(m), "rich.onnx");
        assertEquals(m, back);
        // NaN and -0 survive bit for bit; the half types are exact for these values.
        float[] f32 = back.graph().initializers().get("f32").floats();
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f32[1]));
        assertTrue(Float.isNaN(f32[5]));
        assertEquals(13, back.opsetVersion());
        assertEquals("fovea-test", back.producerName());
    }

    @Test
    void fileRoundTripIsAtomicAndReplaces() throws IOException {
        Path file = dir.resolve("m.onnx");
        OnnxWriter.write(TestModels.smallCnn(), file);
        OnnxWriter.write(richModel(), file);  // replaces
        assertEquals(richModel(), OnnxReader.read(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void halfPrecisionRoundsOnWrite() throws IOException {
        OnnxTensor t = OnnxTensor.ofFloats("h", OnnxDataType.FLOAT16, dims(2), 0.1f, 70000f);
        OnnxTensor b = OnnxTensor.ofFloats("b", OnnxDataType.BFLOAT16, dims(1), 1.00390625f);  // tie: rounds to even
        OnnxGraph g = new OnnxGraph("g", List.of(), OnnxGraph.byName(List.of(t, b)), List.of(), List.of());
        OnnxGraph back = OnnxReader.parse(OnnxWriter.toBytes(TestModels.model(g)), "h").graph();
        assertArrayEquals(new float[] {Float.float16ToFloat(Float.floatToFloat16(0.1f)), Float.POSITIVE_INFINITY},
                back.initializers().get("h").floats());
        assertArrayEquals(new float[] {1f}, back.initializers().get("b").floats());
    }

    // ---- the wire format as other writers use it ----

    /** A model whose graph holds the given initializer bytes (a TensorProto) and unknown fields everywhere. */
    private static byte[] modelWithTensor(byte[] tensorProto) throws IOException {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        CodedOutputStream g = CodedOutputStream.newInstance(graph);
        g.writeString(2, "g");
        g.writeByteArray(5, tensorProto);
        writeUnknownFields(g);
        g.flush();
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        CodedOutputStream m = CodedOutputStream.newInstance(model);
        writeUnknownFields(m);
        m.writeInt64(1, 7);
        m.writeByteArray(7, graph.toByteArray());
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(opset);
        o.writeString(1, "");
        o.writeInt64(2, 11);
        writeUnknownFields(o);
        o.flush();
        m.writeByteArray(8, opset.toByteArray());
        m.flush();
        return model.toByteArray();
    }

    /** Unknown fields of every wire type, including a group, which the reader must skip. */
    private static void writeUnknownFields(CodedOutputStream out) throws IOException {
        out.writeInt64(900, 5);
        out.writeFixed32(901, 7);
        out.writeFixed64(902, 9);
        out.writeString(903, "doc");
        out.writeTag(904, WireFormat.WIRETYPE_START_GROUP);
        out.writeInt32(1, 1);
        out.writeTag(904, WireFormat.WIRETYPE_END_GROUP);
    }

    private static OnnxTensor readTensor(TensorWriter w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream t = CodedOutputStream.newInstance(bytes);
        w.write(t);
        writeUnknownFields(t);
        t.flush();
        OnnxModel m = OnnxReader.parse(modelWithTensor(bytes.toByteArray()), "typed.onnx");
        return m.graph().initializers().values().iterator().next();
    }

    @FunctionalInterface
    private interface TensorWriter {
        void write(CodedOutputStream t) throws IOException;
    }

    @Test
    void typedFieldsPackedAndUnpacked() throws IOException {
        // float_data packed, dims unpacked (as proto2 writes them).
        OnnxTensor packed = readTensor(t -> {
            t.writeInt64(1, 2);
            t.writeInt64(1, 2);
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            t.writeUInt32NoTag(16);
            for (float v : new float[] {1, 2, 3, 4}) {
                t.writeFloatNoTag(v);
            }
            t.writeString(8, "p");
        });
        assertEquals(OnnxTensor.ofFloats("p", dims(2, 2), 1, 2, 3, 4), packed);

        // float_data unpacked, dims packed.
        OnnxTensor unpacked = readTensor(t -> {
            t.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            t.writeUInt32NoTag(1);
            t.writeInt64NoTag(3);
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeFloat(4, 5);
            t.writeFloat(4, 6);
            t.writeFloat(4, 7);
            t.writeString(8, "u");
        });
        assertEquals(OnnxTensor.ofFloats("u", dims(3), 5, 6, 7), unpacked);
    }

    @Test
    void typedFieldsOfEveryType() throws IOException {
        assertEquals(OnnxTensor.ofLongs("a", dims(2), -5, 1L << 40), readTensor(t -> {
            t.writeInt64(1, 2);
            t.writeInt32(2, OnnxDataType.INT64.code());
            t.writeInt64(7, -5);
            t.writeInt64(7, 1L << 40);
            t.writeString(8, "a");
        }));
        // int32_data carries INT32, INT8 (sign-extended), UINT8, BOOL and the half floats' bits.
        assertEquals(OnnxTensor.ofLongs("b", OnnxDataType.INT8, dims(2), -3, 100), readTensor(t -> {
            t.writeInt64(1, 2);
            t.writeInt32(2, OnnxDataType.INT8.code());
            t.writeInt32(5, -3);
            t.writeInt32(5, 100);
            t.writeString(8, "b");
        }));
        assertEquals(OnnxTensor.ofFloats("c", OnnxDataType.FLOAT16, dims(2), 1f, -2f), readTensor(t -> {
            t.writeInt64(1, 2);
            t.writeInt32(2, OnnxDataType.FLOAT16.code());
            t.writeInt32(5, Float.floatToFloat16(1f) & 0xFFFF);
            t.writeInt32(5, Float.floatToFloat16(-2f) & 0xFFFF);
            t.writeString(8, "c");
        }));
        assertEquals(OnnxTensor.ofFloats("d", OnnxDataType.DOUBLE, dims(1), 0.5f), readTensor(t -> {
            t.writeInt64(1, 1);
            t.writeInt32(2, OnnxDataType.DOUBLE.code());
            t.writeDouble(10, 0.5);
            t.writeString(8, "d");
        }));
        assertEquals(OnnxTensor.ofLongs("e", OnnxDataType.UINT32, dims(1), 0xFFFF_FFFFL), readTensor(t -> {
            t.writeInt64(1, 1);
            t.writeInt32(2, OnnxDataType.UINT32.code());
            t.writeUInt64(11, 0xFFFF_FFFFL);
            t.writeString(8, "e");
        }));
        // raw_data wins over nothing: little-endian int32.
        assertEquals(OnnxTensor.ofLongs("r", OnnxDataType.INT32, dims(2), 1, -2), readTensor(t -> {
            t.writeInt64(1, 2);
            t.writeInt32(2, OnnxDataType.INT32.code());
            t.writeString(8, "r");
            t.writeBytes(9, ByteString.copyFrom(new byte[] {1, 0, 0, 0, -2, -1, -1, -1}));
        }));
    }

    @Test
    void knownFieldsOfAnotherWireTypeAreSkipped() throws IOException {
        // protobuf treats a known field number with an unexpected wire type as an unknown field.
        assertEquals(OnnxTensor.ofLongs("n", dims(1), 4), readTensor(t -> {
            t.writeInt64(1, 1);
            t.writeInt32(2, OnnxDataType.INT64.code());
            t.writeInt64(8, 12345);            // name as a varint: skipped
            t.writeString(2, "not a type");    // data_type as bytes: skipped
            t.writeString(8, "n");
            t.writeInt64(7, 4);
        }));
    }

    @Test
    void dataOfTheWrongSizeIsRefused() {
        IOException e = assertThrows(IOException.class, () -> readTensor(t -> {
            t.writeInt64(1, 3);
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeString(8, "w");
            t.writeBytes(9, ByteString.copyFrom(new byte[8]));
        }));
        assertTrue(e.getMessage().contains("typed.onnx") && e.getMessage().contains("'w'")
                && e.getMessage().contains("12 bytes") && e.getMessage().contains("8 bytes of raw_data"), e.getMessage());

        e = assertThrows(IOException.class, () -> readTensor(t -> {
            t.writeInt64(1, 3);
            t.writeInt32(2, OnnxDataType.INT64.code());
            t.writeString(8, "v");
            t.writeInt64(7, 1);
        }));
        assertTrue(e.getMessage().contains("'v'") && e.getMessage().contains("1 values in int64_data"), e.getMessage());

        e = assertThrows(IOException.class, () -> readTensor(t -> {
            t.writeInt32(2, OnnxDataType.STRING.code());
            t.writeString(8, "s");
        }));
        assertTrue(e.getMessage().contains("'s'") && e.getMessage().contains("STRING"), e.getMessage());
    }

    @Test
    void oversizedAndOverflowingTensorsAreRefusedBeforeAllocating() {
        IOException e = assertThrows(IOException.class, () -> readTensor(t -> {
            t.writeInt64(1, 1L << 40);
            t.writeInt64(1, 1L << 40);
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeString(8, "huge");
        }));
        assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("overflow"), e.getMessage());

        e = assertThrows(IOException.class, () -> readTensor(t -> {
            t.writeInt64(1, 1L << 33);
            t.writeInt32(2, OnnxDataType.FLOAT.code());
            t.writeString(8, "big");
        }));
        assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("over the limit"), e.getMessage());
    }

    @Test
    void tensorLimitIsConfigurable() throws IOException {
        byte[] bytes = OnnxWriter.toBytes(TestModels.smallCnn());
        OnnxReader.Options small = OnnxReader.Options.DEFAULT.withMaxTensorBytes(1000);
        IOException e = assertThrows(IOException.class, () -> OnnxReader.parse(bytes, "cnn.onnx", small));
        // fc.w: 10 x 128 floats = 5120 bytes.
        assertTrue(e.getMessage().contains("cnn.onnx") && e.getMessage().contains("'fc.w'")
                && e.getMessage().contains("5120 bytes") && e.getMessage().contains("1000"), e.getMessage());
        assertEquals(TestModels.smallCnn(), OnnxReader.parse(bytes, "cnn.onnx"));
    }

    @Test
    void attributesWithoutTypeFieldAreTypedByTheirValue() throws IOException {
        // Early IR versions wrote no AttributeProto.type: the value present decides.
        ByteArrayOutputStream attr = new ByteArrayOutputStream();
        CodedOutputStream a = CodedOutputStream.newInstance(attr);
        a.writeString(1, "axes");
        a.writeInt64(8, 1);
        a.writeInt64(8, 2);
        a.flush();
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        CodedOutputStream n = CodedOutputStream.newInstance(node);
        n.writeString(1, "x");
        n.writeString(2, "y");
        n.writeString(4, "Unsqueeze");
        n.writeByteArray(5, attr.toByteArray());
        n.flush();
        ByteArrayOutputStream init = new ByteArrayOutputStream();
        CodedOutputStream i = CodedOutputStream.newInstance(init);
        i.writeInt32(2, OnnxDataType.INT64.code());
        i.writeString(8, "x");
        i.writeInt64(7, 5);
        i.flush();
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        CodedOutputStream g = CodedOutputStream.newInstance(graph);
        g.writeByteArray(1, node.toByteArray());
        g.writeByteArray(5, init.toByteArray());
        g.flush();
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(model);
        out.writeInt64(1, 3);
        out.writeByteArray(7, graph.toByteArray());
        out.writeByteArray(8, new byte[] {0x10, 0x01});  // opset_import { version: 1 }
        out.flush();
        OnnxModel back = OnnxReader.parse(model.toByteArray(), "old.onnx");
        OnnxNode unsqueeze = back.graph().nodes().getFirst();
        assertArrayEquals(new long[] {1, 2}, unsqueeze.intsAttr("axes"));
    }

    @Test
    void nodeAccessorsCheckTypes() {
        OnnxNode n = TestModels.node("Conv", List.of("x", "w"), List.of("y"), "group", 2, "pads", dims(1, 1, 1, 1));
        assertEquals(2, n.intAttr("group", 1));
        assertEquals(1, n.intAttr("missing", 1));
        assertArrayEquals(new long[] {1, 1, 1, 1}, n.intsAttr("pads"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> n.intAttr("pads", 0));
        assertTrue(e.getMessage().contains("node 'Conv_y' (Conv)") && e.getMessage().contains("'pads' is INTS"),
                e.getMessage());
        assertEquals("", n.input(2));
        assertTrue(!n.hasInput(2) && n.hasInput(1));
    }

    @Test
    void tensorRecordValidates() {
        assertThrows(IllegalArgumentException.class, () -> OnnxTensor.ofFloats("a", dims(2, 2), 1f));
        assertThrows(IllegalArgumentException.class, () -> OnnxTensor.ofLongs("b", OnnxDataType.UINT8, dims(1), 256));
        assertThrows(IllegalArgumentException.class, () -> new OnnxTensor("c", OnnxDataType.FLOAT, dims(1), null, new long[1]));
        List<OnnxTensor> twice = new ArrayList<>(List.of(OnnxTensor.ofLongs("d", dims(), 1), OnnxTensor.ofLongs("d", dims(), 2)));
        assertThrows(IllegalArgumentException.class, () -> OnnxGraph.byName(twice));
    }
}
