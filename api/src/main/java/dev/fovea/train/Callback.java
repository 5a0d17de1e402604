package dev.fovea.train;

/** Hooks into {@link Trainer#fit}: after every batch and after every epoch. Runs on the training thread. */
public interface Callback {
    /** After each optimizer step. */
    default void onBatch(BatchEnd batch) {
    }

    /** After each epoch, evaluation included. */
    default void onEpoch(EpochEnd epoch) {
    }

    /**
     * @param epoch        0-based epoch
     * @param batch        0-based batch within the epoch
     * @param batches      batches per epoch
     * @param examples     examples processed so far in this epoch
     * @param loss         this batch's mean loss
     * @param meanLoss     mean loss over this epoch's batches so far
     * @param accuracy     training accuracy over this epoch so far
     * @param learningRate the rate used for this step
     * @param elapsedNanos time since the epoch started
     */
    record BatchEnd(int epoch, int batch, int batches, long examples, double loss, double meanLoss, double accuracy,
                    double learningRate, long elapsedNanos) {
    }

    /**
     * @param epoch        0-based epoch
     * @param trainLoss    mean training loss over the epoch
     * @param trainAccuracy training accuracy over the epoch (dropout active, weights changing: as Keras reports it)
     * @param test         evaluation on the test set after the epoch, or null without one
     * @param trainSeconds seconds spent training (forward, backward, updates), evaluation excluded
     */
    record EpochEnd(int epoch, double trainLoss, double trainAccuracy, Evaluation test, double trainSeconds) {
    }
}
