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

        // The first claim from the raw cells: the paired 95 % t-interval of SR-Adam (paper formula) − Adam, best accuracy per seed, lies
        // above the margin at the large batch; the third: SR-Adam on all parameters − Adam lies below 0.
        Statistics.Interval d = Statistics.tInterval(differences(summary, "sr-paper", "adam", cfg.largeBatch()), 0.95);
        assertEquals(Verdict.decide(d, Verdict.Direction.ABOVE, cfg.margin()), o.verdicts().get(0).outcome());
        Statistics.Interval all = Statistics.tInterval(differences(summary, "sr-all", "adam", cfg.largeBatch()), 0.95);
        assertEquals(Verdict.decide(all, Verdict.Direction.BELOW, 0), o.verdicts().get(2).outcome());
        assertTrue(o.verdicts().get(0).evidence().contains("n = " + cfg.seeds().size()), o.verdicts().get(0).evidence());
        List<String> plots = cfg.batchSizes().stream().flatMap(b -> List.of("sr-adam-accuracy-batch" + b + ".png", "sr-adam-shrinkage-batch" + b + ".png").stream())
                .toList();
        Outputs.reportFiles(out, plots.toArray(String[]::new));
    }

    /** Best accuracy (points) of {@code a} − of {@code b}, seed by seed (column 2 is the seed). */
    private static double[] differences(List<String[]> summary, String a, String b, int batch) {
        return summary.stream().filter(r -> r[0].equals(a) && Integer.parseInt(r[1]) == batch).mapToDouble(r -> 100 * Double.parseDouble(r[3])
                - 100 * summary.stream().filter(q -> q[0].equals(b) && Integer.parseInt(q[1]) == batch && q[2].equals(r[2])).mapToDouble(q -> Double.parseDouble(q[3]))
                        .findFirst().orElseThrow()).toArray();
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
        assertEquals(SrAdamMethod.values().length * cfg.seeds().size() - 1, second.resumed());
        assertEquals(epochs, Outputs.withoutSeconds(out.resolve(SrAdamCsv.EPOCHS)), "the recomputed run is bitwise the same");
        assertEquals(shrink, java.nio.file.Files.readAllLines(out.resolve(SrAdamCsv.SHRINKAGE)));
        assertEquals(first.verdicts(), second.verdicts());
    }

    /** One batch size, two seeds (a paired interval needs two), 24 images: eight short runs. */
    private static SrAdamConfig small(boolean resume) {
        return new SrAdamConfig("synthetic", 24, 24, 0, 0.05, List.of(8), 2, List.of(1L, 2L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, resume);
    }
}
