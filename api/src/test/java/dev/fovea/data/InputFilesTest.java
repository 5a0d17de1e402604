package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A missing file is an IOException in the same words from every reader. */
class InputFilesTest {
    @TempDir
    Path dir;

    @Test
    void missingAndFolderAreSaid() {
        Path missing = dir.resolve("t10k-images-idx3-ubyte");
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Idx.read(missing));
        assertEquals("IDX file " + missing + " does not exist", e.getMessage());
        e = assertThrows(FileNotFoundException.class, () -> Idx.read(dir));
        assertEquals("IDX file " + dir + " is a directory, not a file", e.getMessage());
    }
}
