package dev.descent.train;

/**
 * Something that runs beside the training loop: a progress bar, a metrics file, plots, early stopping,
 * a probe of the optimizer's state. Every method does nothing by default; implement the ones you need.
 * Callbacks run on the training thread, in the order they were given, and may call
 * {@link Trainer#requestStop(String)}.
 */
public interface Callback {
    /**
     * Before the first step (after a checkpoint was restored, when resuming).
     *
     * @param trainer the loop; {@link Trainer#resumedFrom()} says whether it resumed
     */
    default void onTrainStart(Trainer trainer) {}

    /**
     * After every optimizer step.
     *
     * @param trainer the loop
     * @param step    the step's numbers
     */
    default void onStep(Trainer trainer, Step step) {}

    /**
     * After the evaluation at the end of an epoch (only when the trainer has an evaluation set).
     *
     * @param trainer    the loop
     * @param epoch      the epoch, from 1
     * @param evaluation its loss and accuracy
     */
    default void onEvaluation(Trainer trainer, int epoch, Evaluation evaluation) {}

    /**
     * After an epoch: its metrics are in {@link Trainer#history()}, the schedule has stepped and the
     * checkpoint (if any) is written.
     *
     * @param trainer the loop
     * @param metrics the epoch's numbers
     */
    default void onEpochEnd(Trainer trainer, EpochMetrics metrics) {}

    /**
     * When the loop ends, however it ends.
     *
     * @param trainer the loop
     * @param result  how it ended
     */
    default void onTrainEnd(Trainer trainer, TrainResult result) {}
}
