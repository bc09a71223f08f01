package dev.descent.spark;

import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.Trainer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Splits rank 0's wall time per step into compute, encode, exchange and sum (see {@link SparkTrainer.Result#timing()}),
 * from the end of the first {@link #WARMUP} steps (or as many as given; when the run has more) to the last step, so that neither the JIT's
 * warm-up nor the epoch's end (evaluation, checkpoint) is counted.
 */
final class Timing implements Callback {
    /** Steps left out at the start when the run has more. */
    static final int WARMUP = 3;

    private final BarrierReducer reducer;
    private long start, last, steps, encode0, exchange0, sum0, wait0, encode1, exchange1, sum1, wait1;
    /** The task thread's CPU time, the reducer's part of it, the JVM's GC and JIT time: at the origin (0) and now (1). */
    private long cpu0, reduceCpu0, gc0, jit0, cpu1, reduceCpu1, gc1, jit1, process0, process1, barrier0, barrier1;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final int warmup;

    /** @param reducer the exchange whose parts are split out; null for a single-process run */
    Timing(BarrierReducer reducer) {
        this(reducer, WARMUP);
    }

    /**
     * @param reducer the exchange whose parts are split out; null for a single-process run
     * @param warmup  steps left out at the start when the run has more
     */
    Timing(BarrierReducer reducer, int warmup) {
        this.reducer = reducer;
        this.warmup = warmup;
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        start = last = System.nanoTime();
        steps = 0;
        mark(true);
    }

    @Override
    public void onStep(Trainer trainer, Step step) {
        if (reducer != null) reducer.trace.mark(StepTrace.Phase.STEPPED);
        steps++;
        last = System.nanoTime();
        mark(false);
        if (steps == warmup) {
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
        long c = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0, rc = reducer == null ? 0 : reducer.cpuNanos,
                g = gcMillis(), j = jitMillis(), p = processCpu(), b = reducer == null ? 0 : reducer.barrierNanos();
        if (origin) {
            process0 = p;
            barrier0 = b;
            cpu0 = c;
            reduceCpu0 = rc;
            gc0 = g;
            jit0 = j;
            encode0 = e;
            exchange0 = x;
            sum0 = s;
            wait0 = w;
        }
        cpu1 = c;
        process1 = p;
        barrier1 = b;
        reduceCpu1 = rc;
        gc1 = g;
        jit1 = j;
        encode1 = e;
        exchange1 = x;
        sum1 = s;
        wait1 = w;
    }

    private long measured() {
        return Math.max(warmedUp ? steps - warmup : steps, 1);
    }

    /** {@return optimizer steps per second over the measured steps} */
    double stepsPerSecond() {
        return measured() / ((last - start) / 1e9);
    }

    /**
     * {@return mean milliseconds per measured step: compute, encode, exchange, sum, the exchange's wait for a slower
     * replica; then the CPU time of compute (the task thread's CPU time outside the reducer), and the JVM's time in
     * garbage collection and in JIT compilation, the JVM's CPU time (all of its threads, so in local mode both replicas'
     * and the driver's), and the part of exchange spent in the barrier's allGather}
     */
    double[] split() {
        double n = measured() * 1e6;
        long encode = encode1 - encode0, exchange = exchange1 - exchange0, sum = sum1 - sum0;
        double steps = measured();
        return new double[] {(last - start - encode - exchange - sum) / n, encode / n, exchange / n, sum / n, (wait1 - wait0) / n,
                ((cpu1 - cpu0) - (reduceCpu1 - reduceCpu0)) / n, (gc1 - gc0) / steps, (jit1 - jit0) / steps, (process1 - process0) / n,
                (barrier1 - barrier0) / n};
    }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, b.getCollectionTime());
        return t;
    }

    private static long jitMillis() {
        var c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
    }
}
