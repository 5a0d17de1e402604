package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private static void write(Path target, String text) throws IOException {
        AtomicFiles.write(target, ch -> ch.write(ByteBuffer.wrap(text.getBytes())));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The pid of a process that has ended (a short child process, waited for). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aTemporaryLeftByAKilledSaveIsRemovedByTheNextSave() throws Exception {
        Path target = dir.resolve("model.safetensors");
        write(target, "old");
        // What SIGKILL during a save leaves: a temporary of a process that no longer runs.
        Path orphan = Files.write(dir.resolve(".model.safetensors." + deadPid() + "-k3x9.tmp"), new byte[100]);
        // A save still running in another live process (here: this one) must keep its temporary.
        Path live = Files.write(dir.resolve(".model.safetensors." + ProcessHandle.current().pid() + "-abc.tmp"),
                new byte[1]);
        Path other = Files.write(dir.resolve(".other.bin." + deadPid() + "-z.tmp"), new byte[1]);
        write(target, "new");
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(orphan), "the crash's leftover is removed");
        assertTrue(Files.exists(live), "a running save's temporary stays");
        assertTrue(Files.exists(other), "another target's temporaries are not this save's business");
    }

    @Test
    void aFailingBodyLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("w.bin");
        write(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("No space left"),
                e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void errorsNameTheTargetNotTheTemporary() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out.safetensors"));
        IOException e = assertThrows(IOException.class, () -> write(folder, "x"));
        assertTrue(e.getMessage().contains(folder.toString()) && e.getMessage().contains("directory"), e.getMessage());
        Path nowhere = dir.resolve("missing/w.bin");
        e = assertThrows(IOException.class, () -> write(nowhere, "x"));
        assertTrue(e.getMessage().contains(nowhere.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
        write(dir.resolve("ok.bin"), "x");
        assertArrayEquals(new byte[] {'x'}, Files.readAllBytes(dir.resolve("ok.bin")));
    }
}
