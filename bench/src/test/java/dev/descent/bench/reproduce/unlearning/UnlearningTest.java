// The unlearning reproduction from Java: row counts, run invariants, verdicts recomputed from the CSV files, determinism.
package dev.descent.bench.reproduce.unlearning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.reproduce.Outputs;
import dev.descent.bench.reproduce.Reproduction;
import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Cell;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
import dev.descent.data.Batch;
import dev.descent.data.TeacherStudent;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UnlearningExperiment} with the quick settings (both students, the odd-teacher and antithetic controls): one
 * run per cell and seed, one trajectory row per recorded step; the peak is the maximum and the drop is peak − last; the
 * runs read back give the same verdicts, which agree with a recomputation from the CSV; a run is bitwise reproducible
 * from its seed. The antithetic control's premise in float64: with batches of pairs (x, −x) the odd tanh student's
 * gradient does not depend on c2, the biased student's does.
 */
class UnlearningTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesEveryRunAndTheFilesJudgeAsTheOutcomeDoes() throws Exception {
        UnlearningConfig t = UnlearningConfig.toy();
        // Two seeds, so that the verdicts' paired intervals are finite.
        UnlearningConfig cfg = new UnlearningConfig(t.dimension(), t.width(), t.batch(), t.steps(), t.students(), t.meanField(), t.lrW(), t.lrA(),
                t.lrTimesWidth(), t.wInitScale(), t.randomSignA(), t.c1(), t.c2Sweep(), t.a0Sweep(), t.c2Base(), t.a0Base(), t.c3(), t.antithetic(),
                t.labelNoise(), t.points(), List.of(1L, 2L), t.quick(), false);
        Path out = dir.resolve("unlearning");
        UnlearningOutcome o = Reproduction.run(new UnlearningExperiment(), cfg, out, "test", Outputs.QUIET);

        // Per seed and student: c2 ∈ {0, 1} at a0 = 0.1, and a0 = 1 at c2 = 1 (a0 = 0.1 at c2 = 1 is shared); both c2 again on antithetic
        // batches; the odd student adds c3 = 1 at c2 = 0 (its c3 = 0 partner is the c2 = 0 cell).
        int cells = 2 * (3 + 2) + 1;
        assertEquals(cells, cfg.cells().size(), cfg.cells().toString());
        int runs = cells * cfg.seeds().size();
        int recorded = UnlearningRun.recordedSteps(cfg.steps(), cfg.points()).size();
        assertEquals(runs * recorded, Outputs.csv(out.resolve(UnlearningCsv.TRAJECTORIES),
                "student,c2,c3,a0,batches,seed,step,alignment,energy_alignment,mean_a,batch_loss").size());
        List<String[]> summary = Outputs.csv(out.resolve(UnlearningCsv.RUNS),
                "student,c2,c3,a0,batches,seed,initial_alignment,peak_alignment,peak_step,peak_batch_loss,final_alignment,drop,gain_lost,final_mean_a,"
                        + "final_batch_loss");
        assertEquals(runs, summary.size());
        for (String[] row : summary) {
            double initial = Double.parseDouble(row[6]), peak = Double.parseDouble(row[7]), last = Double.parseDouble(row[10]);
            assertTrue(peak >= last && peak >= initial, "the peak is the maximum: " + String.join(",", row));
            assertEquals(peak - last, Double.parseDouble(row[11]), 0.0);
            assertTrue(Integer.parseInt(row[8]) <= cfg.steps());
        }

        List<UnlearningOutcome.Run> back = UnlearningCsv.read(out);
        assertEquals(o.runs().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            UnlearningOutcome.Run a = o.runs().get(i), b = back.get(i);
            assertEquals(a.cell(), b.cell());
            assertEquals(List.of(a.peak(), a.last(), a.lastMeanA(), a.peakLoss(), a.lastLoss()), List.of(b.peak(), b.last(), b.lastMeanA(), b.peakLoss(),
                    b.lastLoss()));
            for (int k = 0; k < a.trajectory().size(); k++) assertArrayEquals(a.trajectory().get(k), b.trajectory().get(k), 0.0, "run " + i + ", row " + k);
        }
        assertEquals(o.verdicts(), UnlearningOutcome.of(cfg, back).verdicts(), "the files judge as the outcome does");
        assertEquals(4, o.verdicts().size(), "claims (i) and (ii) per student");

