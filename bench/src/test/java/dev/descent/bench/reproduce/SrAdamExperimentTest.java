// The SR-Adam reproduction in quick mode, end to end, on generated images.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent reproduce sr-adam --quick --data synthetic}: the report says plainly that it used a
 * substitute dataset, has a table per batch size with every optimizer, and five verdicts; the CSVs
 * hold every epoch and every SR-Adam step; the whitened variant's factor is c_min after warm-up and
 * every factor is 1 during it.
 */
class SrAdamExperimentTest {
    @TempDir
    Path dir;

    @Test
    void quickModeWritesTablesVerdictsAndEveryRawNumber() throws Exception {
        Path out = dir.resolve("sr-adam");
        ReproduceRun r = ReproduceRun.of("sr-adam", "--quick", "--data", "synthetic", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = Outputs.quickReport(out);
        assertTrue(md.contains("**Substitute dataset.** This run used synthetic"), md);
        SrAdamExperiment.Config cfg = SrAdamExperiment.Config.toy("synthetic");
        for (int b : cfg.batchSizes()) {
            assertTrue(md.contains("### Batch " + b), md);
            Outputs.pngs(out, "sr-adam-accuracy-batch" + b + ".png", "sr-adam-shrinkage-batch" + b + ".png");
        }
        for (String label : List.of("| Adam | ", "| SR-Adam (conv, paper formula) | ", "| SR-Adam (conv, whitened) | ", "| SR-Adam (all parameters) | ")) {
            assertEquals(cfg.batchSizes().size(), md.lines().filter(l -> l.startsWith(label)).count(), label + " rows in\n" + md);
        }
        assertEquals(5, Outputs.verdictLines(md).size(), md);

        int runs = 4 * cfg.batchSizes().size() * cfg.seeds().size();
        assertEquals(runs * cfg.epochs(), Outputs.csv(out.resolve("sr-adam-epochs.csv"),
                "method,batch_size,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds").size());
        assertEquals(runs, Outputs.csv(out.resolve("sr-adam-runs.csv"),
                "method,batch_size,seed,best_test_accuracy,final_test_accuracy,epochs_completed,diverged").size());
        List<String[]> shrink = Outputs.csv(out.resolve("sr-adam-shrinkage.csv"), "method,batch_size,seed,step,epoch,shrinkage");
        int steps = 0;
        for (int b : cfg.batchSizes()) steps += cfg.epochs() * ((cfg.trainSubset() + b - 1) / b);
        assertEquals(3 * steps * cfg.seeds().size(), shrink.size(), "one row per step of each SR-Adam run");
        for (String[] row : shrink) {
            double c = Double.parseDouble(row[5]);
            if (Long.parseLong(row[3]) <= 5) assertEquals(1.0, c, 0.0, "warm-up: " + String.join(",", row));
            else if (row[0].equals("sr-whitened")) assertEquals(0.1, c, 0.0, "whitened after warm-up: " + String.join(",", row));
            else assertTrue(c >= 0.1 && c <= 1.0, "c in [c_min, c_max]: " + String.join(",", row));
        }
    }
}
