package dev.fovea.spark;

import org.apache.spark.sql.SparkSession;

/** A Spark session for tests: bound to 127.0.0.1, no web UI, quiet logs. */
final class LocalSpark {
    private LocalSpark() {
    }

    static SparkSession start(String master) {
        SparkSession spark = SparkSession.builder().appName("fovea-spark-test").master(master)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
