package dev.fovea.spark;

import dev.fovea.spark.PartitionPredictor.UndecodableRow;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Pictures from a row's input: encoded file bytes, or Spark's image struct. */
final class Pictures {
    private Pictures() {
    }

    /** A PNG, JPEG, GIF or BMP file's bytes, decoded as {@code Images.read} decodes a file. */
    static BufferedImage decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new UndecodableRow("the file is empty");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRow("cannot decode the image (" + bytes.length + " bytes): " + e.getMessage());
        }
        if (image == null) {
            throw new UndecodableRow("not an image format ImageIO reads (PNG, JPEG, GIF, BMP; " + bytes.length
                    + " bytes)");
        }
        return image;
    }

    /**
     * Spark's image struct as the picture it was decoded from: {@code data} holds {@code height × width ×
     * nChannels} bytes row by row, channels in B, G, R(, A) order (1 channel: gray). A row the image source could
     * not decode (read with {@code dropInvalid = false}) has height and width -1.
     */
    static BufferedImage fromImageStruct(int height, int width, int channels, byte[] data) {
        if (height <= 0 || width <= 0 || data == null || data.length == 0) {
            throw new UndecodableRow("Spark's image source could not decode this file (height " + height
                    + ", width " + width + ", " + (data == null ? 0 : data.length) + " bytes of data)");
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new UndecodableRow("the image struct has " + channels + " channels; 1 (gray), 3 (BGR) or 4 "
                    + "(BGRA) can be read");
        }
        if ((long) height * width * channels != data.length) {
            throw new UndecodableRow("the image struct's data has " + data.length + " bytes, not height " + height
                    + " × width " + width + " × channels " + channels + " = " + (long) height * width * channels);
        }
        // The types ImageIO gives decoded files of these kinds, so both inputs prepare the same way.
        int type = switch (channels) {
            case 1 -> BufferedImage.TYPE_BYTE_GRAY;
            case 3 -> BufferedImage.TYPE_3BYTE_BGR;
            default -> BufferedImage.TYPE_4BYTE_ABGR;
        };
        BufferedImage picture = new BufferedImage(width, height, type);
        byte[] target = ((DataBufferByte) picture.getRaster().getDataBuffer()).getData();
        if (channels == 4) {
            // Spark stores B, G, R, A; this type's bytes are A, B, G, R.
            for (int i = 0; i < data.length; i += 4) {
                target[i] = data[i + 3];
                target[i + 1] = data[i];
                target[i + 2] = data[i + 1];
                target[i + 3] = data[i + 2];
            }
        } else {
            // TYPE_3BYTE_BGR stores B, G, R per pixel, as Spark does; gray is one byte.
            System.arraycopy(data, 0, target, 0, data.length);
        }
        return picture;
    }
}
