package dev.fovea.models;

import dev.fovea.data.FileFormatException;
import java.nio.file.Path;
import java.util.List;

/**
 * A weights file that is malformed, truncated, or does not fit the model it is loaded into. The message lists
 * every problem found (each naming the tensor or the byte offset); {@link #problems()} gives them one by one.
 * When it is thrown, no weight of the model has been changed.
 */
public final class SafeTensorsException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final transient List<String> problems;

    SafeTensorsException(Path file, String what, List<String> problems) {
        super(file + ": " + what + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "): " + String.join("; ", problems));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    SafeTensorsException(Path file, String what, String problem) {
        this(file, what, List.of(problem));
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** Every problem found, each a sentence naming a tensor or a byte offset. */
    public List<String> problems() {
        return problems;
    }
}
