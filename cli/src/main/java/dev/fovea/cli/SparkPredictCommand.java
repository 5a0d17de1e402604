package dev.fovea.cli;

import dev.fovea.spark.PredictOptions;
import dev.fovea.spark.SparkPredict;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea spark-predict}: the batch job of {@code fovea-spark} on a Spark master. Spark itself is not in the
 * fovea jar: the launcher puts it on the class path ({@code SPARK_HOME/jars}, else the jars the build resolved).
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true,
        description = {"Classify a folder of pictures on Apache Spark: writes path, topLabels, topScores, probability"
                + " and error per file (parquet unless --format says otherwise).",
                "Pictures are prepared as 'fovea predict' does. --backend names the backend the executors must use "
                        + "(each fails with its reason where it cannot run); without it each executor takes its best."})
final class SparkPredictCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Mixin
    PredictOptions options;

    @Override
    public Integer call() throws Exception {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("spark-predict needs Apache Spark 4.x (Scala 2.13) on the class path: set "
                    + "SPARK_HOME to a Spark installation (the ./fovea launcher adds SPARK_HOME/jars), or run the job"
                    + " with spark-submit and spark/target/fovea-spark.jar");
        }
        return SparkPredict.run(options, fovea.requestedBackend().orElse(""), spec.commandLine().getOut());
    }
}
