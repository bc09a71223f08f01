// Resuming an interrupted experiment: completed runs from the CSV files it had written, the run in progress from its checkpoint.
package dev.descent.bench.reproduce;

import dev.descent.train.EpochMetrics;
import dev.descent.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What {@code --resume} needs, at two granularities.
 * <ul>
 * <li><b>Completed runs.</b> The experiments rewrite their CSV files after every run, with every double written exactly, so
 *     the runs an interrupted invocation completed are read back bit for bit and not run again.</li>
 * <li><b>The run in progress.</b> While a run trains it writes a checkpoint every N steps (the config's
 *     {@code checkpointEvery}, {@code --checkpoint-every}) into {@code OUT/in-progress/RUN/}: the model, the optimizer, the
 *     position and everything the run gathered in memory so far (a probe's series, the epochs done), atomically
 *     ({@link dev.descent.train.Checkpoints}: a checkpoint is complete before {@code LATEST} names it). The folder is
 *     deleted once the run's rows are in the CSV files. On {@code --resume} a run with a checkpoint continues from it,
 *     and its rows come out bitwise as an uninterrupted run's (the epochs' wall times aside).</li>
 * </ul>
 * A file {@code settings.txt} records the settings; resuming with other settings is refused. An invocation without
 * {@code --resume} deletes {@code in-progress} first, so that a later {@code --resume} never meets another
 * configuration's checkpoint.
 */
public final class Resumption {
    private Resumption() {}

    /** The file that records the settings of the invocation writing into a folder. */
    public static final String FILE = "settings.txt";

    /** The folder, inside an experiment's output folder, holding one subfolder per run in progress. */
    public static final String IN_PROGRESS = "in-progress";

    /**
     * Optimizer steps between checkpoints of a network run by default. At the full settings a step of SimpleCNN takes
     * about 0.2 s (batch 64) to 2 s (batch 512) on two cores, so this is a checkpoint every 20 s to 3 min of work; one
     * (421,642 parameters and Adam's two moments, 5 MB) takes about 0.1 s, under 1 % of the work between two. Epoch
     * ends are checkpointed too.
     */
    public static final long NETWORK_EVERY = 100;

    /**
     * Sees every step of every run: a test throws from it to simulate a crash after that step (before that step's
     * checkpoint, if it has one). Unbound outside tests; bind it with {@code ScopedValue.where(STEP_PROBE, probe)}.
     */
    public static final ScopedValue<StepProbe> STEP_PROBE = ScopedValue.newInstance();

    /** A view of the steps of runs (see {@link #STEP_PROBE}). */
    @FunctionalInterface
    public interface StepProbe {
        /**
         * Called after every optimizer step of a run.
         *
         * @param run  the run's key
         * @param step steps taken in the run, this one included
         */
        void afterStep(String run, long step);
    }

    /**
     * Tells the probe, if one is bound, that {@code run} took step {@code step}.
     *
     * @param run  the run's key
     * @param step steps taken, this one included
     */
    public static void stepped(String run, long step) {
        if (STEP_PROBE.isBound()) STEP_PROBE.get().afterStep(run, step);
    }

    /**
     * The folder of a run in progress.
     *
     * @param out the experiment's output folder
     * @param run the run's key (e.g. {@code adam/512/0.05/1}); characters other than letters, digits, dot, minus and
     *            underscore become {@code _}
     * @return {@code out/in-progress/KEY}
     */
    public static Path runFolder(Path out, String run) {
        return out.resolve(IN_PROGRESS).resolve(run.replaceAll("[^A-Za-z0-9.\\-]", "_"));
    }

    /**
     * Deletes every run in progress: an invocation that does not resume starts each run afresh.
     *
     * @param out the experiment's output folder
     * @throws IOException when a file cannot be deleted
     */
    public static void startFresh(Path out) throws IOException {
        deleteTree(out.resolve(IN_PROGRESS));
    }

    /**
     * Deletes a run's checkpoints once its rows are in the CSV files (and {@code in-progress} when no other run is in it).
     *
     * @param out the experiment's output folder
     * @param run the run's key
     * @throws IOException when a file cannot be deleted
     */
    public static void finished(Path out, String run) throws IOException {
        deleteTree(runFolder(out, run));
        Path all = out.resolve(IN_PROGRESS);
        if (Files.isDirectory(all)) {
            try (Stream<Path> s = Files.list(all)) {
                if (s.findAny().isEmpty()) Files.deleteIfExists(all);
            }
        }
    }

    /**
     * The error for a checkpoint that cannot be read back.
     *
     * @param run    the run's key
     * @param folder the run's folder
     * @param cause  what failed, naming the file
     * @return an exception saying which run, which file and what to do
     */
    public static IOException unreadable(String run, Path folder, Exception cause) {
        return new IOException("--resume: the checkpoint of run " + run + " cannot be read: " + cause.getMessage() + " (delete " + folder
                + " to run it again from the start)", cause);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    /**
     * Records the settings of the invocation now writing into {@code out}.
     *
     * @param out         the output folder
     * @param fingerprint the settings, as one line
     * @throws IOException when the file cannot be written
     */
    public static void writeFingerprint(Path out, String fingerprint) throws IOException {
        AtomicFile.writeString(out.resolve(FILE), fingerprint + "\n");
    }

    /**
     * Whether {@code out} holds runs to resume: false when there is neither an earlier run file nor a run in progress.
     *
     * @param out         the output folder
     * @param fingerprint the settings of this invocation
     * @param runsFile    the experiment's file of completed runs
     * @return whether there is something to resume
     * @throws IOException when {@code settings.txt} cannot be read
     * @throws IllegalArgumentException when the earlier invocation had other settings
     */
    public static boolean matches(Path out, String fingerprint, String runsFile) throws IOException {
        if (!Files.exists(out.resolve(runsFile)) && !Files.exists(out.resolve(IN_PROGRESS))) return false;
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
