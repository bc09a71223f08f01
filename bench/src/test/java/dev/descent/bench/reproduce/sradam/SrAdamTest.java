// The SR-Adam reproduction from Java: row counts, the shrinkage factor's invariants, verdicts recomputed from the CSV files, --resume.
package dev.descent.bench.reproduce.sradam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Resumption;
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
    void aGridSplitIntoOneInvocationPerCellGathersIntoTheUnsplitRunsBitForBit() throws Exception {
        SrAdamConfig whole = SrAdamConfig.toy("synthetic");
        Path reference = dir.resolve("whole");
        SrAdamOutcome ref = Reproduction.run(new SrAdamExperiment(), whole, reference, "test", Outputs.QUIET);

        // One invocation per cell, each its cell's only batch and noise and so its "main" one: the methods are given as the whole grid has them.
        List<Path> parts = new java.util.ArrayList<>();
        for (SrAdamConfig.Cell c : whole.cells()) {
            SrAdamConfig one = new SrAdamConfig("synthetic", whole.trainSubset(), whole.testSubset(), 0, List.of(c.noise()), List.of(c.batch()), whole.epochs(),
                    whole.methodsIn(c), whole.seeds(), whole.lr(), whole.allVariant(), whole.margin(), true, false);
            Path part = dir.resolve("cell-" + c.batch() + "-" + c.noise());
            Reproduction.run(new SrAdamExperiment(), one, part, "test", Outputs.QUIET);
            parts.add(part);
        }
        Path gathered = dir.resolve("gathered");
        SrAdamConfig resumed = new SrAdamConfig("synthetic", whole.trainSubset(), whole.testSubset(), 0, whole.inputNoises(), whole.batchSizes(), whole.epochs(),
                whole.methods(), whole.seeds(), whole.lr(), whole.allVariant(), whole.margin(), true, true).withRunsFrom(parts);
        SrAdamOutcome all = Reproduction.run(new SrAdamExperiment(), resumed, gathered, "test", Outputs.QUIET);
        assertEquals(ref.runs().size(), all.resumed(), "every run read back from the cells' folders, none run again");
        assertEquals(Outputs.withoutSeconds(reference.resolve(SrAdamCsv.EPOCHS)), Outputs.withoutSeconds(gathered.resolve(SrAdamCsv.EPOCHS)));
        assertEquals(java.nio.file.Files.readAllLines(reference.resolve(SrAdamCsv.SHRINKAGE)), java.nio.file.Files.readAllLines(gathered.resolve(SrAdamCsv.SHRINKAGE)));
        assertEquals(java.nio.file.Files.readAllLines(reference.resolve(SrAdamCsv.RUNS)), java.nio.file.Files.readAllLines(gathered.resolve(SrAdamCsv.RUNS)));
        assertEquals(ref.verdicts(), all.verdicts());

        // A folder whose runs were computed otherwise (3 epochs) is refused, naming it; so is --runs-from without --resume.
        Path other = dir.resolve("three-epochs");
        Reproduction.run(new SrAdamExperiment(), new SrAdamConfig("synthetic", 16, 16, 0, List.of(0.05), List.of(16), 3, List.of(SrAdamMethod.ADAM), List.of(1L),
                1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, false), other, "test", Outputs.QUIET);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reproduction.run(new SrAdamExperiment(),
                resumed.withRunsFrom(List.of(other)), dir.resolve("refused"), "test", Outputs.QUIET));
        assertTrue(e.getMessage().startsWith("--runs-from " + other + ": its runs were computed with other settings") && e.getMessage().contains("epochs 3"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> whole.withRunsFrom(parts));
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

    /** Adam and SR-Adam (paper formula), two seeds, 32 images at batch 8: four steps an epoch, eight a run, a checkpoint every third step. */
    private static SrAdamConfig midRun(boolean resume) {
        return new SrAdamConfig("synthetic", 32, 16, 0, List.of(0.05), List.of(8), 2, List.of(SrAdamMethod.ADAM, SrAdamMethod.SR_PAPER), List.of(1L, 2L), 1e-3,
                SteinRuleAdam.Variant.PAPER, 0.5, true, resume).withCheckpointEvery(3);
    }

    /** Seed 1's SR-Adam run, the second of four. */
    private static boolean seedOneSrAdam(String run) {
        return run.startsWith(SrAdamMethod.SR_PAPER.key() + " ") && run.endsWith(" s1");
    }

    @Test
    void aRunInterruptedMidEpochContinuesFromItsCheckpointAndTheFilesEqualAnUninterruptedInvocations() throws Exception {
        Path straight = dir.resolve("straight"), out = dir.resolve("interrupted");
        SrAdamOutcome reference = Reproduction.run(new SrAdamExperiment(), midRun(false), straight, "test", Outputs.QUIET);
        Outputs.noRunInProgress(straight);
        assertEquals(2 * 8, Outputs.csv(straight.resolve(SrAdamCsv.SHRINKAGE), "method,batch_size,input_noise,seed,step,epoch,shrinkage").size(),
                "eight steps per shrinking run");

        // Killed after step 7 of seed 1's SR-Adam run: its last checkpoint is at step 6, two batches into epoch 2.
        Outputs.crashAt(SrAdamTest::seedOneSrAdam, 7, () -> Reproduction.run(new SrAdamExperiment(), midRun(false), out, "test", Outputs.QUIET));
        Path run = Resumption.runFolder(out, SrAdamCsv.key(SrAdamMethod.SR_PAPER, 8, 0.05, 1));
        assertEquals("ckpt-0001-000002", Outputs.latestCheckpoint(run).getFileName().toString());
        try (var s = java.nio.file.Files.list(out.resolve(Resumption.IN_PROGRESS))) {
            assertEquals(List.of(run), s.toList(), "only the interrupted run has a checkpoint: the completed one deleted its own");
        }
        java.util.Map<String, Long> first = new java.util.HashMap<>();
        SrAdamOutcome resumed = Outputs.recordingFirstSteps(first, () -> Reproduction.run(new SrAdamExperiment(), midRun(true), out, "test", Outputs.QUIET));
        assertEquals(1, resumed.resumed(), "seed 1's Adam run is read back");
        assertEquals(7L, first.get(first.keySet().stream().filter(SrAdamTest::seedOneSrAdam).findFirst().orElseThrow()),
                "the interrupted run continues after its checkpoint's step, not from the start");
        assertEquals(3, first.size(), "the read-back run takes no step");
        Outputs.sameRows(straight, out, List.of(SrAdamCsv.RUNS, SrAdamCsv.SHRINKAGE), List.of(SrAdamCsv.EPOCHS));
        assertEquals(reference.verdicts(), resumed.verdicts());
        Outputs.noRunInProgress(out);
    }

    @Test
    void aCorruptCheckpointIsRefusedNamingTheFile() throws Exception {
        for (String file : List.of("model.safetensors", "optimizer.safetensors", SrAdamRun.ShrinkageProbe.FILE)) {
            Path out = dir.resolve("corrupt-" + file);
            Outputs.crashAt(SrAdamTest::seedOneSrAdam, 5, () -> Reproduction.run(new SrAdamExperiment(), midRun(false), out, "test", Outputs.QUIET));
            Path run = Resumption.runFolder(out, SrAdamCsv.key(SrAdamMethod.SR_PAPER, 8, 0.05, 1));
            Outputs.truncate(Outputs.latestCheckpoint(run).resolve(file));
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> Reproduction.run(new SrAdamExperiment(), midRun(true), out, "test",
                    Outputs.QUIET));
            assertTrue(e.getMessage().contains(file) && e.getMessage().startsWith("--resume: the checkpoint of run " + SrAdamMethod.SR_PAPER.key())
                    && e.getMessage().contains("delete " + run), e.getMessage());
        }
        // LATEST naming a checkpoint that is not there (a folder deleted by hand).
        Path out = dir.resolve("corrupt-latest");
        Outputs.crashAt(SrAdamTest::seedOneSrAdam, 5, () -> Reproduction.run(new SrAdamExperiment(), midRun(false), out, "test", Outputs.QUIET));
        Path run = Resumption.runFolder(out, SrAdamCsv.key(SrAdamMethod.SR_PAPER, 8, 0.05, 1));
        java.nio.file.Files.writeString(run.resolve("checkpoints").resolve("LATEST"), "ckpt-0009-000009\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Reproduction.run(new SrAdamExperiment(), midRun(true), out, "test", Outputs.QUIET));
        assertTrue(e.getMessage().contains("LATEST") && e.getMessage().contains("ckpt-0009-000009"), e.getMessage());
    }

    @Test
    void aRunInProgressOfOtherSettingsIsRefusedAndAFreshInvocationDiscardsIt() throws Exception {
        Path out = dir.resolve("other");
        // Interrupted during the very first run: no runs file yet, only the run in progress and settings.txt.
        Outputs.crashAt(r -> r.startsWith(SrAdamMethod.ADAM.key() + " "), 4, () -> Reproduction.run(new SrAdamExperiment(), midRun(false), out, "test",
                Outputs.QUIET));
        assertTrue(!java.nio.file.Files.exists(out.resolve(SrAdamCsv.RUNS)) && java.nio.file.Files.isDirectory(out.resolve(Resumption.IN_PROGRESS)));
        SrAdamConfig other = new SrAdamConfig("synthetic", 32, 16, 0, List.of(0.05), List.of(8), 3, List.of(SrAdamMethod.ADAM, SrAdamMethod.SR_PAPER),
                List.of(1L, 2L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, true).withCheckpointEvery(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reproduction.run(new SrAdamExperiment(), other, out, "test",
                Outputs.QUIET));
        assertTrue(e.getMessage().contains("holds runs with other settings"), e.getMessage());
        java.util.Map<String, Long> first = new java.util.HashMap<>();
        Outputs.recordingFirstSteps(first, () -> Reproduction.run(new SrAdamExperiment(), midRun(false), out, "test", Outputs.QUIET));
        assertEquals(java.util.Set.of(1L), new java.util.HashSet<>(first.values()), "without --resume every run starts at step 1");
        Outputs.noRunInProgress(out);
    }

    /** One batch size and noise, two seeds (a paired interval needs two), 16 images: sixteen short runs. */
    private static SrAdamConfig small(boolean resume) {
        return new SrAdamConfig("synthetic", 16, 16, 0, List.of(0.05), List.of(8), 2, List.of(SrAdamMethod.values()), List.of(1L, 2L), 1e-3, SteinRuleAdam.Variant.PAPER, 0.5, true, resume);
    }
}
