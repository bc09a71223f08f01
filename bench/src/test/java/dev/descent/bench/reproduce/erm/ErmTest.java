// The ERM reproduction from Java: row counts, the exact check, verdicts recomputed from the CSV files, the stand-in's slope.
package dev.descent.bench.reproduce.erm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.data.FeldmanCode;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ErmExperiment} with the quick settings: one gap row per seed, instance, η and T; every unseen
 * codeword has empirical loss 1/2 and population loss 3/4; on the base instance GD never leaves 0; the
 * rows read back give the same outcome; with the linear stand-in alone the gap is linear in ηT.
 */
class ErmTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesEveryMeasurementAndTheFilesGiveTheSameOutcome() throws Exception {
        ErmConfig cfg = ErmConfig.toy();
        Path out = dir.resolve("erm");
        ErmOutcome o = Reproduction.run(new ErmExperiment(), cfg, out, "test", Outputs.QUIET);

        List<String[]> gap = Outputs.csv(out.resolve(ErmCsv.GAP), "seed,noise,lambda,lr,steps,eta_t,empirical_risk,population_risk,gap,norm");
        assertEquals(cfg.seeds().size() * cfg.noises().size() * cfg.lambdas().size() * cfg.lrs().size() * cfg.horizons().size(), gap.size());
        for (String[] row : gap) {
            double norm = Double.parseDouble(row[9]);
            if (Double.parseDouble(row[1]) == 0) { // no stand-in noise: GD never leaves 0, so the gap is exactly 0
                assertEquals(0.0, norm, "norm in " + String.join(",", row));
                assertEquals(0.0, Double.parseDouble(row[8]), "gap in " + String.join(",", row));
            }
            assertTrue(norm <= cfg.radius(), "iterate left the ball: " + String.join(",", row));
            assertEquals(Double.parseDouble(row[7]) - Double.parseDouble(row[6]), Double.parseDouble(row[8]), 0.0, "gap = F − F̂");
        }
        List<String[]> exact = Outputs.csv(out.resolve(ErmCsv.EXACT), "seed,codeword,empirical_loss,population_loss,empirical_loss_at_0,population_loss_at_0");
        assertTrue(!exact.isEmpty(), "quick mode must find an unseen codeword");
        for (String[] row : exact) {
            assertEquals(0.5, Double.parseDouble(row[2]), ErmOutcome.EXACT_TOLERANCE);
            assertEquals(0.75, Double.parseDouble(row[3]), ErmOutcome.EXACT_TOLERANCE);
        }
        assertEquals(exact.size(), o.unseenPerSeed().stream().mapToInt(Integer::intValue).sum());
        assertEquals(List.of(Verdict.Outcome.REPRODUCED, Verdict.Outcome.NOT_APPLICABLE), o.verdicts().stream().map(Verdict::outcome).toList());
        assertTrue(!o.baseInstanceMoves());

