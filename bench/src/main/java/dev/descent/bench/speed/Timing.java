package dev.descent.bench.speed;

import java.util.Arrays;

/**
 * Repeated timing of a piece of work: warm-up first, then samples of at least a minimum duration
 * (short work is repeated inside a sample), reported as median and min–max. Medians, because the
 * machine is shared and noisy.
 */
public final class Timing {
    private Timing() {}

    /**
     * Seconds per call: median, fastest, slowest over the samples.
     *
     * @param median  the median
     * @param min     the fastest sample
     * @param max     the slowest sample
     * @param samples how many samples
     */
    public record Stats(double median, double min, double max, int samples) {}

    private static final long WARM_UP_NANOS = 1_000_000_000L;

    /**
     * Times {@code work}: warm-up, then {@code samples} samples of at least {@code minSampleSeconds} each.
     *
     * @param work             the work
     * @param warmups          warm-up calls at the least (and at least a second of them)
     * @param samples          timed samples
     * @param minSampleSeconds shortest sample; short work is repeated inside one
     * @return seconds per call
     */
    public static Stats measure(Runnable work, int warmups, int samples, double minSampleSeconds) {
        // Warm up for a number of calls and for at least a second: a short kernel needs thousands of calls
        // before the JIT has compiled it, and a few calls would leave the first samples interpreted.
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmups || System.nanoTime() - warmStart < WARM_UP_NANOS; i++) work.run();
        // Calibrate how many calls make one sample.
        long t0 = System.nanoTime();
        work.run();
        double once = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        int reps = (int) Math.max(1, Math.ceil(minSampleSeconds / once));
        double[] perCall = new double[samples];
        for (int s = 0; s < samples; s++) {
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) work.run();
            perCall[s] = (System.nanoTime() - start) / 1e9 / reps;
        }
        return stats(perCall);
    }

    /**
     * Median, fastest and slowest of some timings.
     *
     * @param seconds one value per sample (not modified)
     * @return their statistics
     */
    public static Stats stats(double[] seconds) {
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], n);
    }
}
