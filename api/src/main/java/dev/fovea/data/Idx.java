package dev.fovea.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import java.util.zip.GZIPOutputStream;

/**
 * An IDX array (LeCun's MNIST format): magic {@code 0x00 0x00 type rank}, then {@code rank} big-endian 32-bit
 * dimensions, then the values big-endian in row-major order. Types: {@code 0x08} unsigned byte, {@code 0x09}
 * signed byte, {@code 0x0B} short, {@code 0x0C} int, {@code 0x0D} float, {@code 0x0E} double. Files may be
 * gzip-compressed (recognized by content, not by name).
 *
 * @param type the type byte
 * @param dims the dimensions
 * @param data the raw values, big-endian, exactly {@code product(dims) · size(type)} bytes
 */
public record Idx(int type, int[] dims, byte[] data) {
    public static final int UBYTE = 0x08;

    /** Checks that the type is known and that {@code data} holds exactly the values {@code dims} count. */
    public Idx {
        int size = elementSize(type);
        if (size < 0) {
            throw new IllegalArgumentException(String.format("unknown IDX element type 0x%02x", type));
        }
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("IDX dimensions must not be negative, got " + Arrays.toString(dims));
            }
        }
        long bytes = byteCount(type, dims);
        if (bytes < 0 || data.length != bytes) {
            throw new IllegalArgumentException("IDX array " + Arrays.toString(dims) + " of type " + String.format(
                    "0x%02x", type) + " needs " + (bytes < 0 ? "more than 2^63" : bytes) + " bytes, data holds "
                    + data.length);
        }
    }

    /**
     * Reads an IDX file, plain or gzip; bad magic, an unknown type, a bad header or a short file throw
     * {@link FileFormatException} naming the file.
     */
    public static Idx read(Path file) throws IOException {
        InputFiles.require("IDX", file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            // A plain file's size bounds the data before anything is allocated; gzip data is read as it comes.
            long available = gzip ? -1 : Files.size(file);
            try (InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw) {
                return read(in, file.toString(), available);
            } catch (EOFException e) {
                throw new FileFormatException(file + ": unexpected end of " + (gzip ? "gzip data" : "file") + ": "
                        + e.getMessage(), e);
            } catch (ZipException e) {
                throw new FileFormatException(file + ": corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads an IDX array from an uncompressed stream; {@code source} names it in messages. Malformed contents throw
     * {@link FileFormatException}.
     */
    public static Idx read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /** As {@link #read(InputStream, String)}; {@code fileSize} (or −1 when unknown) bounds the data announced. */
    private static Idx read(InputStream in, String source, long fileSize) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new FileFormatException(source + ": not an IDX file: only " + header.length + " bytes");
        }
        if (header[0] != 0 || header[1] != 0) {
            throw new FileFormatException(String.format(
                    "%s: not an IDX file: magic starts 0x%02x 0x%02x, expected 0x00 0x00", source, header[0] & 0xff,
                    header[1] & 0xff));
        }
        int type = header[2] & 0xff;
        int size = elementSize(type);
        if (size < 0) {
            throw new FileFormatException(String.format(
                    "%s: unknown IDX element type 0x%02x (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)", source,
                    type));
        }
        int rank = header[3] & 0xff;
        if (rank == 0) {
            throw new FileFormatException(source + ": IDX rank is 0");
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new FileFormatException(source + ": truncated IDX header: " + rank
                    + " dimensions announced, file ends after " + (4 + dimBytes.length) + " bytes");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
                    | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
            if (dims[i] < 0) {
                throw new FileFormatException(source + ": IDX dimension " + i + " is negative: "
                        + Integer.toUnsignedLong(dims[i]) + " (above 2^31 - 1)");
            }
        }
        long bytes = byteCount(type, dims);
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 16) {
            throw new FileFormatException(source + ": IDX array " + Arrays.toString(dims) + " is too large ("
                    + (bytes < 0 ? "more than 2^63" : bytes) + " bytes; at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        long headerBytes = 4 + 4L * rank;
        if (fileSize >= 0 && headerBytes + bytes > fileSize) {
            throw new FileFormatException(source + ": truncated IDX data: dimensions " + Arrays.toString(dims)
                    + " need " + bytes + " bytes, found " + (fileSize - headerBytes) + " after the " + headerBytes
                    + "-byte header (checked against the file's size before reading)");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new FileFormatException(source + ": truncated IDX data: dimensions " + Arrays.toString(dims)
                    + " need " + bytes + " bytes, found " + data.length);
        }
        return new Idx(type, dims, data);
    }

    /** Writes this array; gzip-compressed when {@code gzip}. */
    public void write(Path file, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            out.write(encode());
        }
    }

    /** The file's bytes, uncompressed. */
    public byte[] encode() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(data.length + 4 + 4 * dims.length);
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.write(new byte[] {0, 0, (byte) type, (byte) dims.length});
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bos.toByteArray();
    }

    /** The first {@code n} items (along dimension 0). */
    public Idx head(int n) {
        if (n < 0 || n > dims[0]) {
            throw new IllegalArgumentException("head(" + n + ") of " + dims[0] + " items");
        }
        int[] d = dims.clone();
        d[0] = n;
        long per = (long) data.length / Math.max(dims[0], 1);
        return new Idx(type, d, Arrays.copyOf(data, Math.toIntExact(per * n)));
    }

    /** Number of values. */
    public long count() {
        long c = 1;
        for (int d : dims) {
            c *= d;
        }
        return c;
    }

    /** {@code product(dims) · size(type)}, or −1 when it exceeds a long (no wrap-around). */
    private static long byteCount(int type, int[] dims) {
        try {
            long bytes = elementSize(type);
            for (int d : dims) {
                bytes = Math.multiplyExact(bytes, (long) d);
            }
            return bytes;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static int elementSize(int type) {
        return switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> -1;
        };
    }

    @Override
    public String toString() {
        return String.format("Idx[type 0x%02x, %s]", type, Arrays.toString(dims));
    }
}
