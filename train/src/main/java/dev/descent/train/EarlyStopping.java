package dev.descent.train;

import java.util.Locale;

/**
 * Stops training when the evaluation loss has not improved by at least {@code minDelta} for
 * {@code patience} epochs in a row (Keras's and Lightning's rule, on the evaluation loss). The epoch
 * that triggers it still completes and is checkpointed.
 */
public final class EarlyStopping implements Callback {
    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    /**
     * Stops after {@code patience} epochs without an improvement of at least {@code minDelta}.
     *
     * @param patience epochs without improvement to tolerate, at least 1
     * @param minDelta the smallest decrease of the loss that counts as an improvement, at least 0
     */
    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1) throw new IllegalArgumentException("early stopping: patience must be >= 1, was " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("early stopping: minDelta must be >= 0, was " + minDelta);
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        best = Double.POSITIVE_INFINITY;
        bad = 0;
        for (EpochMetrics m : trainer.history()) observe(m.testLoss()); // a resumed run remembers its earlier epochs
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
        if (observe(metrics.testLoss())) {
            trainer.requestStop(String.format(Locale.ROOT, "early stopping: the evaluation loss has not improved by %g for %d epochs (best %.6f)",
                    minDelta, patience, best));
        }
    }

    /** Records a loss; true when patience has run out. */
    private boolean observe(double loss) {
        if (Double.isNaN(loss)) throw new IllegalStateException("early stopping needs an evaluation set (the trainer's evaluateOn)");
        if (loss < best - minDelta) {
            best = loss;
            bad = 0;
        } else {
            bad++;
        }
        return bad >= patience;
    }
}
