// What the clipping reproduction measured, and its verdicts computed from those rows alone.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.ImageSource;
import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.XToTheFourth;
import dev.descent.optim.ClippingFramework;
import dev.descent.train.EpochMetrics;
import dev.descent.train.TrainResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The clipping experiment's outcome: the x⁴ rows, the network runs, and one verdict per claim. The
 * verdicts depend on the rows only ({@link #verdicts}), so the rows read back from the CSV files judge
 * the same.
 *
 * @param x4         the x⁴ table (empty when that part did not run)
 * @param x4Seconds  wall time of the x⁴ part
 * @param runs       the network runs (empty when that part did not run)
 * @param data       the images of the network part, or null
 * @param parameters the network's parameter count (0 without a network part)
 * @param resumed    runs read back from an earlier invocation
 * @param verdicts   the x⁴ verdicts, then the network verdicts
 */
public record ClippingOutcome(List<X4> x4, double x4Seconds, List<Run> runs, ImageSource data, long parameters, int resumed, List<Verdict> verdicts)
        implements Experiment.Outcome {

    /**
     * One x⁴ row: iteration counts from a start, ours and those of the project's digest (the ICLR paper itself gives bounds).
     *
     * @param x0           the start
     * @param clipped      clipped GD's iterations ({@link XToTheFourth#CAP} when never)
     * @param fixed        fixed-step GD's iterations
     * @param digestClipped the count the project's digest (docs/papers.md §4) records, 0 when its table has no such start
     * @param digestFixed   the digest's count, 0 when absent, −1 for "not within 10⁶"
     */
    public record X4(double x0, long clipped, long fixed, long digestClipped, long digestFixed) {}

    /**
     * One network run.
     *
     * @param method the optimizer
     * @param clip   the clipping function h of a clipping method, null for SGD+momentum and the baselines
     * @param seed   the seed of its weights and batches
     * @param result how training went, epoch by epoch
     */
    public record Run(ClippingArm method, ClippingFramework.Clip clip, long seed, TrainResult result) {}

    /** The runs of one arm: SGD+momentum, the baselines and the clipping methods with h = {@code clip}, in run order. */
    static List<Run> arm(List<Run> runs, ClippingFramework.Clip clip) {
        return runs.stream().filter(r -> r.clip() == null || r.clip() == clip).toList();
    }

    /** How the report names an arm. */
    static String armName(ClippingFramework.Clip clip) {
        return clip == ClippingFramework.Clip.SOFT ? "soft h = η/(1 + η‖u‖/γ), the authors' code" : "hard h = min(η, γ/‖u‖), the paper's definition";
    }

    /**
     * The verdicts on the claims, from the rows alone.
     *
     * @param cfg  the settings (epochs and milestone)
     * @param x4   the x⁴ rows
     * @param runs the network runs
     * @return the x⁴ verdicts (when it ran), then the network verdicts of each arm (when it ran), the main arm first
     */
    public static List<Verdict> verdicts(ClippingConfig cfg, List<X4> x4, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        if (!x4.isEmpty()) v.addAll(x4Verdicts(x4));
        if (!runs.isEmpty()) for (ClippingFramework.Clip clip : cfg.clips()) v.addAll(networkVerdicts(cfg, arm(runs, clip), clip));
        return List.copyOf(v);
    }

    static List<Verdict> x4Verdicts(List<X4> x4) {
        List<Verdict> v = new ArrayList<>();
        List<String> table = new ArrayList<>();
        boolean exact = true, any = false;
        for (X4 r : x4) {
            if (r.digestClipped() == 0) continue;
            any = true;
            long digestFixed = r.digestFixed() < 0 ? XToTheFourth.CAP : r.digestFixed();
            exact &= r.clipped() == r.digestClipped() && r.fixed() == digestFixed;
            table.add(String.format(Locale.ROOT, "x0 = %s: %d vs %d, %s vs %s", Statistics.sig(r.x0()), r.clipped(), r.digestClipped(), fixedText(r.fixed()),
                    r.digestFixed() < 0 ? "> 10⁶" : Long.toString(r.digestFixed())));
        }
        String claim = "The x⁴ table of the project's digest (docs/papers.md §4; the ICLR paper gives bounds, not these counts): iterations to"
                + " |f'(x)| ≤ 1e-3 of clipped GD (η = 1/120, γ = 4) and fixed-step GD (η = 1.9/(12·x0²)) from x0 = 3, 10, 30, 100 are"
                + " 3,821 / 4,031 / 4,631 / 6,731 and 1,782 / 19,883 / 179,029 / not within 10⁶.";
        String criterion = "every count for a start in the digest's table equals the digest's exactly (counts are float64 and deterministic).";
        v.add(any ? new Verdict(claim, criterion, Verdict.Outcome.of(exact), "ours vs digest (clipped; fixed-step): " + String.join("; ", table) + ".")
                : new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "no start of the digest's table was run."));

        X4 base = x4.get(0);
        boolean linear = true, quadratic = true;
        List<String> ratios = new ArrayList<>();
        for (X4 r : x4) {
            double k = r.x0() / base.x0();
            double rc = (double) r.clipped() / base.clipped();
            linear &= r.clipped() < XToTheFourth.CAP && rc <= k;
            double predicted = base.fixed() * k * k;
            boolean ok = r.fixed() < XToTheFourth.CAP ? r.fixed() >= predicted / 2 && r.fixed() <= predicted * 2 : predicted > XToTheFourth.CAP;
            quadratic &= base.fixed() < XToTheFourth.CAP && ok;
            ratios.add(String.format(Locale.ROOT, "x0/x0₁ = %s: clipped ×%s, fixed-step %s (quadratic law predicts %s)", Statistics.sig(k),
                    Statistics.sig(rc), fixedText(r.fixed()), Statistics.sig(predicted)));
        }
        v.add(new Verdict("Clipped GD's iterations grow at most linearly in x0, fixed-step GD's roughly quadratically.",
                "with x0₁ the smallest start: every clipped count ≤ (x0/x0₁)·count(x0₁); every fixed-step count within a factor 2 of"
                        + " (x0/x0₁)²·count(x0₁), and a fixed-step run that hit the cap of 10⁶ must be predicted above it by that law.",
                Verdict.Outcome.of(linear && quadratic), String.join("; ", ratios) + "."));
        return v;
    }

    static String fixedText(long n) {
        return n >= XToTheFourth.CAP ? "> 10⁶" : Long.toString(n);
    }

    /** One value per seed of a method at an epoch (NaN when a run did not reach it): training loss, or test accuracy in %. */
    static double[] valuesAt(List<Run> runs, ClippingArm m, int epoch, boolean trainLoss) {
        return runs.stream().filter(r -> r.method().key().equals(m.key())).mapToDouble(r -> {
            EpochMetrics e = r.result().epoch(epoch);
            return e == null ? Double.NaN : trainLoss ? e.trainLoss() : 100 * e.testAccuracy();
        }).toArray();
    }

    /** Mean over seeds of an epoch's value (NaN when a run did not reach it). */
    static double meanAt(List<Run> runs, ClippingArm m, int epoch, boolean trainLoss) {
        return Statistics.mean(valuesAt(runs, m, epoch, trainLoss));
    }

    /** Within how many points of each other the four methods' final test accuracies must lie for the claim "about the same accuracy". */
    static final double SAME_ACCURACY = 1.0;
    /** How far below SGD+momentum's training loss mixed clipping's must be for "clearly faster": ln 0.8, 20 % below. */
    static final double CLEARLY_FASTER = Math.log(0.8);

    static List<Verdict> networkVerdicts(ClippingConfig cfg, List<Run> runs, ClippingFramework.Clip clip) {
        String arm = " Clipping methods with the " + armName(clip) + ".";
        List<Verdict> v = new ArrayList<>();
        int before = cfg.milestone(), last = cfg.epochs();
        Comparison logLoss = new Comparison(log(valuesAt(runs, ClippingMethod.MIXED, before, true)), log(valuesAt(runs, ClippingMethod.SGD_MOMENTUM, before, true)));
        String claim1 = String.format(Locale.ROOT, "Before the first decay, mixed clipping trains clearly faster than SGD+momentum (paper, ResNet-32 on CIFAR-10:"
                + " training loss ≈ 0.2 vs ≈ 0.4, test accuracy ≈ 89 %% vs ≈ 80 %%). Measured in epoch %d: training loss mixed %s, SGD+momentum %s;"
                + " test accuracy %s %% vs %s %%.", before, Statistics.format(meanAt(runs, ClippingMethod.MIXED, before, true), 4),
                Statistics.format(meanAt(runs, ClippingMethod.SGD_MOMENTUM, before, true), 4),
                Statistics.format(meanAt(runs, ClippingMethod.MIXED, before, false), 2), Statistics.format(meanAt(runs, ClippingMethod.SGD_MOMENTUM, before, false), 2));
        Verdict faster = Verdict.paired(claim1 + arm, "ln(mixed's training loss) − ln(SGD+momentum's) in epoch " + before + " (margin ln 0.8: 20 % lower)", logLoss,
                Verdict.Direction.BELOW, CLEARLY_FASTER, 3);
        v.add(withDivergence(faster, runs));
        Verdict same = sameAccuracy(runs, last);
        v.add(withDivergence(new Verdict(same.claim() + arm, same.criterion(), same.outcome(), same.evidence()), runs));
        return v;
    }

    /**
     * "After the decays all four methods reach about the same test accuracy": an equivalence claim, judged pair by pair.
     * Reproduced when every pair's paired 95 % interval of the final accuracy difference lies inside ±{@value #SAME_ACCURACY}
     * points; not reproduced when some pair's interval lies wholly outside; inconclusive otherwise.
     */
    static Verdict sameAccuracy(List<Run> runs, int last) {
        String claim = "After the decays all four methods reach about the same test accuracy (paper: ≈ 93 % each, ResNet-32, 150 epochs).";
        String criterion = "for every pair of methods, the paired 95 % t-interval over seeds of the difference in test accuracy in epoch " + last
                + " lies within ±" + Statistics.format(SAME_ACCURACY, 1) + " points (reproduced); some pair's interval lies wholly outside (not reproduced);"
                + " otherwise inconclusive.";
        ClippingMethod[] ms = ClippingMethod.values();
        List<String> finals = new ArrayList<>(), pairs = new ArrayList<>();
        for (ClippingMethod m : ms) finals.add(m.label + " " + Statistics.meanStd(valuesAt(runs, m, last, false), 2) + " %");
        boolean allInside = true, someOutside = false, nan = false;
        for (int i = 0; i < ms.length; i++) {
            for (int j = i + 1; j < ms.length; j++) {
                Statistics.Interval ci = Statistics.tInterval(new Comparison(valuesAt(runs, ms[i], last, false), valuesAt(runs, ms[j], last, false))
                        .pairedDifferences(), Verdict.LEVEL);
                nan |= Double.isNaN(ci.mean());
                allInside &= ci.low() > -SAME_ACCURACY && ci.high() < SAME_ACCURACY;
                someOutside |= ci.low() > SAME_ACCURACY || ci.high() < -SAME_ACCURACY;
                pairs.add(ms[i].label + " − " + ms[j].label + " " + ci.format(2));
            }
        }
        String evidence = "final test accuracy: " + String.join(", ", finals) + ". Paired differences: " + String.join("; ", pairs) + ".";
        Verdict.Outcome outcome = nan ? Verdict.Outcome.NOT_REPRODUCED
                : allInside ? Verdict.Outcome.REPRODUCED : someOutside ? Verdict.Outcome.NOT_REPRODUCED : Verdict.Outcome.INCONCLUSIVE;
        return new Verdict(claim, criterion, outcome, nan ? evidence + " A method that diverged does not reach the others' accuracy." : evidence);
    }

    private static Verdict withDivergence(Verdict v, List<Run> runs) {
        String d = diverged(runs);
        return d.isEmpty() ? v : new Verdict(v.claim(), v.criterion(), v.outcome(), v.evidence() + d);
    }

    private static double[] log(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.log(v[i]);
        return r;
    }

    /** The runs that diverged, as a sentence (empty when none did). */
    static String diverged(List<Run> runs) {
        List<String> d = new ArrayList<>();
        for (Run r : runs) {
            if (r.result().diverged()) d.add(r.method().label() + (r.clip() == null ? "" : " (" + ClippingCsv.clipKey(r.clip()) + " h)") + " seed " + r.seed() + ": "
                    + r.result().message());
        }
        return d.isEmpty() ? "" : " Diverged: " + String.join("; ", d) + ".";
    }
}
