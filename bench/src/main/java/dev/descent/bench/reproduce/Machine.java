// The machine a reproduction ran on, as reports state it.
package dev.descent.bench.reproduce;

import dev.descent.bench.train.Trainer;
import dev.descent.core.Threads;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run happened: processors, the kernel thread count, the JVM, the operating system and the
 * CPU model, so a reader can weigh the wall times in a report.
 *
 * @param processors processors the JVM sees
 * @param threads    threads Descent's kernels use
 * @param java       JVM name and version
 * @param os         operating system, version and architecture
 * @param cpu        CPU model (from {@code /proc/cpuinfo}; {@code unknown} elsewhere)
 */
public record Machine(int processors, int threads, String java, String os, String cpu) {

    /**
     * This machine, now.
     *
     * @return its description
     */
    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), Threads.count(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"), Trainer.cpuModel());
    }

    /**
     * The description as report lines.
     *
     * @return label → value, in a fixed order
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processors", processors);
        m.put("kernel threads", threads);
        m.put("Java", java);
        m.put("OS", os);
        m.put("CPU", cpu);
        return m;
    }
}
