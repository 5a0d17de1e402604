package dev.fovea.cli;

import dev.fovea.data.InputFiles;
import dev.fovea.spi.BackendOptions;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The checks the commands apply to their options before any work starts. A number out of range or two options
 * that exclude each other is a usage error (exit 2) naming the option, the rule and the value; a path that cannot
 * be used is an error (exit 1) naming the option and the path, a missing file said as the readers say it
 * ({@link InputFiles}).
 */
final class Checks {
    private final CommandSpec spec;

    Checks(CommandSpec spec) {
        this.spec = spec;
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code min ≤ value ≤ max}. */
    void between(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw usage(option + " must be from " + min + " to " + max + ", got " + value);
        }
    }

    /** {@code value ≥ min}. */
    void atLeast(String option, long value, long min) {
        if (value < min) {
            throw usage(option + " must be at least " + min + ", got " + value);
        }
    }

    /** The worker threads of a CPU backend: 0 (all cores) to {@link BackendOptions#MAX_THREADS}. */
    void threads(String option, int value) {
        if (value < 0 || value > BackendOptions.MAX_THREADS) {
            throw usage(option + " must be from 0 (all cores) to " + BackendOptions.MAX_THREADS + ", got " + value);
        }
    }

    /** A finite {@code value} in {@code [min, max]}, or {@code [min, max)} when {@code maxExcluded}. */
    void finite(String option, double value, double min, double max, boolean maxExcluded) {
        boolean ok = Double.isFinite(value) && value >= min && (maxExcluded ? value < max : value <= max);
        if (!ok) {
            throw usage(option + " must be a finite number from " + min + " to " + max
                    + (maxExcluded ? " (excluded)" : "") + ", got " + value);
        }
    }

    /** A finite {@code value > 0}. */
    void positive(String option, double value) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw usage(option + " must be a finite number > 0, got " + value);
        }
    }

    /** Options that exclude each other: a usage error naming both when both were given. */
    void notTogether(String a, String b, String why) {
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption(a) && parsed.hasMatchedOption(b)) {
            throw usage(a + " and " + b + " cannot be used together: " + why);
        }
    }

    /** An existing, readable regular file ({@link InputFiles#require}). */
    static void inputFile(String what, Path file) throws FileNotFoundException {
        InputFiles.require(what, file);
    }

    /** A file that can be written: not a folder, in an existing folder that is writable (and itself writable). */
    static void outputFile(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder; give a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException(option + " " + file + ": folder " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new IllegalArgumentException(option + " " + file + ": folder " + parent + " is not writable");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + " exists and is not writable");
        }
    }

    /** A folder that exists and is writable, or can be created: its nearest existing ancestor is a writable folder. */
    static void outputFolder(String option, Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalArgumentException(option + " " + dir + ": no existing folder above it");
        }
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + " " + dir + ": " + p + " is a file, not a folder");
        }
        if (!Files.isWritable(p)) {
            throw new IllegalArgumentException(option + " " + dir + ": folder " + p + " is not writable");
        }
    }
}
