// Resuming an interrupted network experiment from the CSV files it had written.
package dev.descent.bench.reproduce;

import dev.descent.train.EpochMetrics;
import dev.descent.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What {@code --resume} needs: the network experiments rewrite their CSV files after every run, with
 * every double written exactly, so the runs an interrupted invocation completed can be read back
 * bit for bit and only the rest re-run. A file {@code settings.txt} records the settings; resuming
 * with other settings is refused.
 */
public final class Resumption {
    private Resumption() {}

    public static final String FILE = "settings.txt";

    /** Records the settings of the invocation now writing into {@code out}. */
    public static void writeFingerprint(Path out, String fingerprint) throws IOException {
        AtomicFile.writeString(out.resolve(FILE), fingerprint + "\n");
    }

    /**
     * Whether {@code out} holds runs to resume: false when there is no earlier run file.
     *
     * @throws IllegalArgumentException when the earlier invocation had other settings
     */
    public static boolean matches(Path out, String fingerprint, String runsFile) throws IOException {
        if (!Files.exists(out.resolve(runsFile))) return false;
        Path f = out.resolve(FILE);
        String before = Files.exists(f) ? Files.readString(f).strip() : "(no " + FILE + ")";
        if (!before.equals(fingerprint)) {
            throw new IllegalArgumentException("--resume: " + out + " holds runs with other settings: '" + before + "', now '" + fingerprint + "'");
        }
        return true;
    }

    /** The epochs of one run, from the rows of an epochs CSV that {@code mine} selects. */
    public static List<EpochMetrics> epochs(List<Map<String, String>> rows, Predicate<Map<String, String>> mine) {
        List<EpochMetrics> out = new ArrayList<>();
        for (Map<String, String> r : rows) {
            if (!mine.test(r)) continue;
            out.add(new EpochMetrics(Integer.parseInt(r.get("epoch")), Double.parseDouble(r.get("train_loss")), Double.parseDouble(r.get("train_accuracy")),
                    Double.parseDouble(r.get("test_loss")), Double.parseDouble(r.get("test_accuracy")), Double.parseDouble(r.get("seconds")),
                    Double.parseDouble(r.get("lr")), r.containsKey("steps") ? Long.parseLong(r.get("steps")) : 0));
        }
        return List.copyOf(out);
    }

    /** The report's sentence on epoch times and resumed runs. */
    public static String timing(List<EpochMetrics> epochs, int resumed, int runs) {
        double total = 0;
        for (EpochMetrics e : epochs) total += e.seconds();
        String s = "Epoch times (training steps, evaluation excluded): mean " + Report.wallTime(epochs.isEmpty() ? 0 : total / epochs.size()) + " over "
                + dev.descent.bench.report.Count.of(epochs.size(), "epoch") + ", " + Report.wallTime(total) + " in all.";
        if (resumed > 0) {
            s += " " + resumed + " of the " + dev.descent.bench.report.Count.of(runs, "run") + (resumed == 1 ? " was" : " were") + " completed by earlier invocations with the same settings and read back from the"
                    + " CSV files (`--resume`); the wall time under Provenance covers this invocation only, the epoch times above cover every run.";
        }
        return s;
    }
}
