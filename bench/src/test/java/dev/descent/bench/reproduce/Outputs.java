// Assertions on the files an experiment writes: CSV rows, PNG signatures, the report files; and a silent log.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Checks shared by the tests of the four experiments. */
public final class Outputs {
    private Outputs() {}

    /** A log that discards the progress lines. */
    public static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /**
     * The CSV's rows (header excluded) as split cells, after checking the header and every row's width.
     *
     * @param file   the CSV file (no quoted cells)
     * @param header the expected header line
     * @return the rows
     * @throws IOException when it cannot be read
     */
    public static List<String[]> csv(Path file, String header) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals(header, lines.getFirst(), "header of " + file.getFileName());
        int width = header.split(",", -1).length;
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
        for (String[] r : rows) assertEquals(width, r.length, file.getFileName() + " row " + Arrays.toString(r));
        return rows;
    }

    /**
     * Asserts that the report, the summary line and each plot were written, and that the summary line names every outcome
     * the report's verdicts have (so the README's lines say "inconclusive" where a report does).
     *
     * @param dir   the output folder
     * @param plots the PNG file names
     * @throws IOException when a file cannot be read
     */
    public static void reportFiles(Path dir, String... plots) throws IOException {
        assertTrue(Files.size(dir.resolve("report.md")) > 0, "report.md");
        String summary = Files.readString(dir.resolve("summary.md"));
        assertTrue(summary.contains("/report.md)"), "summary.md must link the report");
        String report = Files.readString(dir.resolve("report.md"));
        for (dev.descent.bench.reproduce.Verdict.Outcome o : dev.descent.bench.reproduce.Verdict.Outcome.values()) {
            if (report.contains("- **" + o.label() + "** — ")) {
                assertTrue(summary.contains(o.label().toLowerCase(java.util.Locale.ROOT)), "the report has a verdict '" + o.label() + "' the summary does not name: "
                        + summary);
            }
        }
        for (String n : plots) {
            Path f = dir.resolve(n);
            assertTrue(Files.isRegularFile(f), "missing plot " + n);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(f), 4), n + " is not a PNG");
        }
    }

    /**
     * The lines of a CSV file without their last column (wall seconds, which differ between runs).
     *
     * @param file the CSV file
     * @return the lines, header included
     * @throws IOException when it cannot be read
     */
    public static List<String> withoutSeconds(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    /**
     * Drops the last {@code n} lines of a file, as an interruption during a run would leave it.
     *
     * @param file the file
     * @param n    lines to drop
     * @throws IOException when it cannot be rewritten
     */
    public static void dropLastLines(Path file, int n) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - n));
    }

    /**
     * The mean of the column values.
     *
     * @param rows   CSV rows
     * @param column the column index
     * @return the mean of the parsed doubles, summed in row order as {@link Statistics#mean} does
     */
    public static double mean(List<String[]> rows, int column) {
        return Statistics.mean(rows.stream().mapToDouble(r -> Double.parseDouble(r[column])).toArray());
    }

    /** The failure a {@link #crashAt} probe throws: a stand-in for a killed process. */
    public static final class Crash extends RuntimeException {
        Crash(String run, long step) {
            super("simulated crash of " + run + " after step " + step);
        }
    }

    /**
     * Runs {@code work} with a step probe that crashes the run {@code run} selects after its step {@code step}, and asserts
     * that the crash ended the invocation.
     *
     * @param run  selects the run by its key
     * @param step the step after which it crashes
     * @param work the invocation
     */
    public static void crashAt(java.util.function.Predicate<String> run, long step, java.util.concurrent.Callable<?> work) {
        org.junit.jupiter.api.Assertions.assertThrows(Crash.class, () -> ScopedValue.where(Resumption.STEP_PROBE, (r, s) -> {
            if (run.test(r) && s == step) throw new Crash(r, s);
        }).call(work::call));
    }

    /**
     * Runs {@code work} and returns the first step each run took in it (a run continued from a checkpoint starts after it).
     *
     * @param work the invocation
     * @param <T>  its result
     * @param first receives run key → first step
     * @return what {@code work} returned
     * @throws Exception what it threw
     */
    public static <T> T recordingFirstSteps(java.util.Map<String, Long> first, java.util.concurrent.Callable<T> work) throws Exception {
        return ScopedValue.where(Resumption.STEP_PROBE, (r, s) -> first.putIfAbsent(r, s)).call(work::call);
    }

    /**
     * Asserts that two output folders hold the same rows: the {@code exact} files byte for byte, the {@code epochs} files
     * byte for byte but for their last column (wall seconds, which differ between any two runs).
     *
     * @param expected the uninterrupted invocation's folder
     * @param actual   the resumed invocation's folder
     * @param exact    file names compared whole
     * @param epochs   file names whose last column is left out
     * @throws IOException when a file cannot be read
     */
    public static void sameRows(Path expected, Path actual, List<String> exact, List<String> epochs) throws IOException {
        for (String f : exact) {
            assertEquals(Files.readString(expected.resolve(f)), Files.readString(actual.resolve(f)), f + " differs from the uninterrupted run's");
        }
        for (String f : epochs) assertEquals(withoutSeconds(expected.resolve(f)), withoutSeconds(actual.resolve(f)), f + " differs from the uninterrupted run's");
    }

    /**
     * Asserts that no run is in progress in {@code out}: every completed run deleted its checkpoints.
     *
     * @param out the output folder
     * @throws IOException when the folder cannot be listed
     */
    public static void noRunInProgress(Path out) throws IOException {
        Path p = out.resolve(Resumption.IN_PROGRESS);
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                org.junit.jupiter.api.Assertions.fail("a completed invocation left checkpoints behind: " + s.toList());
            }
        }
    }

    /**
     * The latest checkpoint of a run in progress, as the trainer's {@code LATEST} names it.
     *
     * @param runFolder the run's folder ({@link Resumption#runFolder})
     * @return the checkpoint's folder
     * @throws IOException when there is none
     */
    public static Path latestCheckpoint(Path runFolder) throws IOException {
        Path latest = new dev.descent.train.Checkpoints(runFolder).latest();
        if (latest == null) throw new IOException("no checkpoint in " + runFolder);
        return latest;
    }

    /**
     * Cuts a file to half its length, as a disk that lost the end of a write would leave it.
     *
     * @param file the file
     * @throws IOException when it cannot be rewritten
     */
    public static void truncate(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length / 2));
    }
}
