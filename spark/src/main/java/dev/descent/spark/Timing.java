package dev.descent.spark;

import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.Trainer;

/**
 * Splits rank 0's wall time per step into compute, encode, exchange and sum (see {@link SparkTrainer.Result#timing()}),
 * from the end of the first {@link #WARMUP} steps (when the run has more) to the last step, so that neither the JIT's
 * warm-up nor the epoch's end (evaluation, checkpoint) is counted.
 */
final class Timing implements Callback {
    /** Steps left out at the start when the run has more. */
    static final int WARMUP = 3;

    private final BarrierReducer reducer;
    private long start, last, steps, encode0, exchange0, sum0, wait0, encode1, exchange1, sum1, wait1;

    /** @param reducer the exchange whose parts are split out; null for a single-process run */
    Timing(BarrierReducer reducer) {
        this.reducer = reducer;
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        start = last = System.nanoTime();
        steps = 0;
        mark(true);
    }

    @Override
    public void onStep(Trainer trainer, Step step) {
        steps++;
        last = System.nanoTime();
        mark(false);
        if (steps == WARMUP) {
            // restart the clock after the warm-up; the counts before it are dropped
            start = last;
            mark(true);
            warmedUp = true;
        }
    }

    private boolean warmedUp;

    private void mark(boolean origin) {
        long e = reducer == null ? 0 : reducer.encodeNanos, x = reducer == null ? 0 : reducer.exchangeNanos, s = reducer == null ? 0 : reducer.sumNanos,
                w = reducer == null ? 0 : reducer.waitNanos;
        if (origin) {
            encode0 = e;
            exchange0 = x;
            sum0 = s;
            wait0 = w;
        }
        encode1 = e;
        exchange1 = x;
        sum1 = s;
        wait1 = w;
    }

    private long measured() {
        return Math.max(warmedUp ? steps - WARMUP : steps, 1);
    }

    /** {@return optimizer steps per second over the measured steps} */
    double stepsPerSecond() {
        return measured() / ((last - start) / 1e9);
    }

    /** {@return mean milliseconds per measured step: compute, encode, exchange, sum, and the exchange's wait for a slower replica} */
    double[] split() {
        double n = measured() * 1e6;
        long encode = encode1 - encode0, exchange = exchange1 - exchange0, sum = sum1 - sum0;
        return new double[] {(last - start - encode - exchange - sum) / n, encode / n, exchange / n, sum / n, (wait1 - wait0) / n};
    }
}
