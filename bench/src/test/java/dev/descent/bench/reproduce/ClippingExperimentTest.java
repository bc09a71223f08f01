// The clipping reproduction in quick mode, end to end: the exact x⁴ table and the network runs.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        CommandRun r = CommandRun.of("reproduce", "clipping", "--quick", "--data", "synthetic", "--out", out.toString());
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
    void theX4PartAloneWritesOnlyItsTable() throws Exception {
        Path out = dir.resolve("x4");
        CommandRun r = CommandRun.of("reproduce", "clipping", "--part", "x4", "--x4-starts", "3,10", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = java.nio.file.Files.readString(out.resolve("report.md"));
        assertTrue(!md.contains(Report.QUICK_NOTICE) && md.contains("### Part 1: the x⁴ table") && !md.contains("Part 2"), md);
        assertEquals(2, Outputs.verdictLines(md).size());
        assertTrue(!java.nio.file.Files.exists(out.resolve("clipping-epochs.csv")));
    }
}
