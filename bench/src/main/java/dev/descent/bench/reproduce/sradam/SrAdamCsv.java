// The SR-Adam reproduction's CSV files: written after every run, read back for --resume and by tests.
package dev.descent.bench.reproduce.sradam;

import dev.descent.bench.reproduce.CsvTable;
import dev.descent.bench.reproduce.NetworkRun;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.sradam.SrAdamOutcome.Run;
import dev.descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sr-adam-epochs.csv} (one row per optimizer, batch size, input noise, seed and epoch),
 * {@code sr-adam-shrinkage.csv} (one row per step of a shrinking run) and {@code sr-adam-runs.csv}
 * (one row per run). Every double is written exactly, so {@link #readRuns} returns the runs that were
 * written.
 */
public final class SrAdamCsv {
    private SrAdamCsv() {}

    /** The file names. */
    public static final String EPOCHS = "sr-adam-epochs.csv", SHRINKAGE = "sr-adam-shrinkage.csv", RUNS = "sr-adam-runs.csv";

    static void write(List<Run> runs, Path out) throws IOException {
        CsvTable epochs = NetworkRun.epochTable("method", "batch_size", "input_noise", "seed");
        CsvTable shrink = new CsvTable("method", "batch_size", "input_noise", "seed", "step", "epoch", "shrinkage");
        CsvTable summary = new CsvTable("method", "batch_size", "input_noise", "seed", "best_test_accuracy", "final_test_accuracy", "epochs_completed",
                "diverged");
        for (Run r : runs) {
            NetworkRun.addEpochs(epochs, r.result(), r.method().key(), r.batch(), r.noise(), r.seed());
            for (double[] s : r.shrinkage()) shrink.row(r.method().key(), r.batch(), r.noise(), r.seed(), (long) s[0], (int) s[1], s[2]);
            List<EpochMetrics> es = r.result().history();
            summary.row(r.method().key(), r.batch(), r.noise(), r.seed(), r.result().bestTestAccuracy(), es.isEmpty() ? Double.NaN : es.getLast().testAccuracy(),
                    es.size(), r.result().message());
        }
        epochs.write(out.resolve(EPOCHS));
        shrink.write(out.resolve(SHRINKAGE));
        summary.write(out.resolve(RUNS));
    }

    /**
     * The runs the CSV files record as finished: every epoch completed, or stopped by divergence.
     *
     * @param out    the output folder
     * @param epochs the epochs a completed run has
     * @return the runs, in file order, with their epochs and shrinkage factors
     * @throws IOException when a file cannot be read or names an unknown method
     */
    public static List<Run> readRuns(Path out, int epochs) throws IOException {
        return readRuns(out, epochs, null);
    }

    /**
     * The runs the CSV files record as finished, with the baselines' learning rates taken from the settings.
     *
     * @param out the output folder
     * @param cfg the settings whose runs these are
     * @return the runs, in file order
     * @throws IOException when a file cannot be read or names an unknown method
     */
    public static List<Run> readRuns(Path out, SrAdamConfig cfg) throws IOException {
        return readRuns(out, cfg.epochs(), cfg);
    }

    private static List<Run> readRuns(Path out, int epochs, SrAdamConfig cfg) throws IOException {
        List<Map<String, String>> epochRows = CsvTable.read(out.resolve(EPOCHS));
        List<Map<String, String>> shrinkRows = CsvTable.read(out.resolve(SHRINKAGE));
        List<Run> runs = new ArrayList<>();
        for (Map<String, String> row : CsvTable.read(out.resolve(RUNS))) {
            String diverged = row.get("diverged");
            if (Integer.parseInt(row.get("epochs_completed")) != epochs && diverged.isEmpty()) continue;
            String name = row.get("method");
            SrAdamArm m = cfg != null ? SrAdamArm.of(name, cfg, out.resolve(RUNS))
                    : dev.descent.bench.reproduce.Baseline.fromKey(name) != null ? new SrAdamArm.BaselineArm(dev.descent.bench.reproduce.Baseline.fromKey(name))
                    : SrAdamMethod.of(name, out.resolve(RUNS));
            String key = key(row);
            List<double[]> shrink = new ArrayList<>();
            for (Map<String, String> r : shrinkRows) {
                if (!key.equals(key(r))) continue;
                shrink.add(new double[] {Long.parseLong(r.get("step")), Integer.parseInt(r.get("epoch")), Double.parseDouble(r.get("shrinkage"))});
            }
            runs.add(new Run(m, Integer.parseInt(row.get("batch_size")), Double.parseDouble(row.get("input_noise")), Long.parseLong(row.get("seed")),
                    NetworkRun.readBack(Resumption.epochs(epochRows, r -> key.equals(key(r))), diverged), shrink));
        }
        return runs;
    }

    /** A run's key in every file: method/batch/noise/seed. */
    static String key(Map<String, String> row) {
        return row.get("method") + "/" + row.get("batch_size") + "/" + Double.parseDouble(row.get("input_noise")) + "/" + row.get("seed");
    }

    /** The key of a run, as {@link #key(Map)} builds it from a row. */
    static String key(SrAdamArm m, int batch, double noise, long seed) {
        return m.key() + "/" + batch + "/" + noise + "/" + seed;
    }
}
