package dev.fovea.cli.demo;

import java.util.List;

/**
 * The console report of an {@link Evaluation}: test accuracy, per-class accuracy with counts, and the
 * confusion matrix (rows: true class, columns: predicted class, numbered like the rows).
 */
public final class Report {
    private Report() {
    }

    public static String text(Evaluation e, List<String> classNames) {
        List<String> names = Evaluation.names(classNames, e.classes());
        int nameW = names.stream().mapToInt(String::length).max().orElse(5) + 1;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("test accuracy: %.4f (%,d of %,d images)%n", e.accuracy(), e.correct(), e.count()));
        sb.append(String.format("%nper-class accuracy:%n"));
        for (int c = 0; c < e.classes(); c++) {
            double a = e.classAccuracy(c);
            sb.append(String.format("  %-" + nameW + "s %s  (%,d of %,d)%n", names.get(c),
                    Double.isNaN(a) ? "   -  " : String.format("%.4f", a), e.confusion()[c][c], e.support(c)));
        }
        long max = 0;
        for (long[] row : e.confusion()) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int cellW = Math.max(String.valueOf(e.classes() - 1).length(), String.valueOf(max).length()) + 2;
        sb.append(String.format("%nconfusion matrix (rows: true class, columns: predicted class):%n"));
        sb.append(" ".repeat(5 + nameW));
        for (int c = 0; c < e.classes(); c++) {
            sb.append(pad(String.valueOf(c), cellW));
        }
        sb.append('\n');
        for (int r = 0; r < e.classes(); r++) {
            sb.append(String.format("  %2d %-" + nameW + "s", r, names.get(r)));
            for (int c = 0; c < e.classes(); c++) {
                sb.append(pad(String.valueOf(e.confusion()[r][c]), cellW));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }
}
