// The unlearning reproduction in quick mode, end to end, and its determinism.
package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent reproduce unlearning --quick}: the report states the parametrisation, has a table per
 * sweep and the verdicts on claims (i) and (ii); the CSVs have a row per run and recorded step; a run
 * is bitwise reproducible from its seed.
 */
class UnlearningExperimentTest {
    @TempDir
    Path dir;

    @Test
    void quickModeWritesReportCsvAndPlots() throws Exception {
        Path out = dir.resolve("unlearning");
        ReproduceRun r = ReproduceRun.of("unlearning", "--quick", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        String md = Outputs.quickReport(out);
        assertTrue(md.contains("**The paper's exact parametrisation, ODEs and unlearning condition are not public**"), md);
        assertTrue(md.contains("- **student and training**: f(x) = (1/N)·Σ_i a_i·tanh(w_i·x)"), md);
        assertTrue(md.contains("### Claim (i): sweep over c2") && md.contains("### Claim (ii): sweep over a0"), md);
        assertTrue(md.contains("| c2 | a0 | A(0) | peak A | peak step | final A | drop (ours) |"), md);
        assertTrue(md.contains("At c2 = 0 ") && md.contains("a0 = 1"), "each sweep ends with what its extreme shows:\n" + md);
        List<String> verdicts = Outputs.verdictLines(md);
        assertEquals(2, verdicts.size(), verdicts.toString());
        assertTrue(verdicts.get(0).contains("— (i) ") && verdicts.get(1).contains("— (ii) "), verdicts.toString());
        Outputs.pngs(out, "unlearning-alignment-c2.png", "unlearning-second-layer-c2.png", "unlearning-alignment-a0.png", "unlearning-second-layer-a0.png");

        UnlearningExperiment.Config cfg = UnlearningExperiment.Config.toy();
        int runs = 3; // c2 ∈ {0, 1} at a0 = 0.1, and a0 = 1 at c2 = 1 (a0 = 0.1 at c2 = 1 is shared)
        int recorded = UnlearningExperiment.recordedSteps(cfg.steps(), cfg.points()).size();
        assertEquals(runs * recorded, Outputs.csv(out.resolve("unlearning-trajectories.csv"),
                "c2,a0,seed,step,alignment,energy_alignment,mean_a,batch_loss").size());
        List<String[]> summary = Outputs.csv(out.resolve("unlearning-runs.csv"),
                "c2,a0,seed,initial_alignment,peak_alignment,peak_step,final_alignment,drop,gain_lost,final_mean_a,final_batch_loss");
        assertEquals(runs, summary.size());
        for (String[] row : summary) {
            double peak = Double.parseDouble(row[4]), last = Double.parseDouble(row[6]);
            assertTrue(peak >= last && peak >= Double.parseDouble(row[3]), "the peak is the maximum: " + String.join(",", row));
            assertEquals(peak - last, Double.parseDouble(row[7]), 1e-15);
        }
    }

    @Test
    void aRunIsBitwiseReproducibleFromItsSeed() {
        UnlearningExperiment.Config cfg = UnlearningExperiment.Config.toy();
        UnlearningExperiment.Run a = UnlearningExperiment.simulate(cfg, 1, 0.1, 5), b = UnlearningExperiment.simulate(cfg, 1, 0.1, 5);
        assertEquals(a.trajectory().size(), b.trajectory().size());
        for (int i = 0; i < a.trajectory().size(); i++) assertArrayEquals(a.trajectory().get(i), b.trajectory().get(i), 0.0, "recorded step " + i);
    }

    @Test
    void recordedStepsStartAtZeroEndAtTheLastStepAndIncrease() {
        List<Integer> s = UnlearningExperiment.recordedSteps(4000, 120);
        assertEquals(0, s.getFirst());
        assertEquals(4000, s.getLast());
        for (int i = 1; i < s.size(); i++) assertTrue(s.get(i) > s.get(i - 1), s.toString());
    }
}