        List<ErmOutcome.Point> points = ErmCsv.readPoints(out);
        assertEquals(o.points(), points);
        assertEquals(o.exact(), ErmCsv.readExact(out));
        ErmOutcome back = ErmOutcome.of(cfg, points, ErmCsv.readExact(out));
        assertEquals(o.verdicts(), back.verdicts(), "the files judge as the outcome does");
        assertEquals(o.freeSlopes(), back.freeSlopes());
        Outputs.reportFiles(out, "erm-gap.png");
    }

    @Test
    void theLinearStandInGivesAGapLinearInEtaTWhileTheFeldmanPartIsInactive() throws Exception {
        ErmConfig cfg = new ErmConfig(5, 30, 64, 1, List.of(0.1), List.of(1, 10, 100), List.of(0.1), List.of(0.0), List.of(3L), true);
        ErmOutcome o = ErmRun.run(cfg, dir, Outputs.QUIET);
        // x_T = −ηTε·ξ̄ while every w·x < 1/2, so the gap is ηT·ε²·‖ξ̄‖²: slope 1 on log-log axes until the ball binds.
        assertEquals(1.0, o.freeSlopes().values().iterator().next(), 1e-9);
        assertEquals(3, o.points().size());
    }

    @Test
    void theCachedObjectiveEqualsTheDataModulesEmpiricalLoss() {
        SplittableRandom rng = new SplittableRandom(11);
        FeldmanCode code = FeldmanCode.greedy(24, 40, rng);
        Tensor samples = code.sample(6, rng);
        ErmRun.Objective obj = new ErmRun.Objective(code, samples, new double[24]);
        for (int k = 0; k < 20; k++) {
            Tensor x = Tensor.randn(DType.FLOAT64, rng, 24).mul(0.5);
            // the same formula; the scores are summed in another order than matmul's, hence rounding
            assertEquals(code.empiricalLoss(x, samples).item(), obj.feldman(x).item(), 1e-14, "at draw " + k);
        }
    }

    @Test
    void resumeReadsBackTheCompletedTrajectoriesRerunsTheInterruptedOneAndWritesTheUninterruptedFiles() throws Exception {
        ErmConfig cfg = ErmConfig.toy(); // 2 seeds × 4 instances × 1 η: eight trajectories of 200 steps
        Path straight = dir.resolve("straight"), out = dir.resolve("interrupted");
        ErmOutcome reference = Reproduction.run(new ErmExperiment(), cfg, straight, "test", Outputs.QUIET);
        List<ErmOutcome.Instance> instances = cfg.instances();
        String crashed = ErmRun.key(2, instances.get(1), cfg.lrs().getFirst()); // the sixth trajectory
        Outputs.crashAt(crashed::equals, 150, () -> Reproduction.run(new ErmExperiment(), cfg, out, "test", Outputs.QUIET));
        java.util.Map<String, Long> first = new java.util.HashMap<>();
        ErmOutcome resumed = Outputs.recordingFirstSteps(first, () -> Reproduction.run(new ErmExperiment(), cfg.withResume(true), out, "test",
                Outputs.QUIET));
        assertEquals(java.util.Set.of(crashed, ErmRun.key(2, instances.get(2), cfg.lrs().getFirst()), ErmRun.key(2, instances.get(3), cfg.lrs().getFirst())),
                first.keySet(), "the five completed trajectories are read back, the interrupted one and the two after it run");
        assertEquals(1L, first.get(crashed), "a trajectory is short: the interrupted one runs again from its start");
        Outputs.sameRows(straight, out, List.of(ErmCsv.GAP, ErmCsv.EXACT), List.of());
        assertEquals(reference.verdicts(), resumed.verdicts());

        ErmConfig other = new ErmConfig(cfg.samples(), cfg.dimension(), cfg.codeSize(), cfg.radius(), cfg.lrs(), cfg.horizons(), cfg.noises(),
                cfg.lambdas(), List.of(7L), true, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reproduction.run(new ErmExperiment(), other, out, "test",
                Outputs.QUIET));
        assertTrue(e.getMessage().contains("holds runs with other settings"), e.getMessage());
    }

    @Test
    void settingsNameTheBadValueAndSortTheHorizons() {
        ErmConfig d = ErmConfig.toy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ErmConfig(d.samples(), d.dimension(), d.codeSize(), d.radius(),
                List.of(-1.0), d.horizons(), d.noises(), d.lambdas(), d.seeds(), true));
        assertTrue(e.getMessage().contains("--lrs") && e.getMessage().contains("-1"), e.getMessage());
        assertEquals(List.of(1, 5, 20), new ErmConfig(5, 30, 64, 1, List.of(0.1), List.of(20, 1, 5, 5), List.of(0.0), List.of(0.0), List.of(1L), true).horizons());
        assertEquals(List.of(1, 2, 5, 10, 20, 50, 100, 200), ErmConfig.oneTwoFive(200));
    }
}
