package dev.fovea.data;

import java.io.IOException;

/**
 * A file whose contents are not what its reader expects: another format altogether, a malformed or truncated header,
 * or data that does not match its header. The message starts with the file (or the stream's name) and says which
 * field is wrong, with the numbers. Readers throw it for what a file holds; a file that is missing or unreadable is
 * a {@link java.io.FileNotFoundException} ({@link InputFiles}), and a bad argument an
 * {@link IllegalArgumentException}.
 *
 * <pre>{@code
 * try {
 *     Idx labels = Idx.read(path);
 * } catch (FileFormatException e) {
 *     System.err.println(e.getMessage());   // e.g. "labels.idx: not an IDX file: magic starts 0x50 0x4b, ..."
 * }
 * }</pre>
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message}, which starts with the file. */
    public FileFormatException(String message) {
        super(message);
    }

    /** A problem described by {@code message}, which starts with the file, found through {@code cause}. */
    public FileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
