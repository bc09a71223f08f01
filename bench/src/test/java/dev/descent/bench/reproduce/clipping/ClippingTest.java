// The clipping reproduction from Java: the exact x⁴ counts, the network CSVs, verdicts recomputed from the files, --resume.
package dev.descent.bench.reproduce.clipping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.XToTheFourth;
import dev.descent.bench.reproduce.clipping.ClippingConfig.Part;
import dev.descent.optim.ClippingFramework.Clip;
import dev.descent.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClippingExperiment} with the quick settings on generated images: the x⁴ counts equal the
 * digest's exactly; the network part writes one row per method, h arm (soft, then hard), seed and epoch
 * with η ÷ 10 after the milestone, and the soft and hard arms differ; the verdicts computed from the CSV files, and recomputed here from their raw cells,
 * agree with the outcome; {@code resume} recomputes an interrupted run bit for bit.
 */
class ClippingTest {
    @TempDir
    Path dir;

    private static ClippingConfig with(ClippingConfig c, Part part, int subset, List<Long> seeds, boolean resume) {
        return new ClippingConfig(part, c.x4Starts(), c.data(), c.model(), subset, subset, c.subsetSeed(), c.batchSize(), c.epochs(), c.milestone(),
                c.weightDecay(), c.clips(), seeds, c.quick(), resume);
    }

    @Test
    void quickRunReproducesTheX4TableAndItsFilesJudgeAsTheOutcomeDoes() throws Exception {
        ClippingConfig toy = ClippingConfig.toy("synthetic", "simplecnn");
        ClippingConfig cfg = with(toy, toy.part(), toy.trainSubset(), List.of(1L, 2L), false); // two seeds: finite paired intervals
        Path out = dir.resolve("clipping");
        ClippingOutcome o = Reproduction.run(new ClippingExperiment(), cfg, out, "test", Outputs.QUIET);

        assertEquals(XToTheFourth.STARTS.length, o.x4().size());
        for (int i = 0; i < XToTheFourth.STARTS.length; i++) {
            ClippingOutcome.X4 r = o.x4().get(i);
            assertEquals(XToTheFourth.DIGEST_CLIPPED[i], r.clipped(), "clipped GD from " + r.x0());
            assertEquals(XToTheFourth.DIGEST_FIXED[i] < 0 ? XToTheFourth.CAP : XToTheFourth.DIGEST_FIXED[i], r.fixed(), "fixed-step GD from " + r.x0());
        }
        assertEquals(o.x4(), ClippingCsv.readX4(out));
        List<String[]> x4 = Outputs.csv(out.resolve(ClippingCsv.X4), "x0,method,lr,gamma,iterations,converged,digest_iterations");
        assertEquals(2 * cfg.x4Starts().size(), x4.size());
        for (String[] row : x4) {
            double x0 = Double.parseDouble(row[0]), lr = Double.parseDouble(row[2]);
            assertEquals(row[1].equals("clipped-gd") ? 1.0 / 120 : 1.9 / (12 * x0 * x0), lr, 1e-15, String.join(",", row));
            assertEquals(Long.parseLong(row[4]) < XToTheFourth.CAP, Boolean.parseBoolean(row[5]), String.join(",", row));
        }
        assertEquals(List.of(Verdict.Outcome.REPRODUCED, Verdict.Outcome.REPRODUCED), o.verdicts().subList(0, 2).stream().map(Verdict::outcome).toList());

        int runsPerSeed = 1 + 3 * cfg.clips().size(); // SGD+momentum, then the three clipping methods per h
        assertEquals(7, runsPerSeed);
        List<String[]> epochs = Outputs.csv(out.resolve(ClippingCsv.EPOCHS),
                "method,clip,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds");
        assertEquals(runsPerSeed * cfg.seeds().size() * cfg.epochs(), epochs.size());
        for (String[] row : epochs) {
            double base = row[0].equals("clipped-momentum") ? 1.5 : 1.0;
            assertEquals(Integer.parseInt(row[3]) <= cfg.milestone() ? base : base / 10, Double.parseDouble(row[8]), 1e-12, "η of " + String.join(",", row));
            assertEquals(row[0].equals("sgd-momentum"), row[1].equals("none"), String.join(",", row));
        }
        assertEquals(runsPerSeed * cfg.seeds().size(), Outputs.csv(out.resolve(ClippingCsv.RUNS),
                "method,clip,seed,final_test_accuracy,best_test_accuracy,epochs_completed,diverged").size());
        // The arms run different optimizers: mixed clipping's training loss in epoch 1 differs between soft and hard h.
        assertTrue(cell(epochs, "mixed", "soft", 1, 1, 4) != cell(epochs, "mixed", "hard", 1, 1, 4), "soft and hard h give different runs");

        List<ClippingOutcome.Run> back = ClippingCsv.readRuns(out, cfg.epochs());
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            assertEquals(o.runs().get(i).method(), back.get(i).method());
            assertEquals(o.runs().get(i).clip(), back.get(i).clip());
            assertEquals(o.runs().get(i).result().history().stream().map(EpochMetrics::trainLoss).toList(),
                    back.get(i).result().history().stream().map(EpochMetrics::trainLoss).toList());
        }
        assertEquals(o.verdicts(), ClippingOutcome.verdicts(cfg, ClippingCsv.readX4(out), back), "the files judge as the outcome does");

