package dev.fovea.onnx.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensor values to and from ONNX's little-endian byte encoding ({@code raw_data} and external data files), in
 * chunks so that large tensors never need a second full-size buffer.
 */
final class TensorCodec {
    private TensorCodec() {
    }

    /**
     * Decodes {@code count} elements of {@code type} from {@code src} (little-endian, at least
     * {@code count * type.byteSize()} bytes remaining) into {@code floats} or {@code longs} from index {@code at}.
     */
    static void decode(ByteBuffer src, OnnxDataType type, float[] floats, long[] longs, int at, int count) {
        ByteBuffer in = src.order(ByteOrder.LITTLE_ENDIAN);
        int end = at + count;
        switch (type) {
            case FLOAT -> in.asFloatBuffer().get(floats, at, count);
            case DOUBLE -> {
                for (int i = at; i < end; i++) {
                    floats[i] = (float) in.getDouble();
                }
            }
            case FLOAT16 -> {
                for (int i = at; i < end; i++) {
                    floats[i] = Float.float16ToFloat(in.getShort());
                }
            }
            case BFLOAT16 -> {
                for (int i = at; i < end; i++) {
                    floats[i] = bfloat16ToFloat(in.getShort());
                }
            }
            case INT64 -> in.asLongBuffer().get(longs, at, count);
            case INT32 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.getInt();
                }
            }
            case UINT32 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.getInt() & 0xFFFF_FFFFL;
                }
            }
            case INT16 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.getShort();
                }
            }
            case UINT16 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.getShort() & 0xFFFF;
                }
            }
            case INT8 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.get();
                }
            }
            case UINT8 -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.get() & 0xFF;
                }
            }
            case BOOL -> {
                for (int i = at; i < end; i++) {
                    longs[i] = in.get() != 0 ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException("cannot decode " + type);
        }
        if (type == OnnxDataType.FLOAT || type == OnnxDataType.INT64) {
            // The views above read without moving src; move it as the loops do.
            in.position(in.position() + count * type.byteSize());
        }
    }

    /**
     * Encodes elements of {@code t} from index {@code from} into {@code dst} (little-endian) while whole
     * elements fit; returns the index of the first element not encoded.
     */
    static int encode(OnnxTensor t, int from, ByteBuffer dst) {
        ByteBuffer out = dst.order(ByteOrder.LITTLE_ENDIAN);
        OnnxDataType type = t.dataType();
        int n = (int) t.elementCount();
        int end = Math.min(n, from + out.remaining() / type.byteSize());
        float[] f = t.floats();
        long[] l = t.longs();
        for (int i = from; i < end; i++) {
            switch (type) {
                case FLOAT -> out.putFloat(f[i]);
                case DOUBLE -> out.putDouble(f[i]);
                case FLOAT16 -> out.putShort(Float.floatToFloat16(f[i]));
                case BFLOAT16 -> out.putShort(floatToBfloat16(f[i]));
                case INT64 -> out.putLong(l[i]);
                case INT32, UINT32 -> out.putInt((int) l[i]);
                case INT16, UINT16 -> out.putShort((short) l[i]);
                case INT8, UINT8, BOOL -> out.put((byte) l[i]);
                default -> throw new IllegalArgumentException("cannot encode " + type);
            }
        }
        return end;
    }

    /** bfloat16 is the top half of a float32. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN. */
    static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** A float rounded through {@code type}'s precision (for casts during folding). */
    static float roundTo(OnnxDataType type, float f) {
        return switch (type) {
            case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(f));
            case BFLOAT16 -> bfloat16ToFloat(floatToBfloat16(f));
            default -> f;
        };
    }
}
