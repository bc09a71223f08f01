package dev.descent.bench.speed;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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

    /** The shortest warm-up of a workload: one second, or {@code -Ddescent.bench.warmupSeconds=S}. */
    static final double WARM_UP_SECONDS = Double.parseDouble(System.getProperty("descent.bench.warmupSeconds", "1"));

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
        return measure(work, warmups, samples, minSampleSeconds, WARM_UP_SECONDS);
    }

    /**
     * Times {@code work} after a warm-up of at least {@code warmUpSeconds} (or the longer
     * {@code -Ddescent.bench.warmupSeconds}): a training step or an optimizer step has paths that run rarely (a
     * preconditioner root every tenth step, the convolution's many shapes) and need seconds of calls before the JIT has
     * compiled them; Vector API code that is not compiled yet runs orders of magnitude slower than compiled code.
     *
     * @param work             the work
     * @param warmups          warm-up calls at the least
     * @param samples          timed samples
     * @param minSampleSeconds shortest sample; short work is repeated inside one
     * @param warmUpSeconds    the shortest warm-up, in seconds
     * @return seconds per call
     */
    public static Stats measure(Runnable work, int warmups, int samples, double minSampleSeconds, double warmUpSeconds) {
        // Warm up for a number of calls and for at least the given time: a short kernel needs thousands of calls
        // before the JIT has compiled it, and a few calls would leave the first samples interpreted.
        long warmUpNanos = (long) (Math.max(warmUpSeconds, WARM_UP_SECONDS) * 1e9);
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmups || System.nanoTime() - warmStart < warmUpNanos; i++) work.run();
        warmUntilJitQuiet(work, warmUpNanos);
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

    /** Whether warm-ups wait for the JIT to go quiet: {@code -Ddescent.bench.waitForJit=false} turns it off (to compare). */
    private static final boolean WAIT_FOR_JIT = Boolean.parseBoolean(System.getProperty("descent.bench.waitForJit", "true"));

    /** The JIT counts as quiet when it compiled for less than this share of a window's wall time. */
    private static final double JIT_QUIET_SHARE = 0.02;

    /** The shortest window over which the JIT's activity is judged. */
    private static final long JIT_WINDOW_NANOS = 500_000_000L;

    /**
     * Keeps calling {@code work} while the JIT compiler is still busy, for at most five times the warm-up (and at least
     * 20 s): measured 2026-12-03 on this project's 2-core machine under load, a GPT training step's compilations
     * (large Vector API methods, C2) went on for 12 s after the JVM started, and the first row of a bench ran 2–4×
     * slower than the same row timed after it — its samples shared the cores with C2's backlog, and so did the
     * PyTorch side's samples timed right after it (its two-thread OpenMP team then lost a core). A window counts as
     * quiet when the compilers' accumulated time grew by under 2% of its wall time; two quiet windows in a row end
     * the warm-up.
     */
    static void warmUntilJitQuiet(Runnable work, long warmUpNanos) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (!WAIT_FOR_JIT || jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long deadline = System.nanoTime() + Math.max(5 * warmUpNanos, 20_000_000_000L);
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() < deadline) {
            long start = System.nanoTime();
            long compiled = jit.getTotalCompilationTime();
            do {
                work.run();
            } while (System.nanoTime() - start < JIT_WINDOW_NANOS);
            double window = (System.nanoTime() - start) / 1e6;
            quiet = jit.getTotalCompilationTime() - compiled < JIT_QUIET_SHARE * window ? quiet + 1 : 0;
        }
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
