// The ERM reproduction in quick mode, end to end, and its exact-arithmetic properties.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.data.FeldmanCode;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent reproduce erm --quick}: the report with its tables and verdicts, one CSV row per seed,
 * instance and horizon, the exact unseen-codeword check, and what projected GD does on the base instance.
 */
class ErmExperimentTest {
    @TempDir
    Path dir;

    @Test
    void quickModeWritesReportCsvAndPlotWithTheExactCheckReproduced() throws Exception {
        Path out = dir.resolve("erm");
        ReproduceRun r = ReproduceRun.of("erm", "--quick", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = Outputs.quickReport(out);
        assertTrue(md.contains("| η | T | ηT | gap: Feldman's instance |"), md);
        assertTrue(md.contains("| instance | fitted slope before the ball binds (ours) | fitted slope, all points (ours) | paper's lower bound |"), md);
        List<String> verdicts = Outputs.verdictLines(md);
        assertEquals(2, verdicts.size(), verdicts.toString());
        assertTrue(verdicts.get(0).startsWith("- **Reproduced** — A codeword that no sample contains"), verdicts.get(0));
        assertTrue(verdicts.get(1).startsWith("- **Not applicable** — Projected GD"), verdicts.get(1));
        Outputs.pngs(out, "erm-gap.png");

        ErmExperiment.Config cfg = ErmExperiment.Config.toy();
        List<String[]> gap = Outputs.csv(out.resolve("erm-gap.csv"), "seed,noise,lambda,lr,steps,eta_t,empirical_risk,population_risk,gap,norm");
        assertEquals(cfg.seeds().size() * cfg.noises().size() * cfg.lambdas().size() * cfg.lrs().size() * cfg.horizons().size(), gap.size());
        for (String[] row : gap) {
            if (Double.parseDouble(row[1]) == 0) { // no stand-in noise: GD never leaves 0, so the gap is exactly 0
                assertEquals(0.0, Double.parseDouble(row[9]), "norm in " + String.join(",", row));
                assertEquals(0.0, Double.parseDouble(row[8]), "gap in " + String.join(",", row));
            }
            assertTrue(Double.parseDouble(row[9]) <= 1.0, "iterate left the unit ball: " + String.join(",", row));
        }
        List<String[]> exact = Outputs.csv(out.resolve("erm-exact.csv"), "seed,codeword,empirical_loss,population_loss,empirical_loss_at_0,population_loss_at_0");
        assertTrue(!exact.isEmpty(), "quick mode must find an unseen codeword");
        for (String[] row : exact) {
            assertEquals(0.5, Double.parseDouble(row[2]), 1e-12);
            assertEquals(0.75, Double.parseDouble(row[3]), 1e-12);
        }
    }

    @Test
    void theLinearStandInGivesAGapLinearInEtaTWhileTheFeldmanPartIsInactive() throws Exception {
        ErmExperiment.Config cfg = new ErmExperiment.Config(5, 30, 64, 1, List.of(0.1), List.of(1, 10, 100), List.of(0.1), List.of(0.0), List.of(3L), true);
        ErmExperiment.Outcome o = ErmExperiment.run(cfg, dir.resolve("lin"), "test", new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        // x_T = −ηTε·ξ̄ while every w·x < 1/2, so the gap is ηT·ε²·‖ξ̄‖²: slope 1 on log-log axes until the ball binds.
        assertEquals(1.0, o.freeSlopes().values().iterator().next(), 1e-9);
    }

    @Test
    void theCachedObjectiveEqualsTheDataModulesEmpiricalLoss() {
        SplittableRandom rng = new SplittableRandom(11);
        FeldmanCode code = FeldmanCode.greedy(24, 40, rng);
        Tensor samples = code.sample(6, rng);
        ErmExperiment.Objective obj = new ErmExperiment.Objective(code, samples, new double[24]);
        for (int k = 0; k < 20; k++) {
            Tensor x = Tensor.randn(DType.FLOAT64, rng, 24).mul(0.5);
            // the same formula; the scores are summed in another order than matmul's, hence rounding
            assertEquals(code.empiricalLoss(x, samples).item(), obj.feldman(x).item(), 1e-14, "at draw " + k);
        }
    }
}
