package dev.fovea.train;

/** Mean loss and accuracy (fraction of argmax predictions equal to the label) over {@code count} examples. */
public record Evaluation(double loss, double accuracy, long count, double seconds) {
}
