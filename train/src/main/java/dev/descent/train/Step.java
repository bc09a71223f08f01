package dev.descent.train;

/**
 * One optimizer step, as {@link Callback#onStep} sees it.
 *
 * @param epoch    the epoch, from 1
 * @param batch    the batch within the epoch, from 1
 * @param batches  batches in the epoch
 * @param step     optimizer steps taken since the run began, this one included
 * @param loss     this batch's mean loss
 * @param size     examples in this batch
 * @param seen     examples seen in this epoch so far, this batch included
 * @param meanLoss mean loss over the epoch's examples so far
 */
public record Step(int epoch, int batch, int batches, long step, double loss, int size, long seen, double meanLoss) {}