        assertEquals(2 + 2 * cfg.clips().size(), o.verdicts().size(), "the x⁴ claims, then claims 1 and 2 per arm");
        for (int k = 0; k < cfg.clips().size(); k++) {
            String h = cfg.clips().get(k).name().toLowerCase(java.util.Locale.ROOT);
            // Claim 1 from the raw cells: the paired interval of ln(mixed's training loss) − ln(SGD+momentum's) at the milestone lies below ln 0.8.
            double[] logRatio = cfg.seeds().stream().mapToDouble(seed -> Math.log(cell(epochs, "mixed", h, seed, cfg.milestone(), 4))
                    - Math.log(cell(epochs, "sgd-momentum", "none", seed, cfg.milestone(), 4))).toArray();
            assertEquals(Verdict.decide(Statistics.tInterval(logRatio, 0.95), Verdict.Direction.BELOW, Math.log(0.8)), o.verdicts().get(2 + 2 * k).outcome());
            // Claim 2: every pair's paired interval of final accuracy lies within ±1 point (reproduced), one lies outside (not), else inconclusive.
            boolean inside = true, outside = false;
            ClippingMethod[] ms = ClippingMethod.values();
            for (int i = 0; i < ms.length; i++) {
                for (int j = i + 1; j < ms.length; j++) {
                    ClippingMethod a = ms[i], b = ms[j];
                    String ha = a == ClippingMethod.SGD_MOMENTUM ? "none" : h, hb = b == ClippingMethod.SGD_MOMENTUM ? "none" : h;
                    Statistics.Interval ci = Statistics.tInterval(cfg.seeds().stream().mapToDouble(seed -> 100 * (cell(epochs, a.key(), ha, seed, cfg.epochs(), 7)
                            - cell(epochs, b.key(), hb, seed, cfg.epochs(), 7))).toArray(), 0.95);
                    inside &= ci.low() > -1 && ci.high() < 1;
                    outside |= ci.low() > 1 || ci.high() < -1;
                }
            }
            assertEquals(inside ? Verdict.Outcome.REPRODUCED : outside ? Verdict.Outcome.NOT_REPRODUCED : Verdict.Outcome.INCONCLUSIVE,
                    o.verdicts().get(3 + 2 * k).outcome());
        }
        Outputs.reportFiles(out, "clipping-x4.png", "clipping-train-loss.png", "clipping-test-accuracy.png");
    }

    private static double cell(List<String[]> epochs, String method, String clip, long seed, int epoch, int column) {
        return epochs.stream().filter(r -> r[0].equals(method) && r[1].equals(clip) && Long.parseLong(r[2]) == seed && Integer.parseInt(r[3]) == epoch)
                .mapToDouble(r -> Double.parseDouble(r[column])).findFirst().orElseThrow();
    }

    /** The network part with the soft h, one seed, 32 images at batch 8: four steps an epoch, three epochs, the decay after the first. */
    private static ClippingConfig midRun(boolean resume) {
        ClippingConfig toy = ClippingConfig.toy("synthetic", "simplecnn");
        return new ClippingConfig(Part.NETWORK, toy.x4Starts(), "synthetic", "simplecnn", 32, 32, 0, 8, 3, 1, toy.weightDecay(), List.of(Clip.SOFT), List.of(1L),
                true, resume).withCheckpointEvery(3);
    }

    @Test
    void aRunInterruptedAfterTheDecayContinuesFromItsCheckpointAndTheFilesEqualAnUninterruptedInvocations() throws Exception {
        Path straight = dir.resolve("straight"), out = dir.resolve("interrupted");
        ClippingOutcome reference = Reproduction.run(new ClippingExperiment(), midRun(false), straight, "test", Outputs.QUIET);
        Outputs.noRunInProgress(straight);
        String mixed = ClippingCsv.key(ClippingMethod.MIXED, Clip.SOFT, 1);
        // Mixed clipping (momentum β = 0.999, the learning rate and γ divided by 10 after epoch 1) killed after step 11; its last
        // checkpoint is at step 9, one batch into epoch 3.
        Outputs.crashAt(mixed::equals, 11, () -> Reproduction.run(new ClippingExperiment(), midRun(false), out, "test", Outputs.QUIET));
        Path run = dev.descent.bench.reproduce.Resumption.runFolder(out, mixed);
        assertEquals("ckpt-0002-000001", Outputs.latestCheckpoint(run).getFileName().toString());
        java.util.Map<String, Long> first = new java.util.HashMap<>();
        ClippingOutcome resumed = Outputs.recordingFirstSteps(first, () -> Reproduction.run(new ClippingExperiment(), midRun(true), out, "test", Outputs.QUIET));
        assertEquals(3, resumed.resumed(), "the three runs before it are read back");
        assertEquals(java.util.Map.of(mixed, 10L), first, "only the interrupted run trains, from the step after its checkpoint");
        Outputs.sameRows(straight, out, List.of(ClippingCsv.RUNS), List.of(ClippingCsv.EPOCHS));
        assertEquals(reference.verdicts(), resumed.verdicts());
        Outputs.noRunInProgress(out);

        // A checkpoint whose state.json was cut short is refused, naming the file.
        Path again = dir.resolve("corrupt");
        Outputs.crashAt(mixed::equals, 11, () -> Reproduction.run(new ClippingExperiment(), midRun(false), again, "test", Outputs.QUIET));
        Path state = Outputs.latestCheckpoint(dev.descent.bench.reproduce.Resumption.runFolder(again, mixed)).resolve("state.json");
        java.nio.file.Files.writeString(state, "{\"epoch\": 2, \"batch\"");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Reproduction.run(new ClippingExperiment(), midRun(true), again, "test",
                Outputs.QUIET));
        assertTrue(e.getMessage().contains(state.toString()) && e.getMessage().startsWith("--resume: the checkpoint of run " + mixed), e.getMessage());
    }

    @Test
    void resumeKeepsCompletedRunsAndRecomputesTheInterruptedOneBitForBit() throws Exception {
        ClippingConfig cfg = with(ClippingConfig.toy("synthetic", "simplecnn"), Part.NETWORK, 32, List.of(1L), false);
        Path out = dir.resolve("resume");
        ClippingOutcome first = Reproduction.run(new ClippingExperiment(), cfg, out, "test", Outputs.QUIET);
        List<String> epochs = Outputs.withoutSeconds(out.resolve(ClippingCsv.EPOCHS));
        // An interruption during the last run: its rows are missing.
        Outputs.dropLastLines(out.resolve(ClippingCsv.RUNS), 1);
        Outputs.dropLastLines(out.resolve(ClippingCsv.EPOCHS), 2);
        ClippingConfig resume = with(cfg, Part.NETWORK, 32, List.of(1L), true);
        ClippingOutcome second = Reproduction.run(new ClippingExperiment(), resume, out, "test", Outputs.QUIET);
        assertEquals(6, second.resumed());
        assertEquals(epochs, Outputs.withoutSeconds(out.resolve(ClippingCsv.EPOCHS)), "the recomputed run is bitwise the same");
        assertEquals(first.verdicts(), second.verdicts());

        ClippingConfig other = with(cfg, Part.NETWORK, 32, List.of(7L), true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reproduction.run(new ClippingExperiment(), other, out, "test", Outputs.QUIET));
        assertTrue(e.getMessage().contains("holds runs with other settings"), e.getMessage());
    }

    @Test
    void theX4PartAloneWritesOnlyItsTableAndJudgesOnlyItsClaims() throws Exception {
        ClippingConfig full = ClippingConfig.full("synthetic", "simplecnn");
        ClippingConfig cfg = new ClippingConfig(Part.X4, List.of(3.0, 10.0), full.data(), full.model(), full.trainSubset(), full.testSubset(),
                full.subsetSeed(), full.batchSize(), full.epochs(), full.milestone(), full.weightDecay(), full.clips(), full.seeds(), false, false);
        Path out = dir.resolve("x4");
        ClippingOutcome o = Reproduction.run(new ClippingExperiment(), cfg, out, "test", Outputs.QUIET);
        assertEquals(List.of(3821L, 4031L), o.x4().stream().map(ClippingOutcome.X4::clipped).toList());
        assertEquals(List.of(1782L, 19883L), o.x4().stream().map(ClippingOutcome.X4::fixed).toList());
        assertEquals(2, o.verdicts().size());
        assertTrue(o.runs().isEmpty());
        assertFalse(Files.exists(out.resolve(ClippingCsv.EPOCHS)));
        Outputs.reportFiles(out, "clipping-x4.png");
    }

    @Test
    void settingsNameTheBadValue() {
        ClippingConfig d = ClippingConfig.toy("synthetic", "simplecnn");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClippingConfig(d.part(), d.x4Starts(), d.data(), d.model(),
                d.trainSubset(), d.testSubset(), d.subsetSeed(), d.batchSize(), 2, 5, d.weightDecay(), d.clips(), d.seeds(), true, false));
        assertTrue(e.getMessage().contains("--milestone") && e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void aBaselineByNameIsAPairedArmWithRowsAReportRowAndResume() throws Exception {
        ClippingConfig toy = ClippingConfig.toy("synthetic", "simplecnn");
        List<dev.descent.bench.reproduce.Baseline> added = dev.descent.bench.reproduce.Baseline.parseAll(List.of("lion"));
        ClippingConfig cfg = new ClippingConfig(Part.NETWORK, toy.x4Starts(), toy.data(), toy.model(), 32, 32, toy.subsetSeed(), toy.batchSize(), toy.epochs(),
                toy.milestone(), toy.weightDecay(), List.of(dev.descent.optim.ClippingFramework.Clip.SOFT), List.of(1L), true, false).withBaselines(added);
        Path out = dir.resolve("baseline");
        ClippingOutcome first = Reproduction.run(new ClippingExperiment(), cfg, out, "test", Outputs.QUIET);
        assertEquals(5, first.runs().size(), "SGD+momentum, three clipping methods, lion");
        List<String> runs = java.nio.file.Files.readAllLines(out.resolve(ClippingCsv.RUNS));
        assertEquals(1, runs.stream().filter(l -> l.startsWith("baseline-lion,")).count(), String.join("\n", runs));
        assertEquals(cfg.epochs(), java.nio.file.Files.readAllLines(out.resolve(ClippingCsv.EPOCHS)).stream().filter(l -> l.startsWith("baseline-lion,")).count());
        String report = java.nio.file.Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| lion (baseline) |"), report);
        // Lion at its own default lr (1e-4, as descent train) with the experiment's weight decay.
        dev.descent.optim.Optimizer lion = new ClippingArm.BaselineArm(added.getFirst()).optimizer(
                dev.descent.nn.Models.simpleCnn(1, 28, 10, new java.util.SplittableRandom(1)), cfg, null);
        assertTrue(lion instanceof dev.descent.optim.Lion, lion.getClass().getName());
        assertEquals(1e-4, lion.groups().getFirst().get("lr"), 0.0);
        assertEquals(cfg.weightDecay(), lion.groups().getFirst().get("weight_decay"), 0.0);

        List<String> epochs = Outputs.withoutSeconds(out.resolve(ClippingCsv.EPOCHS));
        Outputs.dropLastLines(out.resolve(ClippingCsv.RUNS), 1);
        Outputs.dropLastLines(out.resolve(ClippingCsv.EPOCHS), cfg.epochs());
        ClippingConfig resume = new ClippingConfig(Part.NETWORK, toy.x4Starts(), toy.data(), toy.model(), 32, 32, toy.subsetSeed(), toy.batchSize(), toy.epochs(),
                toy.milestone(), toy.weightDecay(), List.of(dev.descent.optim.ClippingFramework.Clip.SOFT), List.of(1L), true, true).withBaselines(added);
        ClippingOutcome second = Reproduction.run(new ClippingExperiment(), resume, out, "test", Outputs.QUIET);
        assertEquals(4, second.resumed(), "all but the lion run read back");
        assertEquals(epochs, Outputs.withoutSeconds(out.resolve(ClippingCsv.EPOCHS)), "the recomputed lion run is bitwise the same");
        assertTrue(java.nio.file.Files.readString(out.resolve("report.md")).contains("| lion (baseline) |"));
    }
}
