// The clipping reproduction's CSV files: written after every run, read back for --resume and by tests.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.reproduce.CsvTable;
import dev.descent.bench.reproduce.NetworkRun;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.XToTheFourth;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.Run;
import dev.descent.bench.reproduce.clipping.ClippingOutcome.X4;
import dev.descent.optim.ClippingFramework;
import dev.descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code clipping-x4.csv} (one row per start and method), {@code clipping-epochs.csv} (one row per
 * method, seed and epoch) and {@code clipping-runs.csv} (one row per run). Every double is written
 * exactly, so what {@link #readX4} and {@link #readRuns} return equals what was written.
 */
public final class ClippingCsv {
    private ClippingCsv() {}

    /** The file names. */
    public static final String X4 = "clipping-x4.csv", EPOCHS = "clipping-epochs.csv", RUNS = "clipping-runs.csv";

    static void writeX4(List<X4> x4, Path out) throws IOException {
        CsvTable csv = new CsvTable("x0", "method", "lr", "gamma", "iterations", "converged", "digest_iterations");
        for (X4 r : x4) {
            csv.row(r.x0(), "clipped-gd", XToTheFourth.clippedLr(), XToTheFourth.clippedGamma(), r.clipped(), r.clipped() < XToTheFourth.CAP,
                    r.digestClipped() == 0 ? "" : Long.toString(r.digestClipped()));
            csv.row(r.x0(), "fixed-step-gd", XToTheFourth.fixedLr(r.x0()), "", r.fixed(), r.fixed() < XToTheFourth.CAP,
                    r.digestFixed() == 0 ? "" : r.digestFixed() < 0 ? "not within 1e6" : Long.toString(r.digestFixed()));
        }
        csv.write(out.resolve(X4));
    }

    /** The {@code clip} column of SGD+momentum, which has no h. */
    static final String NO_CLIP = "none";

    /** The {@code clip} column's value: {@code soft}, {@code hard} or {@code none}. */
    static String clipKey(ClippingFramework.Clip clip) {
        return clip == null ? NO_CLIP : clip.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A run's key in log lines and for --resume: method/clip/seed. */
    static String key(ClippingArm m, ClippingFramework.Clip clip, long seed) {
        return m.key() + "/" + clipKey(clip) + "/" + seed;
    }

    static void writeRuns(List<Run> runs, Path out) throws IOException {
        CsvTable epochs = NetworkRun.epochTable("method", "clip", "seed");
        CsvTable summary = new CsvTable("method", "clip", "seed", "final_test_accuracy", "best_test_accuracy", "epochs_completed", "diverged");
        for (Run r : runs) {
            NetworkRun.addEpochs(epochs, r.result(), r.method().key(), clipKey(r.clip()), r.seed());
            List<EpochMetrics> es = r.result().history();
            summary.row(r.method().key(), clipKey(r.clip()), r.seed(), es.isEmpty() || r.result().diverged() ? Double.NaN : es.getLast().testAccuracy(),
                    r.result().bestTestAccuracy(), es.size(), r.result().message());
        }
        epochs.write(out.resolve(EPOCHS));
        summary.write(out.resolve(RUNS));
    }

    /**
     * The x⁴ rows of {@code clipping-x4.csv}.
     *
     * @param out the output folder
     * @return one row per start, in file order
     * @throws IOException when the file cannot be read
     */
    public static List<X4> readX4(Path out) throws IOException {
        List<Map<String, String>> rows = CsvTable.read(out.resolve(X4));
        List<X4> x4 = new ArrayList<>();
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            Map<String, String> c = rows.get(i), f = rows.get(i + 1);
            String pf = f.get("digest_iterations");
            x4.add(new X4(Double.parseDouble(c.get("x0")), Long.parseLong(c.get("iterations")), Long.parseLong(f.get("iterations")),
                    c.get("digest_iterations").isEmpty() ? 0 : Long.parseLong(c.get("digest_iterations")),
                    pf.isEmpty() ? 0 : pf.startsWith("not") ? -1 : Long.parseLong(pf)));
        }
        return x4;
    }

    /**
     * The runs the CSV files record as finished: every epoch completed, or stopped by divergence.
     *
     * @param out    the output folder
     * @param epochs the epochs a completed run has
     * @return the runs, in file order
     * @throws IOException when a file cannot be read or names an unknown method
     */
    public static List<Run> readRuns(Path out, int epochs) throws IOException {
        return readRuns(out, epochs, null);
    }

    /**
     * The network runs the CSV files record as finished, with the baselines' learning rates taken from the settings.
     *
     * @param out the output folder
     * @param cfg the settings whose runs these are
     * @return the runs, in file order
     * @throws IOException when a file cannot be read or names an unknown method
     */
    public static List<Run> readRuns(Path out, ClippingConfig cfg) throws IOException {
        return readRuns(out, cfg.epochs(), cfg);
    }

    private static List<Run> readRuns(Path out, int epochs, ClippingConfig cfg) throws IOException {
        List<Map<String, String>> epochRows = CsvTable.read(out.resolve(EPOCHS));
        List<Run> runs = new ArrayList<>();
        for (Map<String, String> row : CsvTable.read(out.resolve(RUNS))) {
            String diverged = row.get("diverged");
            if (Integer.parseInt(row.get("epochs_completed")) != epochs && diverged.isEmpty()) continue;
            ClippingArm m = ClippingArm.of(row.get("method"), cfg, out.resolve(RUNS));
            String clip = row.get("clip");
            ClippingFramework.Clip h = clip.equals(NO_CLIP) ? null : ClippingFramework.Clip.valueOf(clip.toUpperCase(java.util.Locale.ROOT));
            String key = m.key() + "/" + clip + "/" + row.get("seed");
            runs.add(new Run(m, h, Long.parseLong(row.get("seed")), NetworkRun.readBack(
                    Resumption.epochs(epochRows, r -> key.equals(r.get("method") + "/" + r.get("clip") + "/" + r.get("seed"))), diverged)));
        }
        return runs;
    }
}
