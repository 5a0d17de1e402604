package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of docs/semantics.md are computed by {@link Windows}: every row of the table (input,
 * kernel, stride, padding, the pads it gives and the output size) is resolved here, so the page cannot drift
 * from the code.
 */
class SemanticsDocTest {
    private static final Path PAGE = Path.of("..", "docs", "semantics.md");
    private static final Pattern KERNEL = Pattern.compile("(\\d+)(?:, dilation (\\d+))?");
    private static final Pattern EXPLICIT4 = Pattern.compile("explicit \\((\\d+), (\\d+), (\\d+), (\\d+)\\)");
    private static final Pattern EXPLICIT1 = Pattern.compile("explicit (\\d+)");
    private static final Pattern PADS = Pattern.compile("(\\d+), (\\d+)(?: \\(height\\))?");

    @Test
    void everyWorkedExampleMatchesTheRules() throws IOException {
        List<String[]> rows = workedExamples();
        assertTrue(rows.size() >= 10, "the worked-examples table of " + PAGE + " was not found: " + rows.size() + " rows");
        for (String[] row : rows) {
            String where = String.join(" | ", row);
            int in = Integer.parseInt(row[0]);
            Matcher k = matched(KERNEL, row[1], where);
            int kernel = Integer.parseInt(k.group(1));
            int dilation = k.group(2) == null ? 1 : Integer.parseInt(k.group(2));
            int stride = Integer.parseInt(row[2]);
            Padding padding = padding(row[3].replace("`", ""), where);
            Matcher pads = matched(PADS, row[4], where);
            int out = Integer.parseInt(row[5]);

            Violations v = new Violations("docs/semantics.md");
            Windows.Axis axis = Windows.resolve(v, "height", in, kernel, stride, dilation, padding, padding.top(),
                    padding.bottom(), false);
            v.throwIfAny(where);
            assertEquals(Integer.parseInt(pads.group(1)), axis.before(), "pad before: " + where);
            assertEquals(Integer.parseInt(pads.group(2)), axis.after(), "pad after: " + where);
            assertEquals(out, axis.out(), "output: " + where);
        }
    }

    private static Padding padding(String text, String where) {
        Matcher four = EXPLICIT4.matcher(text);
        if (four.matches()) {
            return Padding.explicit(Integer.parseInt(four.group(1)), Integer.parseInt(four.group(2)),
                    Integer.parseInt(four.group(3)), Integer.parseInt(four.group(4)));
        }
        Matcher one = EXPLICIT1.matcher(text);
        if (one.matches()) {
            return Padding.explicit(Integer.parseInt(one.group(1)));
        }
        return switch (text) {
            case "VALID" -> Padding.VALID;
            case "SAME" -> Padding.SAME;
            case "SAME_LOWER" -> Padding.SAME_LOWER;
            case "FULL" -> Padding.FULL;
            default -> throw new AssertionError("unknown padding '" + text + "' in: " + where);
        };
    }

    private static Matcher matched(Pattern p, String text, String where) {
        Matcher m = p.matcher(text);
        assertTrue(m.matches(), "'" + text + "' is not " + p + " in: " + where);
        return m;
    }

    /** The cells of the table under "### Worked examples", header and separator left out. */
    private static List<String[]> workedExamples() throws IOException {
        List<String[]> rows = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(PAGE)) {
            if (line.startsWith("#")) {
                inSection = line.equals("### Worked examples");
                continue;
            }
            if (!inSection || !line.startsWith("|") || line.startsWith("| input") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            for (int i = 0; i < cells.length; i++) {
                cells[i] = cells[i].strip();
            }
            rows.add(cells);
        }
        return rows;
    }
}