        // Claim (i), biased student, from the raw cells: the paired interval of (drop at the largest c2 − drop at the smallest).
        double[] effect = cfg.seeds().stream().mapToDouble(seed -> col(summary, "tanh-bias", cfg.c2Sweep().getLast(), 0, cfg.a0Base(), "iid", seed, 11)
                - col(summary, "tanh-bias", cfg.c2Sweep().getFirst(), 0, cfg.a0Base(), "iid", seed, 11)).toArray();
        assertEquals(Verdict.decide(Statistics.tInterval(effect, 0.95), Verdict.Direction.ABOVE, UnlearningOutcome.MARGIN), o.verdicts().get(0).outcome());
        // Claim (ii) on the final alignment (column 10), not the drop: final at a0 = 1 − final at a0 = 0.1.
        double[] finals = cfg.seeds().stream().mapToDouble(seed -> col(summary, "tanh-bias", cfg.c2Base(), 0, cfg.a0Sweep().getLast(), "iid", seed, 10)
                - col(summary, "tanh-bias", cfg.c2Base(), 0, cfg.a0Sweep().getFirst(), "iid", seed, 10)).toArray();
        assertEquals(Verdict.decide(Statistics.tInterval(finals, 0.95), Verdict.Direction.ABOVE, UnlearningOutcome.MARGIN), o.verdicts().get(1).outcome());
        // The odd student's claim (i) is the He3 control: drop at c3 = 1 − drop at c3 = 0, both at c2 = 0.
        double[] odd = cfg.seeds().stream().mapToDouble(seed -> col(summary, "tanh", 0, cfg.c3(), cfg.a0Base(), "iid", seed, 11)
                - col(summary, "tanh", 0, 0, cfg.a0Base(), "iid", seed, 11)).toArray();
        assertEquals(Verdict.decide(Statistics.tInterval(odd, 0.95), Verdict.Direction.ABOVE, UnlearningOutcome.MARGIN), o.verdicts().get(2).outcome());
        List<String> plots = new java.util.ArrayList<>();
        for (String st : List.of("tanh-bias", "tanh")) {
            for (String w : List.of("alignment", "second-layer")) for (String n : List.of("c2", "a0")) plots.add("unlearning-" + w + "-" + n + "-" + st + ".png");
        }
        Outputs.reportFiles(out, plots.toArray(String[]::new));
    }

    @Test
    void withAntitheticPairsTheOddStudentsGradientIgnoresC2AndTheBiasedStudentsDoesNot() {
        UnlearningConfig cfg = UnlearningConfig.toy();
        for (Student st : List.of(Student.TANH, Student.ERF, Student.TANH_BIAS, Student.RELU)) {
            for (boolean antithetic : new boolean[] {true, false}) {
                double change = relativeGradientChange(cfg, st, antithetic);
                if (st.odd() && antithetic) assertTrue(change < 1e-12, st + ": relative change " + change);
                else assertTrue(change > 1e-3, st + (antithetic ? " antithetic" : " iid") + ": relative change " + change);
            }
        }
    }

    /** ‖g(c2 = 2) − g(c2 = 0)‖/‖g(c2 = 0)‖ for the gradient over every parameter at the initial weights, on the same inputs. */
    private static double relativeGradientChange(UnlearningConfig cfg, Student st, boolean antithetic) {
        double[][] g = new double[2][];
        for (int k = 0; k < 2; k++) {
            SplittableRandom root = new SplittableRandom(7);
            SplittableRandom teacherRng = root.split(), initRng = root.split(), dataRng = root.split();
            TeacherStudent teacher = UnlearningRun.teacher(cfg, 2.0 * k, 0, teacherRng);
            // a_i = ±1 and a perturbed first layer, so that nothing cancels by accident.
            UnlearningRun.Net net = UnlearningRun.Net.init(cfg, st, 1, initRng);
            g[k] = net.gradient(UnlearningRun.batch(teacher, 1024, antithetic, dataRng));
        }
        double diff = 0, norm = 0;
        for (int i = 0; i < g[0].length; i++) {
            diff += (g[1][i] - g[0][i]) * (g[1][i] - g[0][i]);
            norm += g[0][i] * g[0][i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void eachStudentLearnsTheDirectionOnAntitheticBatchesWhichArePairs() {
        UnlearningConfig cfg = UnlearningConfig.toy();
        for (Student st : Student.values()) {
            UnlearningOutcome.Run r = UnlearningRun.simulate(cfg, new Cell(st, 1, 0, 0.1, true), 3);
            // 150 toy steps at a0 = 0.1 leave f small (the loss near that of f ≡ 0, 1), but the first layer has found θ.
            assertTrue(Double.isFinite(r.lastLoss()) && r.peak() > r.initial() + 0.3, st + ": loss " + r.lastLoss() + ", peak " + r.peak() + " from "
                    + r.initial());
        }
        TeacherStudent teacher = UnlearningRun.teacher(cfg, 1, 0.5, new SplittableRandom(1));
        Batch b = UnlearningRun.batch(teacher, 6, true, new SplittableRandom(2));
        double[] x = b.x().toDoubleArray(), y = b.y().toDoubleArray(), th = teacher.theta().toDoubleArray();
        int d = cfg.dimension();
        for (int r = 0; r < 6; r++) {
            double z = 0;
            for (int j = 0; j < d; j++) {
                if (r < 3) assertEquals(-x[r * d + j], x[(r + 3) * d + j], 0.0);
                z += th[j] * x[r * d + j];
            }
            // The teacher from its Hermite series written out: z + c2·(z² − 1)/√2 + c3·(z³ − 3z)/√6.
            assertEquals(z + (z * z - 1) / Math.sqrt(2) + 0.5 * (z * z * z - 3 * z) / Math.sqrt(6), y[r], 1e-12);
        }
    }

    @Test
    void aRunIsBitwiseReproducibleFromItsSeed() {
        UnlearningConfig cfg = UnlearningConfig.toy();
        Cell cell = new Cell(Student.TANH_BIAS, 1, 0, 0.1, false);
        UnlearningOutcome.Run a = UnlearningRun.simulate(cfg, cell, 5), b = UnlearningRun.simulate(cfg, cell, 5);
        assertEquals(a.trajectory().size(), b.trajectory().size());
        for (int i = 0; i < a.trajectory().size(); i++) assertArrayEquals(a.trajectory().get(i), b.trajectory().get(i), 0.0, "recorded step " + i);
    }

    @Test
    void resumeKeepsCompletedRunsAndRecomputesTheInterruptedOneBitForBit() throws Exception {
        UnlearningConfig t = UnlearningConfig.toy();
        UnlearningConfig cfg = small(t, false), again = small(t, true);
        Path out = dir.resolve("resume");
        UnlearningOutcome first = Reproduction.run(new UnlearningExperiment(), cfg, out, "test", Outputs.QUIET);
        List<String> runs = java.nio.file.Files.readAllLines(out.resolve(UnlearningCsv.RUNS));
        List<String> steps = java.nio.file.Files.readAllLines(out.resolve(UnlearningCsv.TRAJECTORIES));
        int recorded = UnlearningRun.recordedSteps(cfg.steps(), cfg.points()).size();
        // An interruption during the last run: its rows are missing from both files.
        Outputs.dropLastLines(out.resolve(UnlearningCsv.RUNS), 1);
        Outputs.dropLastLines(out.resolve(UnlearningCsv.TRAJECTORIES), recorded);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        UnlearningOutcome second = Reproduction.run(new UnlearningExperiment(), again, out, "test", new java.io.PrintStream(log, true,
                java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(cfg.cells().size() * cfg.seeds().size() - 1, log.toString(java.nio.charset.StandardCharsets.UTF_8).split("read back from the earlier",
                -1).length - 1, "every completed run is read back, not recomputed");
        assertEquals(runs, java.nio.file.Files.readAllLines(out.resolve(UnlearningCsv.RUNS)), "the recomputed run is bitwise the same");
        assertEquals(steps, java.nio.file.Files.readAllLines(out.resolve(UnlearningCsv.TRAJECTORIES)));
        assertEquals(first.verdicts(), second.verdicts());
        UnlearningConfig other = new UnlearningConfig(t.dimension(), t.width(), t.batch(), 30, t.students(), t.meanField(), t.lrW(), t.lrA(),
                t.lrTimesWidth(), t.wInitScale(), t.randomSignA(), t.c1(), t.c2Sweep(), t.a0Sweep(), t.c2Base(), t.a0Base(), t.c3(), t.antithetic(),
                t.labelNoise(), t.points(), t.seeds(), t.quick(), true);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Reproduction.run(new UnlearningExperiment(), other, out, "test", Outputs.QUIET));
        assertTrue(e.getMessage().contains("holds runs with other settings"), e.getMessage());
    }

    /** The toy students and controls for 40 steps, one seed, a checkpoint every 7 steps. */
    private static UnlearningConfig midRun(boolean resume) {
        UnlearningConfig t = UnlearningConfig.toy();
        return new UnlearningConfig(t.dimension(), t.width(), t.batch(), 40, t.students(), t.meanField(), t.lrW(), t.lrA(), t.lrTimesWidth(),
                t.wInitScale(), t.randomSignA(), t.c1(), t.c2Sweep(), t.a0Sweep(), t.c2Base(), t.a0Base(), t.c3(), t.antithetic(), t.labelNoise(),
                t.points(), t.seeds(), t.quick(), resume, 7);
    }

    @Test
    void aRunInterruptedMidWayContinuesFromItsCheckpointAndTheFilesEqualAnUninterruptedInvocations() throws Exception {
        Path straight = dir.resolve("straight");
        UnlearningOutcome reference = Reproduction.run(new UnlearningExperiment(), midRun(false), straight, "test", Outputs.QUIET);
        Outputs.noRunInProgress(straight);
        List<UnlearningConfig.Cell> cells = midRun(false).cells();
        for (UnlearningConfig.Cell cell : List.of(cells.get(2), cells.getLast())) { // an i.i.d. cell, and an antithetic one (it draws its inputs otherwise)
            assertTrue(cell.antithetic() == (cell == cells.getLast()), cell.toString());
            String key = UnlearningRun.key(cell, 1);
            Path out = dir.resolve("interrupted-" + cells.indexOf(cell));
            // Killed after step 30: the last checkpoint is at step 28, the alignment's peak and 2 recorded steps after it are lost.
            Outputs.crashAt(key::equals, 30, () -> Reproduction.run(new UnlearningExperiment(), midRun(false), out, "test", Outputs.QUIET));
            assertEquals("ckpt-0000-000028", Outputs.latestCheckpoint(Resumption.runFolder(out, key)).getFileName().toString());
            java.util.Map<String, Long> first = new java.util.HashMap<>();
            UnlearningOutcome resumed = Outputs.recordingFirstSteps(first, () -> Reproduction.run(new UnlearningExperiment(), midRun(true), out, "test",
                    Outputs.QUIET));
            assertEquals(29L, first.get(key), "the interrupted run continues after its checkpoint's step");
            assertEquals(cells.size() - cells.indexOf(cell), first.size(), "the runs before it are read back, not recomputed");
            Outputs.sameRows(straight, out, List.of(UnlearningCsv.RUNS, UnlearningCsv.TRAJECTORIES), List.of());
            assertEquals(reference.verdicts(), resumed.verdicts());
            Outputs.noRunInProgress(out);
        }

        // A cut-short record of the run so far is refused, naming the file.
        String key = UnlearningRun.key(cells.get(2), 1);
        Path out = dir.resolve("corrupt");
        Outputs.crashAt(key::equals, 30, () -> Reproduction.run(new UnlearningExperiment(), midRun(false), out, "test", Outputs.QUIET));
        Path file = Outputs.latestCheckpoint(Resumption.runFolder(out, key)).resolve(UnlearningRun.Progress.FILE);
        Outputs.truncate(file);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Reproduction.run(new UnlearningExperiment(),
                midRun(true), out, "test", Outputs.QUIET));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().startsWith("--resume: the checkpoint of run " + key), e.getMessage());
    }

    /** The toy students and controls for 20 steps, one seed. */
    private static UnlearningConfig small(UnlearningConfig t, boolean resume) {
        return new UnlearningConfig(t.dimension(), t.width(), t.batch(), 20, t.students(), t.meanField(), t.lrW(), t.lrA(), t.lrTimesWidth(),
                t.wInitScale(), t.randomSignA(), t.c1(), t.c2Sweep(), t.a0Sweep(), t.c2Base(), t.a0Base(), t.c3(), t.antithetic(), t.labelNoise(),
                t.points(), t.seeds(), t.quick(), resume);
    }

    @Test
    void recordedStepsStartAtZeroEndAtTheLastStepAndIncrease() {
        List<Integer> s = UnlearningRun.recordedSteps(4000, 120);
        assertEquals(0, s.getFirst());
        assertEquals(4000, s.getLast());
        for (int i = 1; i < s.size(); i++) assertTrue(s.get(i) > s.get(i - 1), s.toString());
    }

    private static double col(List<String[]> summary, String student, double c2, double c3, double a0, String batches, long seed, int column) {
        return summary.stream().filter(r -> r[0].equals(student) && Double.parseDouble(r[1]) == c2 && Double.parseDouble(r[2]) == c3
                        && Double.parseDouble(r[3]) == a0 && r[4].equals(batches) && Long.parseLong(r[5]) == seed)
                .mapToDouble(r -> Double.parseDouble(r[column])).findFirst().orElseThrow();
    }
}
