package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} block of the top-level README compiles against the project as it is, so its imports and
 * calls cannot drift from the real packages. A block is its imports plus either class declarations or
 * statements (wrapped in a method); it is compiled, not run ({@link ReadmeExamplesTest} runs the main ones).
 */
class ReadmeSnippetsCompileTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("^(public\\s+|abstract\\s+|final\\s+)*(class|record|interface)\\s",
            Pattern.MULTILINE);

    @Test
    void everyJavaBlockCompiles(@TempDir Path dir) throws IOException {
        Path readme = Path.of("..", "README.md");
        assertTrue(Files.isRegularFile(readme), "run from the cli module: " + readme.toAbsolutePath());
        String text = Files.readString(readme);
        Matcher m = BLOCK.matcher(text);
        List<Path> sources = new ArrayList<>();
        while (m.find()) {
            int line = (int) text.substring(0, m.start()).lines().count() + 2;  // the block's first line
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            for (String l : m.group(1).split("\n", -1)) {
                (l.startsWith("import ") ? imports : body).append(l).append('\n');
            }
            String name = "ReadmeLine" + line;
            String source = CLASS.matcher(body).find()
                    ? imports + body.toString()
                    : imports + "class " + name + " {\n    void run() throws Exception {\n" + body + "    }\n}\n";
            Path dirOf = Files.createDirectories(dir.resolve("src").resolve(name));
            sources.add(Files.writeString(dirOf.resolve(sourceName(body.toString(), name) + ".java"), source));
        }
        assertTrue(sources.size() >= 3, "found only " + sources.size() + " java blocks in " + readme);

        // java.util.spi.ToolProvider, not javax.tools: the tests are compiled into the cli module, which does not
        // read java.compiler.
        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        assertNotNull(javac, "the tests need a JDK, not a JRE");
        // Spark is provided to fovea-spark, so not on this module's class path: the spark module's build writes its
        // class path (generate-resources, before this module in the reactor) for the README's Spark example.
        Path sparkClassPath = Path.of("..", "spark", "target", "spark-classpath.txt");
        assertTrue(Files.isRegularFile(sparkClassPath), "the README's Spark example compiles against "
                + sparkClassPath + ": build the spark module first (mvn -pl spark generate-resources)");
        String classPath = System.getProperty("java.class.path") + java.io.File.pathSeparator
                + Files.readString(sparkClassPath).strip();
        List<String> args = new ArrayList<>(List.of("-proc:none", "-encoding", "UTF-8",
                "-d", Files.createDirectories(dir.resolve("out")).toString(), "-classpath", classPath));
        sources.forEach(p -> args.add(p.toString()));
        StringWriter errors = new StringWriter();
        int status = javac.run(new PrintWriter(errors), new PrintWriter(errors), args.toArray(String[]::new));
        // The folder of each source names the README line where its block starts: ReadmeLine<N>.
        assertEquals(0, status, errors.toString());
    }

    /** A public class must live in a file of its name; anything else in the wrapper's name. */
    private static String sourceName(String body, String fallback) {
        Matcher m = Pattern.compile("^public\\s+(?:final\\s+|abstract\\s+)*class\\s+(\\w+)", Pattern.MULTILINE)
                .matcher(body);
        if (m.find()) {
            return m.group(1);
        }
        Matcher c = Pattern.compile("^(?:final\\s+|abstract\\s+)*class\\s+(\\w+)", Pattern.MULTILINE).matcher(body);
        return c.find() ? c.group(1) : fallback;
    }
}
