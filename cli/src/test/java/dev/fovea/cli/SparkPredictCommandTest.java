package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code fovea spark-predict} where Spark is absent (the cli's tests run without it, as fovea.jar does without
 * SPARK_HOME): a clear message instead of a class-loading crash. The job itself is tested in the spark module.
 */
class SparkPredictCommandTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fovea.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void withoutSparkOnTheClassPathSaysHowToGetIt() {
        Result r = run("spark-predict", "--master", "local[1]", "--model", "m.onnx", "--input", "in", "--output", "out");
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("spark-predict needs Apache Spark 4.x") && r.err.contains("SPARK_HOME"), r.err);
    }

    @Test
    void missingOptionsAreUsageErrors() {
        Result r = run("spark-predict", "--master", "local[1]", "--input", "in", "--output", "out");
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("--model"), r.err);
    }

    @Test
    void aBackendMissingHereIsLeftToTheExecutors() {
        // The named backend is checked where the model runs; here only Spark's absence stops the command.
        Result r = run("--backend", "cudnn-on-the-cluster", "spark-predict", "--model", "m.onnx", "--input", "in",
                "--output", "out");
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("needs Apache Spark"), r.err);
    }
}
