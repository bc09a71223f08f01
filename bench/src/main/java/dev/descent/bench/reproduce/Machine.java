// The machine a reproduction ran on, as reports state it.
package dev.descent.bench.reproduce;

import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run happened: processors, the kernel thread count, the kernels' vector width, the JVM, the operating
 * system and the CPU model, so a reader can weigh the wall times in a report and knows what reproduces its
 * numbers bit for bit (the same seed, thread count, vector width and JDK).
 *
 * @param processors processors the JVM sees
 * @param threads    threads Descent's kernels use
 * @param vectorBits the kernels' vector width in bits ({@code descent.vectorBits}, else the CPU's preferred);
 *                   0 when the kernels run their scalar twins ({@code descent.kernels=scalar})
 * @param java       JVM name and version
 * @param os         operating system, version and architecture
 * @param cpu        CPU model (from {@code /proc/cpuinfo}; {@code unknown} elsewhere)
 */
public record Machine(int processors, int threads, int vectorBits, String java, String os, String cpu) {

    /**
     * This machine, now.
     *
     * @return its description
     */
    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), Threads.count(), Kernels.vectorEnabled() ? Kernels.vectorBits() : 0,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"), cpuModel());
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
        m.put("vector width", vectorBits == 0 ? "scalar kernels (descent.kernels=scalar)" : vectorBits + " bits"
                + (System.getProperty("descent.vectorBits") == null ? " (the CPU's preferred)" : " (pinned by descent.vectorBits)"));
        m.put("Java", java);
        m.put("OS", os);
        m.put("CPU", cpu);
        return m;
    }

    /**
     * The CPU's model name from /proc/cpuinfo.
     *
     * @return the model name, or "unknown" where there is no /proc/cpuinfo
     */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return "unknown";
    }
}
