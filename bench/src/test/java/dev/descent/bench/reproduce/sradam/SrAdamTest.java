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

        // Cells: batch 16 and 8 at noise 0.05, batch 16 at noise 0.1. Every optimizer at (16, 0.05); the controls also at (8, 0.05);
        // all-parameter SR-Adam and the SGD baselines also at (16, 0.1); Adam and both SR-Adam variants everywhere.
        assertEquals(List.of(new SrAdamConfig.Cell(16, 0.05), new SrAdamConfig.Cell(8, 0.05), new SrAdamConfig.Cell(16, 0.1)), cfg.cells());
        assertEquals(List.of(SrAdamMethod.values()), cfg.methodsIn(cfg.cells().get(0)));
        assertEquals(List.of(SrAdamMethod.ADAM, SrAdamMethod.SR_PAPER, SrAdamMethod.SR_WHITENED, SrAdamMethod.SR_RAW, SrAdamMethod.ADAM_CONV_099),
                cfg.methodsIn(cfg.cells().get(1)));
        assertEquals(List.of(SrAdamMethod.ADAM, SrAdamMethod.SR_PAPER, SrAdamMethod.SR_WHITENED, SrAdamMethod.SR_ALL, SrAdamMethod.MOMENTUM, SrAdamMethod.SGD),
                cfg.methodsIn(cfg.cells().get(2)));
        int runs = (8 + 5 + 6) * cfg.seeds().size();
        assertEquals(runs, o.runs().size());
        assertEquals(runs * cfg.epochs(), Outputs.csv(out.resolve(SrAdamCsv.EPOCHS),
                "method,batch_size,input_noise,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds").size());
        List<String[]> summary = Outputs.csv(out.resolve(SrAdamCsv.RUNS),
                "method,batch_size,input_noise,seed,best_test_accuracy,final_test_accuracy,epochs_completed,diverged");
        assertEquals(runs, summary.size());
        for (String[] row : summary) assertTrue(row[7].isEmpty() && Integer.parseInt(row[6]) == cfg.epochs(), "every arm ran: " + String.join(",", row));
        List<String[]> shrink = Outputs.csv(out.resolve(SrAdamCsv.SHRINKAGE), "method,batch_size,input_noise,seed,step,epoch,shrinkage");
        int steps = 0;
        for (SrAdamConfig.Cell c : cfg.cells()) {
            int shrinking = (int) cfg.methodsIn(c).stream().filter(SrAdamMethod::shrinks).count(); // paper, whitened, all parameters, raw moments
            steps += shrinking * cfg.epochs() * ((cfg.trainSubset() + c.batch() - 1) / c.batch());
        }
        assertEquals(steps * cfg.seeds().size(), shrink.size(), "one row per step of each shrinking run, none for the others");
        boolean rawInside = false;
        for (String[] row : shrink) {
            double c = Double.parseDouble(row[6]);
            if (row[0].equals("sr-raw") && Long.parseLong(row[4]) > 5) rawInside |= c > 0.1 && c < 1;
            if (Long.parseLong(row[4]) <= 5) assertEquals(1.0, c, 0.0, "warm-up: " + String.join(",", row));
            else if (row[0].equals("sr-whitened")) assertEquals(0.1, c, 0.0, "whitened after warm-up: c_min; " + String.join(",", row));
            else assertTrue(c >= 0.1 && c <= 1.0, "c in [c_min, c_max]: " + String.join(",", row));
        }
        assertTrue(rawInside, "the raw-moment control's factor adapts: some step strictly inside (c_min, 1)");

        List<SrAdamOutcome.Run> back = SrAdamCsv.readRuns(out, cfg.epochs());
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) assertEquals(o.runs().get(i).shrinkage().size(), back.get(i).shrinkage().size());
        assertEquals(o.verdicts(), SrAdamOutcome.verdicts(cfg, back), "the files judge as the outcome does");
        // Per noise level at batch 16, whitened and paper formula (4); all parameters (1); at batch 8 both (2); no batch above 16.
        assertEquals(7, o.verdicts().size());

        // Claims from the raw cells: the paired 95 % t-interval of SR-Adam (whitened, then paper formula) − Adam, best accuracy per seed,
        // against the margin at the main batch and noise; SR-Adam on all parameters − Adam against 0.
        Statistics.Interval w = Statistics.tInterval(differences(summary, "sr-whitened", "adam", 16, 0.05), 0.95);
        assertEquals(Verdict.decide(w, Verdict.Direction.ABOVE, cfg.margin()), o.verdicts().get(0).outcome());
        Statistics.Interval d = Statistics.tInterval(differences(summary, "sr-paper", "adam", 16, 0.1), 0.95);
        assertEquals(Verdict.decide(d, Verdict.Direction.ABOVE, cfg.margin()), o.verdicts().get(3).outcome());
        Statistics.Interval all = Statistics.tInterval(differences(summary, "sr-all", "adam", 16, 0.05), 0.95);
        assertEquals(Verdict.decide(all, Verdict.Direction.BELOW, 0), o.verdicts().get(4).outcome());
        assertTrue(o.verdicts().get(0).evidence().contains("n = " + cfg.seeds().size()), o.verdicts().get(0).evidence());
        List<String> plots = cfg.cells().stream().flatMap(c -> List.of(SrAdamReport.plotName("accuracy", c), SrAdamReport.plotName("shrinkage", c)).stream())
                .toList();
        Outputs.reportFiles(out, plots.toArray(String[]::new));
    }

    /** Best accuracy (points) of {@code a} − of {@code b}, seed by seed (column 3 is the seed). */
    private static double[] differences(List<String[]> summary, String a, String b, int batch, double noise) {
        return summary.stream().filter(r -> r[0].equals(a) && in(r, batch, noise)).mapToDouble(r -> 100 * Double.parseDouble(r[4])
                - 100 * summary.stream().filter(q -> q[0].equals(b) && in(q, batch, noise) && q[3].equals(r[3])).mapToDouble(q -> Double.parseDouble(q[4]))
                        .findFirst().orElseThrow()).toArray();
    }

    private static boolean in(String[] row, int batch, double noise) {
        return Integer.parseInt(row[1]) == batch && Double.parseDouble(row[2]) == noise;
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

    @Test
    void baselinesByNameAddPairedArmsWithRowsReportRowsAndResume() throws Exception {
        List<dev.descent.bench.reproduce.Baseline> added = dev.descent.bench.reproduce.Baseline.parseAll(List.of("lion", "sgd:0.05"));
        SrAdamConfig cfg = new SrAdamConfig("synthetic", 16, 16, 0, List.of(0.05), List.of(8), 2, List.of(SrAdamMethod.ADAM), List.of(1L, 2L), 1e-3,
                SteinRuleAdam.Variant.PAPER, 0.5, true, false).withBaselines(added);
        Path out = dir.resolve("baselines");
        SrAdamOutcome first = Reproduction.run(new SrAdamExperiment(), cfg, out, "test", Outputs.QUIET);
        assertEquals(6, first.runs().size(), "adam, lion, sgd × 2 seeds");
        List<String> runs = java.nio.file.Files.readAllLines(out.resolve(SrAdamCsv.RUNS));
        for (String key : List.of("baseline-lion", "baseline-sgd")) {
            for (long seed : cfg.seeds()) {
                assertEquals(1, runs.stream().filter(l -> l.startsWith(key + ",8,0.05," + seed + ",")).count(), key + " seed " + seed + " in\n" + runs);
            }
            assertEquals(2 * cfg.epochs(), java.nio.file.Files.readAllLines(out.resolve(SrAdamCsv.EPOCHS)).stream().filter(l -> l.startsWith(key + ",")).count());
        }
        String report = java.nio.file.Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| lion (baseline) |"), report);
        assertTrue(report.contains("| sgd (baseline) |"), report);
        assertTrue(report.contains("lr 0.05 (given)") && report.contains("lr 0.001 (the experiment's)"), report);
        // The baseline's optimizer is the one descent train builds, at the experiment's lr: Lion with lr 1e-3.
        dev.descent.optim.Optimizer lion = new SrAdamArm.BaselineArm(added.get(0)).optimizer(
                dev.descent.nn.Models.simpleCnn(1, 28, 10, new java.util.SplittableRandom(1)), cfg);
        assertTrue(lion instanceof dev.descent.optim.Lion, lion.getClass().getName());
        assertEquals(1e-3, lion.groups().getFirst().get("lr"), 0.0);

        List<String> epochs = Outputs.withoutSeconds(out.resolve(SrAdamCsv.EPOCHS));
        Outputs.dropLastLines(out.resolve(SrAdamCsv.RUNS), 1);
        Outputs.dropLastLines(out.resolve(SrAdamCsv.EPOCHS), 1);
        SrAdamConfig again = new SrAdamConfig("synthetic", 16, 16, 0, List.of(0.05), List.of(8), 2, List.of(SrAdamMethod.ADAM), List.of(1L, 2L), 1e-3,
                SteinRuleAdam.Variant.PAPER, 0.5, true, true).withBaselines(added);
        SrAdamOutcome second = Reproduction.run(new SrAdamExperiment(), again, out, "test", Outputs.QUIET);
        assertEquals(5, second.resumed(), "every run but the last (seed 2's sgd baseline) read back");
        assertEquals(epochs, Outputs.withoutSeconds(out.resolve(SrAdamCsv.EPOCHS)), "the recomputed baseline run is bitwise the same");
        assertEquals(first.runs().stream().map(r -> r.method().key()).toList(), second.runs().stream().map(r -> r.method().key()).toList());
        assertTrue(java.nio.file.Files.readString(out.resolve("report.md")).contains("| lion (baseline) |"));
    }

    /** One batch size and noise, two seeds (a paired interval needs two), 16 images: sixteen short runs. */
    private static SrAdamConfig small(boolean resume) {
        return new SrAdamConfig("synthetic", 16, 16, 0, List.of(0.05), List.of(8), 2, List.of(SrAdamMethod.values()), List.of(1L, 2L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, resume);
    }
}
