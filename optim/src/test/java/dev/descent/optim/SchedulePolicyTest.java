package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedules of issue 17 — cosine with warm restarts, one-cycle, a sequential chain, a user's lambda,
 * and reduce-on-plateau — each against a plain loop written from PyTorch's documented rule (the
 * schedulers' docs and their step-by-step state updates), over two groups with different learning
 * rates; and a run saved and resumed mid-way equals the uninterrupted one bit for bit.
 */
class SchedulePolicyTest {
    static final double REL = 1e-12;
    static final double[] BASES = {0.1, 0.003};

    static SGD twoGroups() {
        return new SGD(List.of(ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2))).with("lr", BASES[0]),
                ParamGroup.of(new Parameter(Tensor.zeros(DType.FLOAT64, 3))).with("lr", BASES[1])));
    }

    static void close(double want, double got, String what) {
        assertEquals(want, got, REL * Math.abs(want) + 1e-300, what);
    }

    /** PyTorch's CosineAnnealingWarmRestarts, stepped without an epoch argument: T_cur += 1, restart when T_cur ≥ T_i. */
    @Test
    void cosineWarmRestartsFollowsPyTorchsIncrementalRule() {
        int[][] cases = {{10, 2}, {7, 1}, {3, 3}};
        for (int[] c : cases) {
            double minFactor = 0.02;
            var opt = twoGroups();
            var sch = new LrScheduler(opt, Schedule.cosineWarmRestarts(c[0], c[1], minFactor));
            long tCur = 0, tI = c[0];
            for (int t = 0; t < 300; t++) {
                for (int g = 0; g < 2; g++) {
                    double etaMin = minFactor * BASES[g];
                    close(etaMin + (BASES[g] - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2, opt.lr(g), "T0 " + c[0] + " Tmult " + c[1] + " t " + t);
                }
                sch.step();
                tCur++;
                if (tCur >= tI) {
                    tCur -= tI;
                    tI *= c[1];
                }
            }
        }
    }

    /** PyTorch's OneCycleLR (two phases): initial = max/div, min = initial/final_div, phase ends pct·total − 1 and total − 1. */
    @Test
    void oneCycleFollowsPyTorchsPhases() {
        for (boolean cos : new boolean[] {true, false}) {
            int total = 100;
            double pct = 0.3, div = 25, finalDiv = 1e4;
            var opt = twoGroups();
            var sch = new LrScheduler(opt, Schedule.oneCycle(total, pct, cos, div, finalDiv));
            for (int t = 0; t < total; t++) {
                for (int g = 0; g < 2; g++) {
                    double max = BASES[g], initial = max / div, min = initial / finalDiv;
                    double[][] phases = {{pct * total - 1, initial, max}, {total - 1, max, min}};
                    double start = 0, want = Double.NaN;
                    for (int i = 0; i < phases.length; i++) {
                        double end = phases[i][0];
                        if (t <= end || i == phases.length - 1) {
                            double p = (t - start) / (end - start), a = phases[i][1], b = phases[i][2];
                            want = cos ? b + (a - b) / 2 * (Math.cos(Math.PI * p) + 1) : (b - a) * p + a;
                            break;
                        }
                        start = end;
                    }
                    // relative to the peak: the linear form (b − a)·p + a cancels down to the final value max/250000
                    assertEquals(want, opt.lr(g), REL * max, (cos ? "cos" : "linear") + " t " + t + " group " + g);
                }
                sch.step();
            }
            assertEquals(BASES[0] / div / finalDiv, opt.lr(0), 1e-18, "stays at the final value past the cycle");
        }
    }

    /** PyTorch's SequentialLR: LinearLR warm-up, then at the milestone a StepLR restarted from its own 0, then a constant. */
    @Test
    void sequentialRestartsEachScheduleAtItsMilestone() {
        var opt = twoGroups();
        var sch = new LrScheduler(opt, Schedule.sequential(List.of(Schedule.linearWarmup(4, 0.25), Schedule.step(3, 0.5), Schedule.constant()),
                List.of(6, 15)));
        for (int t = 0; t < 30; t++) {
            double f = t < 6 ? 0.25 + 0.75 * Math.min(t, 4) / 4.0 : t < 15 ? Math.pow(0.5, (t - 6) / 3) : 1;
            for (int g = 0; g < 2; g++) close(BASES[g] * f, opt.lr(g), "t " + t);
            sch.step();
        }
    }

    /** PyTorch's LambdaLR: lr = base·λ(t) for the caller's function. */
    @Test
    void aLambdaIsASchedule() {
        var opt = twoGroups();
        var sch = new LrScheduler(opt, t -> 1 / (1 + 0.1 * t));
        for (int t = 0; t < 20; t++) {
            for (int g = 0; g < 2; g++) close(BASES[g] / (1 + 0.1 * t), opt.lr(g), "t " + t);
            sch.step();
        }
    }

    static final double[] METRICS = {5, 4, 4, 4.0001, 3.9999, 4, 4, 4, 4, 2, 2.1, 2.2, 2.3, 2.4, Double.NaN, 2.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    /** PyTorch's ReduceLROnPlateau written out: best, bad epochs, cooldown, the factor with its floor and eps. */
    @Test
    void reduceOnPlateauFollowsPyTorchsRule() {
        for (var mode : ReduceLrOnPlateau.Mode.values()) {
            for (var tm : ReduceLrOnPlateau.ThresholdMode.values()) {
                for (int cooldown : new int[] {0, 2}) {
                    var settings = ReduceLrOnPlateau.Settings.defaults().withMode(mode).withFactor(0.5).withPatience(2).withThreshold(1e-3, tm)
                            .withCooldown(cooldown).withMinLr(0.002);
                    var opt = twoGroups();
                    var plateau = new ReduceLrOnPlateau(opt, settings);
                    double best = mode == ReduceLrOnPlateau.Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                    int bad = 0, cool = 0;
                    double[] lr = BASES.clone();
                    int reductions = 0;
                    for (double v : METRICS) {
                        double m = mode == ReduceLrOnPlateau.Mode.MIN ? v : 10 - v; // MAX sees the mirrored sequence
                        boolean better;
                        if (mode == ReduceLrOnPlateau.Mode.MIN) better = tm == ReduceLrOnPlateau.ThresholdMode.REL ? m < best * (1 - 1e-3) : m < best - 1e-3;
                        else better = tm == ReduceLrOnPlateau.ThresholdMode.REL ? m > best * (1 + 1e-3) : m > best + 1e-3;
                        if (better) {
                            best = m;
                            bad = 0;
                        } else {
                            bad++;
                        }
                        if (cool > 0) {
                            cool--;
                            bad = 0;
                        }
                        if (bad > 2) {
                            for (int g = 0; g < 2; g++) {
                                double n = Math.max(lr[g] * 0.5, 0.002);
                                if (lr[g] - n > 1e-8) lr[g] = n;
                            }
                            reductions++;
                            cool = cooldown;
                            bad = 0;
                        }
                        plateau.step(m);
                        String what = mode + " " + tm + " cooldown " + cooldown + " at metric " + m;
                        for (int g = 0; g < 2; g++) assertEquals(lr[g], opt.lr(g), 0.0, what);
                        assertEquals(bad, plateau.numBadEpochs(), what);
                    }
                    assertEquals(true, reductions >= 2, "the sequence must exercise reductions: " + reductions);
                    assertEquals(0.002, opt.lr(1), 0.0, "group 1 reaches its floor");
                }
            }
        }
    }

    @Test
    void badPlateauSettingsAreRefusedNamingTheValue() {
        var d = ReduceLrOnPlateau.Settings.defaults();
        assertEquals("factor must be in [0, 1), was 1.0", assertThrows(IllegalArgumentException.class, () -> d.withFactor(1)).getMessage());
        assertEquals("patience must be >= 0, was -1", assertThrows(IllegalArgumentException.class, () -> d.withPatience(-1)).getMessage());
        assertEquals("cooldown must be >= 0, was -2", assertThrows(IllegalArgumentException.class, () -> d.withCooldown(-2)).getMessage());
        assertEquals("minLr must be >= 0 and finite, was -1.0", assertThrows(IllegalArgumentException.class, () -> d.withMinLr(-1)).getMessage());
        assertEquals("t0 must be >= 1, was 0", assertThrows(IllegalArgumentException.class, () -> Schedule.cosineWarmRestarts(0, 1, 0)).getMessage());
        assertEquals("tMult must be >= 1, was 0", assertThrows(IllegalArgumentException.class, () -> Schedule.cosineWarmRestarts(5, 0, 0)).getMessage());
        assertEquals("pctStart must be in (0, 1), was 1.5",
                assertThrows(IllegalArgumentException.class, () -> Schedule.oneCycle(100, 1.5, true, 25, 1e4)).getMessage());
        assertEquals("a sequential schedule of 2 schedules needs 1 milestones, got []",
                assertThrows(IllegalArgumentException.class, () -> Schedule.sequential(List.of(Schedule.constant(), Schedule.constant()), List.of()))
                        .getMessage());
    }

    /** Runs 25 positions of a schedule with SGD steps between them, saving and loading the state at {@code cut} (or never). */
    static List<double[]> run(Function<SGD, Consumer<Integer>> schedulerOf, int cut, Path dir) throws IOException {
        var opt = twoGroups();
        var advance = schedulerOf.apply(opt);
        List<double[]> lrs = new ArrayList<>();
        for (int t = 0; t < 25; t++) {
            if (t == cut) {
                Path f = dir.resolve("state-" + System.nanoTime() + ".safetensors");
                OptimizerState.save(opt, f);
                var fresh = twoGroups();
                advance = schedulerOf.apply(fresh);
                OptimizerState.load(fresh, f);
                opt = fresh;
            }
            lrs.add(new double[] {opt.lr(0), opt.lr(1)});
            advance.accept(t);
        }
        return lrs;
    }

    @Test
    void everyScheduleResumesBitForBit(@TempDir Path dir) throws IOException {
        List<Schedule> schedules = List.of(Schedule.cosineWarmRestarts(4, 2, 0.1), Schedule.oneCycle(25, 0.3, true, 25, 1e4),
                Schedule.oneCycle(25, 0.4, false, 10, 100), Schedule.sequential(List.of(Schedule.linearWarmup(3, 0.1), Schedule.cosine(10, 0)), List.of(5)),
                t -> StrictMath.pow(0.9, t));
        for (Schedule s : schedules) {
            Function<SGD, Consumer<Integer>> of = opt -> {
                var sch = new LrScheduler(opt, s);
                return t -> sch.step();
            };
            var whole = run(of, -1, dir);
            for (int cut : new int[] {1, 7, 13}) {
                var resumed = run(of, cut, dir);
                for (int t = 0; t < whole.size(); t++) assertEquals(List.of(whole.get(t)[0], whole.get(t)[1]), List.of(resumed.get(t)[0], resumed.get(t)[1]),
                        s + " cut at " + cut + ", position " + t);
            }
        }
        Function<SGD, Consumer<Integer>> plateau = opt -> {
            var p = new ReduceLrOnPlateau(opt, ReduceLrOnPlateau.Settings.defaults().withPatience(1).withFactor(0.5).withCooldown(1));
            return t -> p.step(METRICS[t]);
        };
        var whole = run(plateau, -1, dir);
        assertEquals(true, whole.get(24)[0] < BASES[0], "the plateau run reduces");
        for (int cut : new int[] {3, 11, 17}) {
            var resumed = run(plateau, cut, dir);
            for (int t = 0; t < whole.size(); t++) assertEquals(whole.get(t)[0], resumed.get(t)[0], 0.0, "plateau cut at " + cut + ", position " + t);
        }
    }
}
