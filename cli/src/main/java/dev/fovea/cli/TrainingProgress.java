package dev.fovea.cli;

import dev.fovea.train.Callback;
import java.io.PrintStream;
import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What training shows on the console: a live bar on stderr when run on a terminal (batches, ETA, running loss and
 * accuracy, images/s) and one line per epoch on {@code out} (train loss, train accuracy, test accuracy, epoch seconds).
 */
final class TrainingProgress implements Callback, AutoCloseable {
    private final PrintWriter out;
    private final boolean bar;
    private final int epochs;
    private ProgressBar current;

    /** @param bar whether to draw the live bar; it is drawn only on a terminal all the same */
    TrainingProgress(PrintWriter out, boolean bar, int epochs) {
        this.out = out;
        this.bar = bar && interactive();
        this.epochs = epochs;
    }

    /** Redirected to a file or a CI log, the bar's redraws would only be noise between the epoch lines. */
    static boolean interactive() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void onBatch(BatchEnd b) {
        if (!bar) {
            return;
        }
        if (current == null) {
            current = new ProgressBarBuilder().setTaskName("epoch " + (b.epoch() + 1) + "/" + epochs)
                    .setInitialMax(b.batches()).setUnit(" batches", 1).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).clearDisplayOnFinish()
                    .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true), 110))
                    .build();
        }
        double seconds = b.elapsedNanos() / 1e9;
        current.stepTo(b.batch() + 1);
        current.setExtraMessage(String.format("loss %.4f acc %.4f %,.0f img/s", b.meanLoss(), b.accuracy(),
                seconds > 0 ? b.examples() / seconds : 0.0));
        if (b.batch() + 1 == b.batches()) {
            close();
        }
    }

    @Override
    public void onEpoch(EpochEnd e) {
        out.printf("epoch %d/%d: train loss %.4f, train accuracy %.4f, %s%.1f s%n", e.epoch() + 1, epochs,
                e.trainLoss(), e.trainAccuracy(),
                e.test() == null ? "" : String.format("test accuracy %.4f, ", e.test().accuracy()), e.trainSeconds());
        out.flush();
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
