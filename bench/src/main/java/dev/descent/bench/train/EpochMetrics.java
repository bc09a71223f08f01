package dev.descent.bench.train;

/** One epoch's numbers: what the metrics CSV/JSON, the epoch line and the plots show. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy, double seconds, double lr,
                           long steps) {}
