package dev.descent.bench.speed;

import dev.descent.core.kernel.Vectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured float32 FMA peak, the yardstick beside every GFLOP/s figure of {@code descent bench}.
 *
 * <p>A calibration loop runs {@link #ACCUMULATORS} independent {@code FloatVector.fma} chains on the preferred
 * species (more than the two FMA units × 4-cycle latency of current x86 cores need, so the loop is throughput-bound)
 * on each of t plain threads started together; the peak at t threads is the best of a few timed rounds of about
 * {@link #ROUND_SECONDS} each. An FMA counts as 2 flops per lane.
 */
final class FmaPeak {
    private FmaPeak() {}

    /** The kernels' species: their width, and no second float species in the process (see core's {@code Vectors}). */
    private static final VectorSpecies<Float> S = Vectors.F;
    /** Independent accumulator chains per thread. */
    static final int ACCUMULATORS = 12;
    /** FMAs per chain in one call of the inner loop. */
    private static final int STEPS = 4096;
    /** Length of one timed round. */
    static final double ROUND_SECONDS = 0.3;
    /** Timed rounds per thread count; the best counts. */
    static final int ROUNDS = 3;
    /** Change of the peak between a run's start and end beyond which {@link Peak#againAtTheEnd} warns. */
    static final double DRIFT = 0.05;

    /**
     * The measured peak at each thread count, GFLOP/s of wall-clock time (what the bench's rows are measured in), the
     * same on the threads' CPU time (what the cores give while they run the loop: well above the wall-clock figure
     * when other processes share the cores), and the vector width it was measured at.
     */
    record Peak(int vectorBits, Map<Integer, Double> gflops, Map<Integer, Double> cpuGflops) {
        /** {@return the peak at {@code threads} threads, or NaN when it was not measured} */
        double at(int threads) {
            Double g = gflops.get(threads);
            return g == null ? Double.NaN : g;
        }

        /** {@return "x% of peak" for {@code gflops} on {@code threads} threads, or "" when that peak is unknown} */
        String fraction(double gflops, int threads) {
            return fractionText(gflops, at(threads));
        }

        /** {@return whether some wall-clock peak is under 90% of the same thread count's CPU-time peak: other processes took the cores} */
        boolean sharedCores() {
            for (var e : cpuGflops.entrySet()) {
                Double wall = gflops.get(e.getKey());
                if (wall != null && wall < 0.9 * e.getValue()) return true;
            }
            return false;
        }

        /**
         * The line printed at the end of a run: the peak measured again ({@code end}) as a percentage of this one, which
         * every "% of peak" of the run is a fraction of. A shared virtual machine changes speed by 10–30% within minutes;
         * when some thread count's peak moved by more than {@link #DRIFT} the line says that the fractions, and the rows
         * timed while it moved, are that much less certain.
         *
         * @param end the peak measured after the run
         * @return the line
         */
        String againAtTheEnd(Peak end) {
            StringBuilder s = new StringBuilder("measured FMA peak at the end: ");
            String sep = "";
            boolean moved = false;
            for (var e : gflops.entrySet()) {
                double now = end.at(e.getKey()), ratio = now / e.getValue();
                if (!(now > 0)) {
                    s.append(sep).append("not measured on ").append(e.getKey());
                    sep = ", ";
                    continue;
                }
                s.append(sep).append(String.format(Locale.ROOT, "%.1f GFLOP/s on %d thread%s (%.0f%% of the start's)", now, e.getKey(),
                        e.getKey() == 1 ? "" : "s", 100 * ratio));
                sep = ", ";
                moved |= !(Math.abs(ratio - 1) <= DRIFT);
            }
            if (moved) s.append(String.format(Locale.ROOT, "; the machine's speed moved by more than %.0f%% during the run: fractions of peak"
                    + " and rows near a ratio of 1.0 are that much less certain", 100 * DRIFT));
            return s.toString();
        }

        /** {@return the line printed at the start of a run} */
        String describe() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "measured FMA peak (float32, %d-bit FloatVector.fma, %d chains per thread): ",
                    vectorBits, ACCUMULATORS));
            String sep = "";
            for (var e : gflops.entrySet()) {
                s.append(sep).append(String.format(Locale.ROOT, "%.1f GFLOP/s on %d thread%s", e.getValue(), e.getKey(), e.getKey() == 1 ? "" : "s"));
                sep = ", ";
            }
            if (!cpuGflops.isEmpty()) {
                s.append("; on the threads' CPU time ");
                sep = "";
                for (var e : cpuGflops.entrySet()) {
                    s.append(sep).append(String.format(Locale.ROOT, "%.1f on %d", e.getValue(), e.getKey()));
                    sep = ", ";
                }
                if (sharedCores()) s.append(" (a wall-clock peak well below this: other processes shared the cores)");
            }
            return s.toString();
        }
    }

    /** {@return "x% of peak", or "" when {@code peak} is not a positive number} */
    static String fractionText(double gflops, double peak) {
        if (!(peak > 0) || Double.isNaN(gflops)) return "";
        return String.format(Locale.ROOT, "%.0f%% of peak", 100 * gflops / peak);
    }

    /** {@return the GFLOP/s of {@code fmas} vector FMAs of {@code lanes} lanes in {@code seconds}} */
    static double gflops(long fmas, int lanes, double seconds) {
        return 2.0 * fmas * lanes / seconds / 1e9;
    }

    /**
     * Measures the peak at 1 thread and at each of {@code threads}.
     *
     * @param threads thread counts (1 is always measured)
     * @return the peak per thread count, in increasing order
     */
    static Peak measure(int[] threads) {
        List<Integer> counts = new ArrayList<>(List.of(1));
        for (int t : threads) if (!counts.contains(t)) counts.add(t);
        counts.sort(null);
        warmUp();
        Map<Integer, Double> out = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        for (int t : counts) {
            double best = 0, bestCpu = 0;
            for (int r = 0; r < ROUNDS; r++) {
                double[] g = round(t);
                best = Math.max(best, g[0]);
                bestCpu = Math.max(bestCpu, g[1]);
            }
            out.put(t, best);
            if (bestCpu > 0) cpu.put(t, bestCpu);
        }
        return new Peak(S.vectorBitSize(), out, cpu);
    }

    /**
     * Runs the loop until C2 has compiled it (under load a tier-1 version of the loop is far slower), in calls as short
     * as a probe's: warmed in calls of 200, the probes after the first took 5–11 ms instead of 0.057 (three fresh JVMs,
     * eight probes each), so bench onnx's core columns compared mostly a slow form of the loop, and one side's fast
     * first probe gave a round an "equal core" ratio of 0.01.
     */
    private static void warmUp() {
        long end = System.nanoTime() + 1_000_000_000L;
        float[] sink = new float[S.length()];
        while (System.nanoTime() < end) chains(2, sink);
    }

    /**
     * One timed round on {@code t} threads: GFLOP/s over the wall time from the common start to the last finish, and
     * over the threads' mean CPU time (times t; 0 when the JVM cannot measure thread CPU time).
     */
    private static double[] round(int t) {
        // Calls per thread to last about ROUND_SECONDS, sized from one thread's rate on a short probe.
        float[] sink = new float[S.length()];
        long t0 = System.nanoTime();
        chains(20, sink);
        double perCall = Math.max(1e-9, (System.nanoTime() - t0) / 1e9 / 20);
        int calls = (int) Math.max(1, ROUND_SECONDS / perCall);
        CyclicBarrier start = new CyclicBarrier(t + 1);
        Thread[] workers = new Thread[t];
        long[] cpuNanos = new long[t];
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean cpuTime = mx.isCurrentThreadCpuTimeSupported();
        for (int i = 0; i < t; i++) {
            int id = i;
            workers[i] = new Thread(() -> {
                float[] s = new float[S.length()];
                try {
                    start.await();
                } catch (Exception e) {
                    return;
                }
                long c0 = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
                chains(calls, s);
                cpuNanos[id] = cpuTime ? mx.getCurrentThreadCpuTime() - c0 : 0;
            }, "descent-fma-peak-" + i);
            workers[i].setDaemon(true);
            workers[i].start();
        }
        long begin;
        try {
            start.await();
            begin = System.nanoTime();
            for (Thread w : workers) w.join();
        } catch (Exception e) {
            Thread.currentThread().interrupt();
            return new double[] {Double.NaN, 0};
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        long fmas = (long) calls * STEPS * ACCUMULATORS * t;
        long cpuSum = 0;
        for (long c : cpuNanos) cpuSum += c;
        double cpuSeconds = cpuSum / 1e9 / t;
        return new double[] {gflops(fmas, S.length(), seconds), cpuSum > 0 ? gflops(fmas, S.length(), cpuSeconds) : 0};
    }

    /** Calls of {@link #chains} in one {@link #probeSeconds} probe: 0.06–0.08 ms on this project's 512-bit EPYC. */
    private static final int PROBE_CALLS = 8;
    private static volatile boolean probeCompiled;

    /**
     * The time of a fixed register-only loop of {@link #ACCUMULATORS} fma chains on the calling thread (no memory
     * touched): a probe of how fast the core runs at that moment. On a shared virtual machine that changes by 20–30%
     * for seconds at a time (docs/benchmarks.md, "Session of 2026-12-04, evening": this loop and an imported model
     * slowed together, second by second), so a bench that times two runtimes in turn probes the core beside each.
     *
     * @return seconds of one probe
     */
    static double probeSeconds() {
        if (!probeCompiled) { // the loop's first calls run before C2 has compiled it
            warmUp();
            probeCompiled = true;
        }
        float[] sink = new float[S.length()];
        long t0 = System.nanoTime();
        chains(PROBE_CALLS, sink);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** {@code calls} × {@link #STEPS} steps of 12 independent fma chains; the sum goes to {@code sink} so none is dead code. */
    private static void chains(int calls, float[] sink) {
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 0f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        FloatVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int c = 0; c < calls; c++) {
            for (int i = 0; i < STEPS; i++) {
                a0 = a0.fma(x, y);
                a1 = a1.fma(x, y);
                a2 = a2.fma(x, y);
                a3 = a3.fma(x, y);
                a4 = a4.fma(x, y);
                a5 = a5.fma(x, y);
                a6 = a6.fma(x, y);
                a7 = a7.fma(x, y);
                a8 = a8.fma(x, y);
                a9 = a9.fma(x, y);
                a10 = a10.fma(x, y);
                a11 = a11.fma(x, y);
            }
        }
        a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).add(FloatVector.fromArray(S, sink, 0)).intoArray(sink, 0);
    }
}
