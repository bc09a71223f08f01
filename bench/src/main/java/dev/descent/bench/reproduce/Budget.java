// The "paper vs ours" budget table every report prints: data, images, batch, optimizer steps, epochs, seeds, what differs.
package dev.descent.bench.reproduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row of a report's "paper vs ours" table, generated from the experiment's config so that the table cannot
 * drift from what ran. Budgets are stated in optimizer steps as well as epochs: two runs with the same epochs but
 * different batch sizes or training-set sizes take different numbers of steps.
 *
 * @param who     {@code paper} or {@code ours}, or a finer label (e.g. {@code ours, batch 64})
 * @param dataset the data
 * @param images  training images (or examples per step, for online experiments)
 * @param batch   examples per step
 * @param steps   optimizer steps per run
 * @param epochs  passes over the training set per run ("—" for online experiments)
 * @param seeds   seeds per configuration
 * @param differs what differs from the paper (empty for the paper's row)
 */
public record Budget(String who, String dataset, String images, String batch, String steps, String epochs, String seeds, String differs) {

    /** The table's header. */
    public static final List<String> HEADER = List.of("", "dataset", "training images", "batch", "optimizer steps", "epochs", "seeds", "what differs");

    /**
     * Optimizer steps of a run: ⌈images/batch⌉ per epoch (the last batch may be short).
     *
     * @param images training images
     * @param batch  batch size
     * @param epochs epochs
     * @return the steps
     */
    public static long steps(long images, int batch, int epochs) {
        return (images + batch - 1) / batch * (long) epochs;
    }

    /**
     * A count with thousands separators.
     *
     * @param n the count
     * @return e.g. {@code 31,280}
     */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * Our steps as a share of the paper's.
     *
     * @param ours  our steps
     * @param paper the paper's steps
     * @return e.g. {@code 632 (2.0 % of the paper's 31,280)}
     */
    public static String fraction(long ours, long paper) {
        return String.format(Locale.ROOT, "%,d (%.1f %% of the paper's %,d)", ours, 100.0 * ours / paper, paper);
    }

    /**
     * Adds the section's table to a report: the rows in order, under {@link #HEADER}.
     *
     * @param report the report
     * @param rows   the paper's row(s), then ours
     * @return the report
     */
    public static Report table(Report report, List<Budget> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (Budget b : rows) cells.add(List.of(b.who, b.dataset, b.images, b.batch, b.steps, b.epochs, b.seeds, b.differs.isEmpty() ? "—" : b.differs));
        report.subsection("Paper vs ours");
        return report.table(HEADER, cells);
    }
}
