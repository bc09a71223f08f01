// The unlearning reproduction from Java: row counts, run invariants, verdicts recomputed from the CSV files, determinism.
package dev.descent.bench.reproduce.unlearning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UnlearningExperiment} with the quick settings: one run per distinct (c2, a0) pair and seed,
 * one trajectory row per recorded step; the peak is the maximum and the drop is peak − last; the runs
 * read back give the same verdicts, which agree with a recomputation from the CSV's drops; a run is
 * bitwise reproducible from its seed.
 */
class UnlearningTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesEveryRunAndTheFilesJudgeAsTheOutcomeDoes() throws Exception {
        UnlearningConfig t = UnlearningConfig.toy();
        // Two seeds, so that the verdicts' paired intervals are finite.
        UnlearningConfig cfg = new UnlearningConfig(t.dimension(), t.width(), t.batch(), t.steps(), t.activation(), t.meanField(), t.lrW(), t.lrA(),
                t.lrTimesWidth(), t.wInitScale(), t.randomSignA(), t.c1(), t.c2Sweep(), t.a0Sweep(), t.c2Base(), t.a0Base(), t.labelNoise(), t.points(),
                List.of(1L, 2L), t.quick());
        Path out = dir.resolve("unlearning");
        UnlearningOutcome o = Reproduction.run(new UnlearningExperiment(), cfg, out, "test", Outputs.QUIET);

        int runs = 6; // per seed: c2 ∈ {0, 1} at a0 = 0.1, and a0 = 1 at c2 = 1 (a0 = 0.1 at c2 = 1 is shared)
        assertEquals(runs, cfg.pairs().size() * cfg.seeds().size());
        int recorded = UnlearningRun.recordedSteps(cfg.steps(), cfg.points()).size();
        assertEquals(runs * recorded, Outputs.csv(out.resolve(UnlearningCsv.TRAJECTORIES),
                "c2,a0,seed,step,alignment,energy_alignment,mean_a,batch_loss").size());
        List<String[]> summary = Outputs.csv(out.resolve(UnlearningCsv.RUNS),
                "c2,a0,seed,initial_alignment,peak_alignment,peak_step,final_alignment,drop,gain_lost,final_mean_a,final_batch_loss");
        assertEquals(runs, summary.size());
        for (String[] row : summary) {
            double initial = Double.parseDouble(row[3]), peak = Double.parseDouble(row[4]), last = Double.parseDouble(row[6]);
            assertTrue(peak >= last && peak >= initial, "the peak is the maximum: " + String.join(",", row));
            assertEquals(peak - last, Double.parseDouble(row[7]), 0.0);
            assertTrue(Integer.parseInt(row[5]) <= cfg.steps());
        }

        List<UnlearningOutcome.Run> back = UnlearningCsv.read(out);
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            UnlearningOutcome.Run a = o.runs().get(i), b = back.get(i);
            assertEquals(List.of(a.c2(), a.a0(), a.peak(), a.last(), a.lastMeanA()), List.of(b.c2(), b.a0(), b.peak(), b.last(), b.lastMeanA()));
            for (int k = 0; k < a.trajectory().size(); k++) assertArrayEquals(a.trajectory().get(k), b.trajectory().get(k), 0.0, "run " + i + ", row " + k);
        }
        assertEquals(o.verdicts(), UnlearningOutcome.of(cfg, back).verdicts(), "the files judge as the outcome does");

        // Claim (i) from the raw cells: the paired interval of (drop at the largest c2 − drop at the smallest), seed by seed, lies above the margin.
        double[] effect = cfg.seeds().stream().mapToDouble(seed -> dropOf(summary, cfg.c2Sweep().getLast(), cfg.a0Base(), seed)
                - dropOf(summary, cfg.c2Sweep().getFirst(), cfg.a0Base(), seed)).toArray();
        assertEquals(Verdict.decide(Statistics.tInterval(effect, 0.95), Verdict.Direction.ABOVE, UnlearningOutcome.MARGIN), o.verdicts().get(0).outcome());
        Outputs.reportFiles(out, "unlearning-alignment-c2.png", "unlearning-second-layer-c2.png", "unlearning-alignment-a0.png",
                "unlearning-second-layer-a0.png");
    }

    @Test
    void aRunIsBitwiseReproducibleFromItsSeed() {
        UnlearningConfig cfg = UnlearningConfig.toy();
        UnlearningOutcome.Run a = UnlearningRun.simulate(cfg, 1, 0.1, 5), b = UnlearningRun.simulate(cfg, 1, 0.1, 5);
        assertEquals(a.trajectory().size(), b.trajectory().size());
        for (int i = 0; i < a.trajectory().size(); i++) assertArrayEquals(a.trajectory().get(i), b.trajectory().get(i), 0.0, "recorded step " + i);
    }

    @Test
    void recordedStepsStartAtZeroEndAtTheLastStepAndIncrease() {
        List<Integer> s = UnlearningRun.recordedSteps(4000, 120);
        assertEquals(0, s.getFirst());
        assertEquals(4000, s.getLast());
        for (int i = 1; i < s.size(); i++) assertTrue(s.get(i) > s.get(i - 1), s.toString());
    }

    private static double dropOf(List<String[]> summary, double c2, double a0, long seed) {
        return summary.stream().filter(r -> Double.parseDouble(r[0]) == c2 && Double.parseDouble(r[1]) == a0 && Long.parseLong(r[2]) == seed)
                .mapToDouble(r -> Double.parseDouble(r[7])).findFirst().orElseThrow();
    }
}
