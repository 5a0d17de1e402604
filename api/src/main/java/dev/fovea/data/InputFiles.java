package dev.fovea.data;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check every reader of a file makes first, so that a missing or unusable file is an {@link java.io.IOException}
 * saying so in the same words everywhere: {@code <what> file <path> does not exist}.
 *
 * <pre>{@code
 * InputFiles.require("safetensors", path);   // FileNotFoundException: safetensors file w.st does not exist
 * }</pre>
 */
public final class InputFiles {
    private InputFiles() {
    }

    /** Throws unless {@code file} is an existing, readable regular file; {@code what} names its kind. */
    public static void require(String what, Path file) throws FileNotFoundException {
        if (!Files.exists(file)) {
            throw new FileNotFoundException(what + " file " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new FileNotFoundException(what + " file " + file + " is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException(what + " file " + file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new FileNotFoundException(what + " file " + file + " cannot be read (permissions)");
        }
    }
}
