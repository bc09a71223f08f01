// The clipping reproduction in quick mode, end to end: the exact x⁴ table and the network runs.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent reproduce clipping --quick --data synthetic}: the x⁴ table equals the paper's exactly
 * (quick mode runs it in full: it takes about a second); the network part writes one CSV row per
 * method, seed and epoch, its learning rate drops tenfold after the milestone, and the report carries
 * both tables and four verdicts.
 */
class ClippingExperimentTest {
    @TempDir
    Path dir;

    @Test
    void quickModeReproducesTheX4TableAndRunsTheNetworkPart() throws Exception {
        Path out = dir.resolve("clipping");
        ReproduceRun r = ReproduceRun.of("clipping", "--quick", "--data", "synthetic", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = Outputs.quickReport(out);
        assertTrue(md.contains("| 3 | 3821 | 3821 | 1782 | 1782 |"), md);
        assertTrue(md.contains("| 100 | 6731 | 6731 | > 10⁶ | > 10⁶ |"), md);
        assertTrue(md.contains("| method | train loss before decay (ours) | (paper) |"), md);
        assertTrue(md.contains("**Substitute dataset.**"), md);
        List<String> verdicts = Outputs.verdictLines(md);
        assertEquals(4, verdicts.size(), verdicts.toString());
        assertTrue(verdicts.get(0).startsWith("- **Reproduced** — The x⁴ table"), verdicts.get(0));
        assertTrue(verdicts.get(1).startsWith("- **Reproduced** — Clipped GD's iterations grow at most linearly"), verdicts.get(1));
        Outputs.pngs(out, "clipping-x4.png", "clipping-train-loss.png", "clipping-test-accuracy.png");

        assertEquals(8, Outputs.csv(out.resolve("clipping-x4.csv"), "x0,method,lr,gamma,iterations,converged,paper_iterations").size());
        List<String[]> epochs = Outputs.csv(out.resolve("clipping-epochs.csv"),
                "method,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds");
        assertEquals(4 * 1 * 2, epochs.size());
        for (String[] row : epochs) {
            double lr = Double.parseDouble(row[7]), base = switch (row[0]) {
                case "clipped-momentum" -> 1.5;
                default -> 1.0;
            };
            assertEquals(row[2].equals("1") ? base : base / 10, lr, 1e-12, "η of " + String.join(",", row));
        }
        assertEquals(4, Outputs.csv(out.resolve("clipping-runs.csv"), "method,seed,final_test_accuracy,best_test_accuracy,epochs_completed,diverged").size());
    }

    @Test
    void resumeKeepsCompletedRunsAndRecomputesTheInterruptedOneBitForBit() throws Exception {
        Path out = dir.resolve("resume");
        String[] args = {"clipping", "--quick", "--part", "network", "--data", "synthetic", "--train-subset", "32", "--test-subset", "32",
            "--out", out.toString()};
        assertEquals(0, ReproduceRun.of(args).code());
        List<String> epochs = Files.readAllLines(out.resolve("clipping-epochs.csv")), runs = Files.readAllLines(out.resolve("clipping-runs.csv"));
        // An interruption during the last run: its rows are missing.
        Files.write(out.resolve("clipping-runs.csv"), runs.subList(0, runs.size() - 1));
        Files.write(out.resolve("clipping-epochs.csv"), epochs.subList(0, epochs.size() - 2));
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        ReproduceRun r = ReproduceRun.of(resume);
        assertEquals(0, r.code(), r.all());
        assertEquals(3, r.out().split("read back from the earlier invocation", -1).length - 1, r.out());
        assertEquals(withoutSeconds(epochs), withoutSeconds(Files.readAllLines(out.resolve("clipping-epochs.csv"))), "the recomputed run is bitwise the same");
        assertTrue(Files.readString(out.resolve("report.md")).contains("3 of the 4 runs were completed by earlier invocations with the same settings"));

        String[] other = java.util.Arrays.copyOf(resume, resume.length + 2);
        other[resume.length] = "--seeds";
        other[resume.length + 1] = "7";
        ReproduceRun refused = ReproduceRun.of(other);
        assertEquals(2, refused.code(), refused.all());
        assertTrue(refused.err().contains("holds runs with other settings"), refused.err());
    }

    /** The CSV lines without their last column (wall seconds, which differ between runs). */
    private static List<String> withoutSeconds(List<String> lines) {
        return lines.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void theX4PartAloneWritesOnlyItsTable() throws Exception {
        Path out = dir.resolve("x4");
        ReproduceRun r = ReproduceRun.of("clipping", "--part", "x4", "--x4-starts", "3,10", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = java.nio.file.Files.readString(out.resolve("report.md"));
        assertTrue(!md.contains(Report.QUICK_NOTICE) && md.contains("### Part 1: the x⁴ table") && !md.contains("Part 2"), md);
        assertEquals(2, Outputs.verdictLines(md).size());
        assertTrue(!java.nio.file.Files.exists(out.resolve("clipping-epochs.csv")));
    }
}
