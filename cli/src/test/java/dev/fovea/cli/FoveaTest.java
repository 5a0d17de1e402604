package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class FoveaTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void summaryOfMnistCnnHasKerasRows() {
        Result r = run("summary", "mnist-cnn");
        assertEquals(0, r.code, r.err);
        String[][] rows = {
            {"Conv2D", "(None, 26, 26, 32)", "320"}, {"MaxPooling2D", "(None, 13, 13, 32)", "0"},
            {"Conv2D", "(None, 11, 11, 64)", "18,496"}, {"MaxPooling2D", "(None, 5, 5, 64)", "0"},
            {"Conv2D", "(None, 3, 3, 64)", "36,928"}, {"Flatten", "(None, 576)", "0"},
            {"Dense", "(None, 64)", "36,928"}, {"Dense", "(None, 10)", "650"}};
        assertRows(r.out, rows);
        assertTrue(r.out.contains("Total params: 93,322"), r.out);
    }

    @Test
    void summaryOfFashionCnnHasKerasRows() {
        Result r = run("summary", "fashion-cnn");
        assertEquals(0, r.code, r.err);
        String[][] rows = {
            {"Conv2D", "(None, 26, 26, 64)", "640"}, {"MaxPooling2D", "(None, 13, 13, 64)", "0"},
            {"Conv2D", "(None, 11, 11, 64)", "36,928"}, {"MaxPooling2D", "(None, 5, 5, 64)", "0"},
            {"Flatten", "(None, 1600)", "0"}, {"Dense", "(None, 128)", "204,928"}, {"Dense", "(None, 10)", "1,290"}};
        assertRows(r.out, rows);
        assertTrue(r.out.contains("Total params: 243,786"), r.out);
    }

    /** The rows appear in order, each with its type, shape and parameter count. */
    private static void assertRows(String table, String[][] rows) {
        String[] lines = table.split("\n");
        int at = 0;
        for (String[] row : rows) {
            while (at < lines.length && !(lines[at].contains("(" + row[0] + ")") && lines[at].contains(row[1]))) {
                at++;
            }
            assertTrue(at < lines.length, "row " + String.join(" ", row) + " missing in\n" + table);
            String[] cells = lines[at].trim().split("\\s{2,}");
            assertEquals(row[2], cells[2], "params of " + lines[at]);
            at++;
        }
    }

    /** Every command's help renders as written: picocli warns on System.err when a description is a bad format. */
    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Result root = run("--help");
            assertEquals(0, root.code, root.err);
            for (String name : new picocli.CommandLine(new Fovea()).getSubcommands().keySet()) {
                Result r = run(name, "--help");
                assertEquals(0, r.code, name + ": " + r.err);
                assertTrue(r.out.contains("Usage: fovea " + name), name + ": " + r.out);
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void namedMissingBackendFailsWithAvailableList() {
        Result r = run("--backend", "nope", "summary", "mnist-cnn");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("backend 'nope' not found on the class path or module path; found: "), r.err);
        assertTrue(r.err.contains("reference"), r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line without --verbose: " + r.err);
    }

    @Test
    void backendsListsReference() {
        Result r = run("backends");
        assertEquals(0, r.code);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("reference") && l.contains("yes")), r.out);
    }

    @Test
    void backendsListsABrokenProviderWithItsReason() {
        // src/test/resources names a provider class that does not exist: discovery lists it instead of throwing.
        Result r = run("backends");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.contains("broken") && l.contains("dev.fovea.cli.NoSuchBackendProvider")),
                r.out);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("reference") && l.contains("yes")), r.out);
    }

    @Test
    void conformanceResultsGoToStdoutAndErrorsToStderr() {
        Result ok = run("conformance", "--backend", "reference", "--filter", "cifar-course/");
        assertEquals(0, ok.code, ok.err);
        assertEquals("", ok.err);
        assertTrue(ok.out.lines().allMatch(l -> l.startsWith("PASS cifar-course/") || l.endsWith(" skipped")), ok.out);

        Result missing = run("conformance", "--backend", "nope");
        assertEquals(1, missing.code);
        assertEquals("", missing.out);
        assertEquals(1, missing.err.strip().lines().count(), missing.err);
        assertTrue(missing.err.contains("'nope' not found on the class path or module path"), missing.err);
    }

    @Test
    void conformanceFilterMatchingNothingSuggestsList() {
        Result r = run("conformance", "--backend", "reference", "--filter", "no-such-case");
        assertEquals(2, r.code);
        assertEquals("", r.out);
        assertTrue(r.err.contains("'no-such-case'") && r.err.contains("--list"), r.err);
    }

    @Test
    void conformanceListPrintsCaseNamesWithoutABackend() {
        Result r = run("conformance", "--list", "--filter", "cifar-course/");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.lines().count() > 1 && r.out.lines().allMatch(l -> l.startsWith("cifar-course/")), r.out);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run("no-such-command").code);
        assertEquals(2, run("summary").code);
    }

    @Test
    void unknownModelIsAnErrorNamingTheKnownOnes() {
        Result r = run("summary", "nope");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("known models: mnist-cnn, fashion-cnn"), r.err);
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version").code);
        Result help = run("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("summary") && help.out.contains("backends"), help.out);
    }
}
