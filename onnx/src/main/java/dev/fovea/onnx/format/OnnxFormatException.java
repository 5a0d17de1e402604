package dev.fovea.onnx.format;

import dev.fovea.data.FileFormatException;

/**
 * A file that is not a valid ONNX model, uses what Fovea does not read, or breaks one of the reader's limits.
 * The message names the file and, where there is one, the graph element (node, tensor, attribute) and the
 * numbers involved.
 */
public final class OnnxFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message} (which names the file). */
    public OnnxFormatException(String message) {
        super(message);
    }

    /** A problem described by {@code message} (which names the file), caused by {@code cause}. */
    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
