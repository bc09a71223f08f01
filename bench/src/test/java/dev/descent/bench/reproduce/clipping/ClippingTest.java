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
import dev.descent.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClippingExperiment} with the quick settings on generated images: the x⁴ counts equal the
 * paper's exactly; the network part writes one row per method, seed and epoch with η ÷ 10 after the
 * milestone; the verdicts computed from the CSV files, and recomputed here from their raw cells,
 * agree with the outcome; {@code resume} recomputes an interrupted run bit for bit.
 */
class ClippingTest {
    @TempDir
    Path dir;

    private static ClippingConfig with(ClippingConfig c, Part part, int subset, List<Long> seeds, boolean resume) {
        return new ClippingConfig(part, c.x4Starts(), c.data(), c.model(), subset, subset, c.subsetSeed(), c.batchSize(), c.epochs(), c.milestone(),
                c.weightDecay(), c.softClip(), seeds, c.quick(), resume);
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
            assertEquals(XToTheFourth.PAPER_CLIPPED[i], r.clipped(), "clipped GD from " + r.x0());
            assertEquals(XToTheFourth.PAPER_FIXED[i] < 0 ? XToTheFourth.CAP : XToTheFourth.PAPER_FIXED[i], r.fixed(), "fixed-step GD from " + r.x0());
        }
        assertEquals(o.x4(), ClippingCsv.readX4(out));
        List<String[]> x4 = Outputs.csv(out.resolve(ClippingCsv.X4), "x0,method,lr,gamma,iterations,converged,paper_iterations");
        assertEquals(2 * cfg.x4Starts().size(), x4.size());
        for (String[] row : x4) {
            double x0 = Double.parseDouble(row[0]), lr = Double.parseDouble(row[2]);
            assertEquals(row[1].equals("clipped-gd") ? 1.0 / 120 : 1.9 / (12 * x0 * x0), lr, 1e-15, String.join(",", row));
            assertEquals(Long.parseLong(row[4]) < XToTheFourth.CAP, Boolean.parseBoolean(row[5]), String.join(",", row));
        }
        assertEquals(List.of(Verdict.Outcome.REPRODUCED, Verdict.Outcome.REPRODUCED), o.verdicts().subList(0, 2).stream().map(Verdict::outcome).toList());

        int methods = ClippingMethod.values().length;
        List<String[]> epochs = Outputs.csv(out.resolve(ClippingCsv.EPOCHS), "method,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds");
        assertEquals(methods * cfg.seeds().size() * cfg.epochs(), epochs.size());
        for (String[] row : epochs) {
            double base = row[0].equals("clipped-momentum") ? 1.5 : 1.0;
            assertEquals(Integer.parseInt(row[2]) <= cfg.milestone() ? base : base / 10, Double.parseDouble(row[7]), 1e-12, "η of " + String.join(",", row));
        }
        assertEquals(methods * cfg.seeds().size(), Outputs.csv(out.resolve(ClippingCsv.RUNS),
                "method,seed,final_test_accuracy,best_test_accuracy,epochs_completed,diverged").size());

        List<ClippingOutcome.Run> back = ClippingCsv.readRuns(out, cfg.epochs());
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            assertEquals(o.runs().get(i).method(), back.get(i).method());
            assertEquals(o.runs().get(i).result().history().stream().map(EpochMetrics::trainLoss).toList(),
                    back.get(i).result().history().stream().map(EpochMetrics::trainLoss).toList());
        }
        assertEquals(o.verdicts(), ClippingOutcome.verdicts(cfg, ClippingCsv.readX4(out), back), "the files judge as the outcome does");

        // Claim 1 from the raw cells: the paired interval of ln(mixed's training loss) − ln(SGD+momentum's) at the milestone lies below ln 0.8.
        double[] logRatio = cfg.seeds().stream().mapToDouble(seed -> Math.log(cell(epochs, "mixed", seed, cfg.milestone(), 3))
                - Math.log(cell(epochs, "sgd-momentum", seed, cfg.milestone(), 3))).toArray();
        assertEquals(Verdict.decide(Statistics.tInterval(logRatio, 0.95), Verdict.Direction.BELOW, Math.log(0.8)), o.verdicts().get(2).outcome());
        // Claim 2: every pair's paired interval of final accuracy lies within ±1 point (reproduced), one lies outside (not), else inconclusive.
        boolean inside = true, outside = false;
        ClippingMethod[] ms = ClippingMethod.values();
        for (int i = 0; i < ms.length; i++) {
            for (int j = i + 1; j < ms.length; j++) {
                ClippingMethod a = ms[i], b = ms[j];
                Statistics.Interval ci = Statistics.tInterval(cfg.seeds().stream().mapToDouble(seed -> 100 * (cell(epochs, a.key(), seed, cfg.epochs(), 6)
                        - cell(epochs, b.key(), seed, cfg.epochs(), 6))).toArray(), 0.95);
                inside &= ci.low() > -1 && ci.high() < 1;
                outside |= ci.low() > 1 || ci.high() < -1;
            }
        }
        assertEquals(inside ? Verdict.Outcome.REPRODUCED : outside ? Verdict.Outcome.NOT_REPRODUCED : Verdict.Outcome.INCONCLUSIVE, o.verdicts().get(3).outcome());
        Outputs.reportFiles(out, "clipping-x4.png", "clipping-train-loss.png", "clipping-test-accuracy.png");
    }

    private static double cell(List<String[]> epochs, String method, long seed, int epoch, int column) {
        return epochs.stream().filter(r -> r[0].equals(method) && Long.parseLong(r[1]) == seed && Integer.parseInt(r[2]) == epoch)
                .mapToDouble(r -> Double.parseDouble(r[column])).findFirst().orElseThrow();
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
        assertEquals(3, second.resumed());
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
                full.subsetSeed(), full.batchSize(), full.epochs(), full.milestone(), full.weightDecay(), false, full.seeds(), false, false);
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
                d.trainSubset(), d.testSubset(), d.subsetSeed(), d.batchSize(), 2, 5, d.weightDecay(), false, d.seeds(), true, false));
        assertTrue(e.getMessage().contains("--milestone") && e.getMessage().contains("5"), e.getMessage());
    }
}
