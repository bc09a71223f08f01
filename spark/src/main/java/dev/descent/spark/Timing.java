package dev.descent.spark;

import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.Trainer;

/** Splits rank 0's wall time per step into compute, encode, exchange and sum (see {@link SparkTrainer.Result#timing()}). */
final class Timing implements Callback {
    private final BarrierReducer reducer;
    private long start, steps;

    Timing(BarrierReducer reducer) {
        this.reducer = reducer;
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        start = System.nanoTime();
        steps = 0;
        reducer.encodeNanos = reducer.exchangeNanos = reducer.sumNanos = 0;
    }

    @Override
    public void onStep(Trainer trainer, Step step) {
        steps++;
    }

    double[] split() {
        long total = System.nanoTime() - start;
        double n = Math.max(steps, 1) * 1e6;
        long exchange = reducer.encodeNanos + reducer.exchangeNanos + reducer.sumNanos;
        return new double[] {(total - exchange) / n, reducer.encodeNanos / n, reducer.exchangeNanos / n, reducer.sumNanos / n};
    }
}
