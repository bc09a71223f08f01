// The SR-Adam reproduction from Java: row counts, the shrinkage factor's invariants, verdicts recomputed from the CSV files, --resume.
package dev.descent.bench.reproduce.sradam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.optim.SteinRuleAdam;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SrAdamExperiment} with the quick settings on generated images: every epoch and every SR-Adam
 * step is in the CSV files; the factor c is 1 during the warm-up, c_min = 0.1 afterwards for the
 * whitened variant, and in [c_min, c_max] always; the verdicts from the files, and recomputed here from
 * their raw cells, agree with the outcome; {@code resume} recomputes an interrupted run bit for bit.
 */
class SrAdamTest {
    @TempDir
    Path dir;

    @Test
    void quickRunRecordsEveryEpochAndFactorAndTheFilesJudgeAsTheOutcomeDoes() throws Exception {
        SrAdamConfig cfg = SrAdamConfig.toy("synthetic");
        Path out = dir.resolve("sr-adam");
        SrAdamOutcome o = Reproduction.run(new SrAdamExperiment(), cfg, out, "test", Outputs.QUIET);

        int methods = SrAdamMethod.values().length, runs = methods * cfg.batchSizes().size() * cfg.seeds().size();
        assertEquals(runs, o.runs().size());
        assertEquals(runs * cfg.epochs(), Outputs.csv(out.resolve(SrAdamCsv.EPOCHS),
                "method,batch_size,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds").size());
        List<String[]> summary = Outputs.csv(out.resolve(SrAdamCsv.RUNS), "method,batch_size,seed,best_test_accuracy,final_test_accuracy,epochs_completed,diverged");
        assertEquals(runs, summary.size());
        List<String[]> shrink = Outputs.csv(out.resolve(SrAdamCsv.SHRINKAGE), "method,batch_size,seed,step,epoch,shrinkage");
        int steps = 0;
        for (int b : cfg.batchSizes()) steps += cfg.epochs() * ((cfg.trainSubset() + b - 1) / b);
        assertEquals((methods - 1) * steps * cfg.seeds().size(), shrink.size(), "one row per step of each shrinking run, none for Adam");
        for (String[] row : shrink) {
            double c = Double.parseDouble(row[5]);
            if (Long.parseLong(row[3]) <= 5) assertEquals(1.0, c, 0.0, "warm-up: " + String.join(",", row));
            else if (row[0].equals("sr-whitened")) assertEquals(0.1, c, 0.0, "whitened after warm-up: c_min; " + String.join(",", row));
            else assertTrue(c >= 0.1 && c <= 1.0, "c in [c_min, c_max]: " + String.join(",", row));
        }

        List<SrAdamOutcome.Run> back = SrAdamCsv.readRuns(out, cfg.epochs());
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) assertEquals(o.runs().get(i).shrinkage().size(), back.get(i).shrinkage().size());
        assertEquals(o.verdicts(), SrAdamOutcome.verdicts(cfg, back), "the files judge as the outcome does");
        assertEquals(5, o.verdicts().size());

        // The first claim from the raw cells: mean best accuracy, SR-Adam (paper formula) − Adam ≥ 0.5 points at the large batch.
        double d = meanBest(summary, "sr-paper", cfg.largeBatch()) - meanBest(summary, "adam", cfg.largeBatch());
        assertEquals(Verdict.Outcome.of(d >= 0.5), o.verdicts().get(0).outcome());
        double all = meanBest(summary, "sr-all", cfg.largeBatch()) - meanBest(summary, "adam", cfg.largeBatch());
        assertEquals(Verdict.Outcome.of(all < 0), o.verdicts().get(2).outcome());
        List<String> plots = cfg.batchSizes().stream().flatMap(b -> List.of("sr-adam-accuracy-batch" + b + ".png", "sr-adam-shrinkage-batch" + b + ".png").stream())
                .toList();
        Outputs.reportFiles(out, plots.toArray(String[]::new));
    }

    private static double meanBest(List<String[]> summary, String method, int batch) {
        return Statistics.mean(summary.stream().filter(r -> r[0].equals(method) && Integer.parseInt(r[1]) == batch)
                .mapToDouble(r -> 100 * Double.parseDouble(r[3])).toArray());
    }

    @Test
    void resumeKeepsCompletedRunsAndRecomputesTheInterruptedOneBitForBit() throws Exception {
        SrAdamConfig cfg = small(false);
        Path out = dir.resolve("resume");
        SrAdamOutcome first = Reproduction.run(new SrAdamExperiment(), cfg, out, "test", Outputs.QUIET);
        List<String> epochs = Outputs.withoutSeconds(out.resolve(SrAdamCsv.EPOCHS));
        List<String> shrink = java.nio.file.Files.readAllLines(out.resolve(SrAdamCsv.SHRINKAGE));
        Outputs.dropLastLines(out.resolve(SrAdamCsv.RUNS), 1);
        Outputs.dropLastLines(out.resolve(SrAdamCsv.EPOCHS), 1);
        SrAdamOutcome second = Reproduction.run(new SrAdamExperiment(), small(true), out, "test", Outputs.QUIET);
        assertEquals(SrAdamMethod.values().length - 1, second.resumed());
        assertEquals(epochs, Outputs.withoutSeconds(out.resolve(SrAdamCsv.EPOCHS)), "the recomputed run is bitwise the same");
        assertEquals(shrink, java.nio.file.Files.readAllLines(out.resolve(SrAdamCsv.SHRINKAGE)));
        assertEquals(first.verdicts(), second.verdicts());
    }

    /** One batch size, one seed, 24 images: four short runs. */
    private static SrAdamConfig small(boolean resume) {
        return new SrAdamConfig("synthetic", 24, 24, 0, 0.05, List.of(8), 2, List.of(1L), 1e-3, SteinRuleAdam.Variant.PAPER, true, resume);
    }
}
