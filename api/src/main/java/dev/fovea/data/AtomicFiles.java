package dev.fovea.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writing a file so that readers see either the old file or the complete new one: the bytes go to a temporary file
 * beside the target ({@code .NAME.PID-RANDOM.tmp}), are forced to disk, and the temporary file is renamed over the
 * target. A process killed while saving leaves its temporary file behind; the next save of the same target (from
 * any process) deletes those whose process is no longer running, so crashes never accumulate files. Every error
 * names the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes the new file's content. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code body} writes. A new file gets the default permissions (the umask), a
     * replaced one keeps its own where the file system has POSIX permissions.
     *
     * @throws IOException naming {@code target} when the directory is missing or not writable, the target is a
     *                     directory, the disk is full, or the body fails
     */
    public static void write(Path target, Body body) throws IOException {
        Objects.requireNonNull(body, "body");
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException("cannot write " + abs + ": it is a directory");
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + abs + ": the directory " + dir + " does not exist");
        }
        removeStaleTemporaries(abs);
        Path tmp = null;
        try {
            tmp = createSibling(abs);
            keepPermissions(abs, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Rare within one directory; a plain replace is still better than no file.
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw m.contains(abs.toString()) ? e : new IOException("cannot write " + abs + ": " + describe(e), e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The temporary files a save of {@code target} uses: {@code .NAME.PID-RANDOM.tmp}. */
    static Pattern temporaryName(Path target) {
        return Pattern.compile("\\." + Pattern.quote(target.getFileName().toString()) + "\\.(\\d+)-[0-9a-z]+\\.tmp");
    }

    /** Deletes temporary files of {@code target} left by processes that are no longer running. */
    static void removeStaleTemporaries(Path target) {
        Pattern p = temporaryName(target);
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(target.getParent(),
                "." + target.getFileName() + ".*.tmp")) {
            for (Path s : siblings) {
                Matcher m = p.matcher(s.getFileName().toString());
                if (m.matches() && !running(m.group(1))) {
                    Files.deleteIfExists(s);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: a directory that cannot be listed still gets its new file (or a clear error below).
        }
    }

    private static boolean running(String pid) {
        try {
            long id = Long.parseLong(pid);
            return id == ProcessHandle.current().pid() || ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours to judge
        }
    }

    private static Path createSibling(Path target) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + pid + "-"
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 9) {
                    throw e;
                }
            }
        }
    }

    /** Gives {@code tmp} the permissions of the file it will replace, as writing that file in place would. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        try {
            if (Files.isRegularFile(target)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions here (Windows): the new file has the directory's defaults.
        }
    }

    /** The exception's message with its kind for the bare ones ({@code AccessDeniedException: /x}). */
    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass() == IOException.class && m != null ? m : e.getClass().getSimpleName() + ": " + m;
    }
}
