package dev.fovea.onnx;

/**
 * An ONNX model Fovea cannot run as it stands: an operator, attribute, opset or input it does not support, named
 * with the node, its operator type and the opset, and what is supported instead.
 */
public final class OnnxImportException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OnnxImportException(String message) {
        super(message);
    }

    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
