package dev.fovea.conformance;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every conformance case, in a fixed order: the courses' documented examples ({@code cnn-course/...}), the pins of
 * padding, pooling and numerics rules ({@code rule/...}) and of the ops of imported networks ({@code rule/binary/...}, ...,
 * {@code rule/non-finite/...}), the differential sweeps against the reference backend ({@code diff/...}) and
 * the invalid inputs ({@code bad/...}), then the backward ops (training): against finite differences
 * ({@code backward/fd/...}), hand-worked pins ({@code backward/rule/...}) and the reference backend on the forward
 * sweep's shapes ({@code backward/diff/...}). Backward cases are skipped on a backend without
 * {@code Capability.TRAINING}.
 */
public final class ConformanceSuite {
    private static volatile List<ConformanceCase> all;

    private ConformanceSuite() {
    }

    /** All cases; building them allocates nothing and runs nothing. */
    public static List<ConformanceCase> cases() {
        List<ConformanceCase> c = all;
        if (c == null) {
            CaseList list = new CaseList();
            SeedCases.add(list);
            SemanticsCases.add(list);
            SliceInputCases.add(list);
            ImportedOpCases.add(list);
            NonFiniteCases.add(list);
            PoolingChannelCases.add(list);
            DifferentialCases.add(list);
            ImportedOpDifferentialCases.add(list);
            BadInputCases.add(list);
            BackwardCases.add(list);
            BackwardImportedCases.add(list);
            BackwardDifferentialCases.add(list);
            all = c = List.copyOf(list.list());
        }
        return c;
    }

    /**
     * The filter users type ({@code --filter}, {@code -Dfovea.conformance.filter}): a literal part of a case name,
     * where {@code *} matches any characters, so a name copied from a report (parentheses, dots and all) selects
     * exactly that case. Null for a null or blank text (every case).
     */
    public static Pattern filter(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        StringBuilder regex = new StringBuilder();
        for (String part : text.strip().split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            if (!part.isEmpty()) {
                regex.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** The error for a filter that selects nothing; {@code shown} is the filter as the user gave it. */
    static String noMatch(String shown) {
        return "no conformance case matches the filter '" + shown + "' (a literal part of a case name, * matching any"
                + " characters); 'fovea conformance --list' prints every case name";
    }

    /** The cases whose name contains a match of {@code filter}; all cases for a null filter. */
    public static List<ConformanceCase> cases(Pattern filter) {
        return filter == null ? cases() : cases().stream().filter(c -> filter.matcher(c.name()).find()).toList();
    }
}
