package dev.descent.train;

import java.util.List;

/**
 * How a training run ended.
 *
 * @param status  completed, stopped on request, or diverged
 * @param message what happened, e.g. {@code the loss became NaN at epoch 2, batch 17 of 469}; empty when completed
 * @param history the completed epochs (those of earlier sessions of a resumed run included)
 * @param steps   optimizer steps taken since the run began
 * @param epoch   the epoch the run ended in, from 1
 * @param batch   the batches of that epoch that were done (all of them when the epoch was completed)
 * @param batches the batches per epoch
 */
public record TrainResult(Status status, String message, List<EpochMetrics> history, long steps, int epoch, int batch, int batches) {
    /** How a run ended. */
    public enum Status {
        /** Every epoch ran. */
        COMPLETED,
        /** {@link Trainer#requestStop(String)} was called (a signal, early stopping); a checkpoint was written when configured. */
        STOPPED,
        /** The loss or a gradient was not finite, or anomaly detection found the op that made it so; nothing was written for the epoch. */
        DIVERGED
    }

    /**
     * Copies the history.
     *
     * @param status  how it ended
     * @param message what happened
     * @param history the completed epochs
     * @param steps   steps taken
     * @param epoch   the last epoch
     * @param batch   batches done in it
     * @param batches batches per epoch
     */
    public TrainResult {
        history = List.copyOf(history);
    }

    /**
     * Whether the run stopped because a value was not finite.
     *
     * @return true for {@link Status#DIVERGED}
     */
    public boolean diverged() {
        return status == Status.DIVERGED;
    }

    /**
     * The best evaluation accuracy over the completed epochs.
     *
     * @return the maximum, or NaN when the run diverged or no epoch was evaluated
     */
    public double bestTestAccuracy() {
        if (status == Status.DIVERGED) return Double.NaN;
        double best = Double.NaN;
        for (EpochMetrics e : history) if (!Double.isNaN(e.testAccuracy())) best = Double.isNaN(best) ? e.testAccuracy() : Math.max(best, e.testAccuracy());
        return best;
    }

    /**
     * One epoch's metrics.
     *
     * @param epoch from 1
     * @return that epoch, or null when the run did not complete it
     */
    public EpochMetrics epoch(int epoch) {
        return epoch >= 1 && epoch <= history.size() ? history.get(epoch - 1) : null;
    }
}
