package dev.descent.bench.speed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Flags the workloads of a bench run whose 2-thread figure is worse than their 1-thread figure (slower on two
 * cores than on one: a stall, a chunking or a false-sharing problem rather than slow arithmetic).
 */
final class ThreadFlags {
    /** The mark a flagged row carries in the table. */
    static final String MARK = "SLOWER ON 2 THREADS THAN ON 1";

    private final Map<String, double[]> speeds = new HashMap<>();
    private final List<String> flagged = new ArrayList<>();

    /**
     * Records one figure and says whether it completes a flagged pair.
     *
     * @param workload       the row's name (rows of one workload share it)
     * @param threads        the row's thread count
     * @param median         the row's median figure
     * @param higherIsBetter whether the unit is a speed (GFLOP/s, images/s) rather than a time
     * @return {@link #MARK} when this figure and the other thread count's make 2 threads worse than 1, else ""
     */
    String record(String workload, int threads, double median, boolean higherIsBetter) {
        if (threads != 1 && threads != 2) return "";
        double speed = higherIsBetter ? median : 1 / median;
        double[] s = speeds.computeIfAbsent(workload, w -> new double[] {Double.NaN, Double.NaN});
        s[threads - 1] = speed;
        if (Double.isNaN(s[0]) || Double.isNaN(s[1]) || !(s[1] < s[0])) return "";
        flagged.add(String.format(Locale.ROOT, "%s: 2 threads at %.2f× the speed of 1", workload, s[1] / s[0]));
        return MARK;
    }

    /** {@return one line per flagged workload, in the order they were found} */
    List<String> flagged() {
        return List.copyOf(flagged);
    }
}
