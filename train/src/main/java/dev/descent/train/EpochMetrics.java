package dev.descent.train;

/**
 * One epoch's numbers: what the metrics log, the epoch line and the plots show.
 *
 * @param epoch         the epoch, from 1
 * @param trainLoss     mean training loss over the epoch's examples
 * @param trainAccuracy training accuracy over the epoch in [0, 1] (NaN when the task is not classification)
 * @param testLoss      evaluation loss after the epoch (NaN without an evaluation set)
 * @param testAccuracy  evaluation accuracy after the epoch (NaN without an evaluation set or classes)
 * @param seconds       wall time of the epoch's steps, evaluation excluded (summed over resumptions)
 * @param lr            the learning rate of parameter group 0 during the epoch
 * @param steps         optimizer steps taken since the run began, at the end of the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy, double seconds, double lr,
                           long steps) {}
