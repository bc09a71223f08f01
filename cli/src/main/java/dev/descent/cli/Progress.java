package dev.descent.cli;

import dev.descent.bench.report.Count;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A per-epoch progress display: batches done, images per second, running loss and time left. On a
 * terminal it redraws one line in place; otherwise (CI, a file) it prints a plain line at every tenth
 * of the epoch, so logs stay readable.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final int total;
    private final String label;
    private final long start = System.nanoTime();
    private final String unit;
    private final int perExample;
    private int lastDecile = -1;
    private long lastDraw;

    /** @param terminal true to redraw in place (use {@link #isTerminal()}) */
    public Progress(PrintStream out, boolean terminal, String label, int totalBatches) {
        this(out, terminal, label, totalBatches, "img", 1);
    }

    /**
     * A display whose rate counts {@code unit}s, {@code perExample} of them per example (a text window of T tokens: "tok", T).
     *
     * @param terminal true to redraw in place (use {@link #isTerminal()})
     */
    public Progress(PrintStream out, boolean terminal, String label, int totalBatches, String unit, int perExample) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = totalBatches;
        this.unit = unit;
        this.perExample = perExample;
    }

    /** True when standard output is an interactive terminal (and not CI). */
    public static boolean isTerminal() {
        return System.console() != null && System.console().isTerminal() && !"true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Reports that {@code done} batches (of {@code images} images in all) finished with the given running loss. */
    public void update(int done, long images, double runningLoss) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = (double) images * perExample / Math.max(secs, 1e-9);
        double eta = done == 0 ? 0 : secs / done * (total - done);
        if (terminal) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            int width = 28, filled = total == 0 ? width : (int) ((long) width * done / total);
            out.printf(Locale.ROOT, "\r%s [%s%s] %d/%d  %.0f %s/s  loss %.4f  ETA %s   ", label, "=".repeat(filled), " ".repeat(width - filled),
                    done, total, rate, unit, runningLoss, clock(eta));
            if (done == total) out.print("\r" + " ".repeat(100) + "\r");
            out.flush();
        } else {
            int decile = total == 0 ? 10 : (int) (10L * done / total);
            if (decile == lastDecile || decile == 0 || done == total) return;
            lastDecile = decile;
            out.printf(Locale.ROOT, "%s %d/%s  %.0f %s/s  loss %.4f  ETA %s%n", label, done, Count.of(total, "batch", "batches"), rate, unit, runningLoss, clock(eta));
        }
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
