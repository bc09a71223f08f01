// The unlearning reproduction's CSV files: every recorded step and every run, written exactly and read back.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.CsvTable;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Cell;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
import dev.descent.bench.reproduce.unlearning.UnlearningOutcome.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code unlearning-trajectories.csv} (one row per run and recorded step) and
 * {@code unlearning-runs.csv} (one row per run), rewritten after every run. Every double is written
 * exactly, so {@link #read} returns the runs that were written.
 */
public final class UnlearningCsv {
    private UnlearningCsv() {}

    /** The {@code batches} column's values. */
    static final String IID = "iid", ANTITHETIC = "antithetic";

    /** The file names. */
    public static final String TRAJECTORIES = "unlearning-trajectories.csv", RUNS = "unlearning-runs.csv";

    static void write(List<Run> runs, Path out) throws IOException {
        CsvTable traj = new CsvTable("student", "c2", "c3", "a0", "batches", "seed", "step", "alignment", "energy_alignment", "mean_a", "batch_loss");
        CsvTable sum = new CsvTable("student", "c2", "c3", "a0", "batches", "seed", "initial_alignment", "peak_alignment", "peak_step", "peak_batch_loss",
                "final_alignment", "drop", "gain_lost", "final_mean_a", "final_batch_loss");
        for (Run r : runs) {
            Cell c = r.cell();
            String batches = c.antithetic() ? ANTITHETIC : IID;
            for (double[] p : r.trajectory()) traj.row(c.student().key(), c.c2(), c.c3(), c.a0(), batches, r.seed(), (int) p[0], p[1], p[2], p[3], p[4]);
            sum.row(c.student().key(), c.c2(), c.c3(), c.a0(), batches, r.seed(), r.initial(), r.peak(), r.peakStep(), r.peakLoss(), r.last(), r.drop(),
                    r.gainLost(), r.lastMeanA(), r.lastLoss());
        }
        traj.write(out.resolve(TRAJECTORIES));
        sum.write(out.resolve(RUNS));
    }

    /**
     * The runs of the two CSV files.
     *
     * @param out the output folder
     * @return the runs, in file order, each with its recorded steps
     * @throws IOException when a file cannot be read
     */
    public static List<Run> read(Path out) throws IOException {
        List<Map<String, String>> steps = CsvTable.read(out.resolve(TRAJECTORIES));
        List<Run> runs = new ArrayList<>();
        for (Map<String, String> r : CsvTable.read(out.resolve(RUNS))) {
            String key = key(r);
            List<double[]> trajectory = new ArrayList<>();
            for (Map<String, String> s : steps) {
                if (key.equals(key(s))) trajectory.add(new double[] {d(s, "step"), d(s, "alignment"), d(s, "energy_alignment"), d(s, "mean_a"), d(s, "batch_loss")});
            }
            Cell cell = new Cell(Student.of(r.get("student")), d(r, "c2"), d(r, "c3"), d(r, "a0"), ANTITHETIC.equals(r.get("batches")));
            runs.add(new Run(cell, Long.parseLong(r.get("seed")), List.copyOf(trajectory), d(r, "initial_alignment"), d(r, "peak_alignment"),
                    Integer.parseInt(r.get("peak_step")), d(r, "peak_batch_loss"), d(r, "final_alignment"), d(r, "final_mean_a"), d(r, "final_batch_loss")));
        }
        return runs;
    }

    private static String key(Map<String, String> row) {
        return row.get("student") + "/" + row.get("c2") + "/" + row.get("c3") + "/" + row.get("a0") + "/" + row.get("batches") + "/" + row.get("seed");
    }

    private static double d(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
