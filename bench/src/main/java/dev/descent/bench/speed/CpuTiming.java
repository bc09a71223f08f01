package dev.descent.bench.speed;

import java.lang.management.ManagementFactory;

/**
 * Timing for a loaded machine: like {@link Timing}, wall-clock seconds per call over repeated samples after warm-up,
 * and beside them the process's CPU seconds per call over the same samples (every thread of the process: the kernel
 * threads, and the JIT and GC when they run). On a shared machine the wall time of each side stretches with the
 * load; CPU time stretches far less, so the ratio of CPU times is the steadier comparison of two runtimes. Neither
 * sees a core that itself runs slower for a while (a shared host): the probe of {@link Result#core} does.
 */
public final class CpuTiming {
    private CpuTiming() {}

    /**
     * Wall and CPU time per call.
     *
     * @param wall seconds of wall-clock time per call: median, fastest, slowest sample
     * @param cpu  process CPU seconds per call over all the samples together (the operating system counts CPU time
     *             in ticks of 10 ms, too coarse to time one short sample: median, min and max are all this one value)
     * @param core seconds of a fixed register-only loop timed on the calling thread before each sample (a probe of the
     *             core's speed while the samples ran, as a shared machine's cores change speed for seconds at a time)
     * @param heap bytes of Java heap allocated per call over all the samples, by every thread of the process (NaN
     *             when the JVM does not count them): a kernel whose vectors C2 boxes shows here long before in time
     */
    public record Result(Timing.Stats wall, Timing.Stats cpu, Timing.Stats core, double heap) {}

    /**
     * Times {@code work}: warm-up of at least {@code warmups} calls and {@code warmupSeconds} of wall time (a JIT
     * starved of CPU by other processes needs many seconds to compile the Vector API kernels; until then they run in
     * their slow fallback), and on while the JIT is still compiling (as {@link Timing#measure}), then {@code samples} samples of at least {@code minSampleSeconds} each.
     *
     * @param work             the work
     * @param warmups          warm-up calls at the least
     * @param warmupSeconds    warm-up wall time at the least
     * @param samples          timed samples, at least 1
     * @param minSampleSeconds shortest sample; short work is repeated inside one
     * @return seconds per call, wall and CPU
     */
    public static Result measure(Runnable work, int warmups, double warmupSeconds, int samples, double minSampleSeconds) {
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmups || System.nanoTime() - warmStart < warmupSeconds * 1e9; i++) work.run();
        Timing.warmUntilJitQuiet(work, (long) (warmupSeconds * 1e9));
        long t0 = System.nanoTime();
        work.run();
        double once = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        int reps = (int) Math.max(1, Math.ceil(minSampleSeconds / once));
        double[] wall = new double[samples], core = new double[samples];
        long c = processCpuNanos(), a = allocatedBytes();
        for (int s = 0; s < samples; s++) {
            core[s] = FmaPeak.probeSeconds();
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) work.run();
            wall[s] = (System.nanoTime() - start) / 1e9 / reps;
        }
        double cpu = (processCpuNanos() - c) / 1e9 / ((double) reps * samples);
        double heap = a < 0 ? Double.NaN : (allocatedBytes() - a) / ((double) reps * samples);
        return new Result(Timing.stats(wall), new Timing.Stats(cpu, cpu, cpu, samples), Timing.stats(core), heap);
    }

    /**
     * As {@link #measure(Runnable, int, double, int, double)}, with the warm-up of {@link Timing} (one second, or
     * {@code -Ddescent.bench.warmupSeconds=S}).
     *
     * @param work             the work
     * @param warmups          warm-up calls at the least
     * @param samples          timed samples, at least 1
     * @param minSampleSeconds shortest sample; short work is repeated inside one
     * @return seconds per call, wall and CPU
     */
    public static Result measure(Runnable work, int warmups, int samples, double minSampleSeconds) {
        return measure(work, warmups, Timing.WARM_UP_SECONDS, samples, minSampleSeconds);
    }

    /** {@return the bytes of Java heap every thread of this JVM has allocated so far (-1 when it does not count them)} */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** {@return the CPU time this process has used, in nanoseconds (-1 when the platform does not tell)} */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
        return -1;
    }
}
