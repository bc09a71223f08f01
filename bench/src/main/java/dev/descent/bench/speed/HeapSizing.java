package dev.descent.bench.speed;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JVM's young generation has a fixed size, said in the bench header.
 *
 * <p>With ParallelGC's adaptive size policy the young generation is grown and reshaped after collections and every new
 * page of it faults on first touch. On the benchmark VM such a fault cost up to ~35 µs, so a workload that allocates
 * its result each call (matmul n = 128, a convolution's input gradient) measured page faults, not the kernel: 4 GFLOP/s
 * instead of ~135 (issue 19). {@code ./descent} turns the policy off; a run started another way says so here.
 */
final class HeapSizing {
    private HeapSizing() {}

    /** {@return the JVM's UseAdaptiveSizePolicy flag, or null when the JVM does not report it} */
    static Boolean adaptive() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hs == null ? null : Boolean.valueOf(hs.getVMOption("UseAdaptiveSizePolicy").getValue());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Where {@link #touchYoungGeneration} puts its garbage, so that the JIT cannot drop the allocations. */
    private static volatile float[] sink;

    /** {@return the collections every collector of this JVM has run so far} */
    private static long collections() {
        long n = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    /**
     * Allocates garbage until the collectors have run twice (or for at most {@code maxSeconds}), so that every page of a
     * fixed-size young generation has been touched once before the first timed workload: otherwise the first rows pay
     * the page faults of first touch (up to ~35 µs each on the benchmark VM) and the later rows do not.
     *
     * @param maxSeconds the longest this may take
     * @return the milliseconds it took
     */
    static long touchYoungGeneration(double maxSeconds) {
        long start = System.nanoTime(), deadline = start + (long) (maxSeconds * 1e9), target = collections() + 2;
        while (collections() < target && System.nanoTime() < deadline) sink = new float[1 << 18];
        sink = null;
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** {@return one line for the bench header, a warning when the young generation is sized adaptively} */
    static String describe() {
        Boolean adaptive = adaptive();
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).reduce((x, y) -> x + "/" + y).orElse("?");
        if (adaptive == null) return "heap: " + gc + ", young generation sizing unknown";
        return adaptive
                ? "heap: " + gc + ", young generation sized adaptively — WARNING: allocation-heavy rows may measure page faults "
                        + "of a growing heap, not kernels (run through ./descent, or add -XX:-UseAdaptiveSizePolicy)"
                : "heap: " + gc + ", young generation of fixed size (-XX:-UseAdaptiveSizePolicy)";
    }
}
