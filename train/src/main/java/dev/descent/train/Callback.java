package dev.descent.train;

import java.io.IOException;
import java.nio.file.Path;

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
     * While a checkpoint is written (only when the trainer has {@linkplain Trainer.Builder#checkpoints checkpoints}): a
     * callback that accumulates something a resumed run needs (a series gathered step by step, a probe's running
     * numbers) writes it into {@code checkpoint}, the new checkpoint's folder, beside the model and optimizer files.
     * The folder becomes the latest checkpoint only after every callback returned, so what is written here and the
     * model are saved together or not at all. Runs after {@link #onStep} of the step the checkpoint is at (and at an
     * epoch's end, before {@link #onEpochEnd}). Choose file names that no other callback uses.
     *
     * @param trainer    the loop
     * @param checkpoint the folder being written
     * @throws IOException when a file cannot be written (the checkpoint is then not made the latest)
     */
    default void onCheckpoint(Trainer trainer, Path checkpoint) throws IOException {}

    /**
     * When {@link Trainer#resume()} continues from a checkpoint, after the model and optimizer were restored and before
     * {@link #onTrainStart}: reads back what {@link #onCheckpoint} wrote into {@code checkpoint}. {@link Trainer#steps()}
     * and {@link Trainer#history()} are already the checkpoint's.
     *
     * @param trainer    the loop
     * @param checkpoint the checkpoint's folder
     * @throws IOException when a file is missing or corrupt (name it in the message)
     */
    default void onRestore(Trainer trainer, Path checkpoint) throws IOException {}

    /**
     * When the loop ends, however it ends.
     *
     * @param trainer the loop
     * @param result  how it ended
     */
    default void onTrainEnd(Trainer trainer, TrainResult result) {}
}
