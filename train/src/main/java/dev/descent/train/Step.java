package dev.descent.train;

/**
 * One optimizer step, as {@link Callback#onStep} sees it. With gradient accumulation ({@link Trainer.Builder#accumulate(int)})
 * a step covers a group of consecutive batches: {@code batch} is the group's last, {@code size} and {@code loss} are the
 * group's.
 *
 * @param epoch    the epoch, from 1
 * @param batch    the batch within the epoch, from 1 (the last batch of the step's group)
 * @param batches  batches in the epoch
 * @param step     optimizer steps taken since the run began, this one included
 * @param loss     the step's mean loss: this batch's, or over the group's examples (Σ size·loss / Σ size)
 * @param size     examples in this step (the group's)
 * @param seen     examples seen in this epoch so far, this batch included
 * @param meanLoss mean loss over the epoch's examples so far
 */
public record Step(int epoch, int batch, int batches, long step, double loss, int size, long seen, double meanLoss) {}
