// What the clipping reproduction measured, and its verdicts computed from those rows alone.
package dev.descent.bench.reproduce.clipping;

import dev.descent.bench.ImageSource;
import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.XToTheFourth;
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
     * One x⁴ row: iteration counts from a start, ours and the paper's.
     *
     * @param x0           the start
     * @param clipped      clipped GD's iterations ({@link XToTheFourth#CAP} when never)
     * @param fixed        fixed-step GD's iterations
     * @param paperClipped the paper's count, 0 when its table has no such start
     * @param paperFixed   the paper's count, 0 when absent, −1 for "not within 10⁶"
     */
    public record X4(double x0, long clipped, long fixed, long paperClipped, long paperFixed) {}

    /**
     * One network run.
     *
     * @param method the optimizer
     * @param seed   the seed of its weights and batches
     * @param result how training went, epoch by epoch
     */
    public record Run(ClippingMethod method, long seed, TrainResult result) {}

    /**
     * The verdicts on the claims, from the rows alone.
     *
     * @param cfg  the settings (epochs and milestone)
     * @param x4   the x⁴ rows
     * @param runs the network runs
     * @return the x⁴ verdicts (when it ran), then the network verdicts (when it ran)
     */
    public static List<Verdict> verdicts(ClippingConfig cfg, List<X4> x4, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        if (!x4.isEmpty()) v.addAll(x4Verdicts(x4));
        if (!runs.isEmpty()) v.addAll(networkVerdicts(cfg, runs));
        return List.copyOf(v);
    }

    static List<Verdict> x4Verdicts(List<X4> x4) {
        List<Verdict> v = new ArrayList<>();
        List<String> table = new ArrayList<>();
        boolean exact = true, any = false;
        for (X4 r : x4) {
            if (r.paperClipped() == 0) continue;
            any = true;
            long paperFixed = r.paperFixed() < 0 ? XToTheFourth.CAP : r.paperFixed();
            exact &= r.clipped() == r.paperClipped() && r.fixed() == paperFixed;
            table.add(String.format(Locale.ROOT, "x0 = %s: %d vs %d, %s vs %s", Statistics.sig(r.x0()), r.clipped(), r.paperClipped(), fixedText(r.fixed()),
                    r.paperFixed() < 0 ? "> 10⁶" : Long.toString(r.paperFixed())));
        }
        String claim = "The x⁴ table: iterations to |f'(x)| ≤ 1e-3 of clipped GD (η = 1/120, γ = 4) and fixed-step GD (η = 1.9/(12·x0²)) from"
                + " x0 = 3, 10, 30, 100 are 3,821 / 4,031 / 4,631 / 6,731 and 1,782 / 19,883 / 179,029 / not within 10⁶.";
        String criterion = "every count for a start in the paper's table equals the published one exactly (counts are float64 and deterministic).";
        v.add(any ? new Verdict(claim, criterion, Verdict.Outcome.of(exact), "ours vs paper (clipped; fixed-step): " + String.join("; ", table) + ".")
                : new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "no start of the paper's table was run."));

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
    static double[] valuesAt(List<Run> runs, ClippingMethod m, int epoch, boolean trainLoss) {
        return runs.stream().filter(r -> r.method() == m).mapToDouble(r -> {
            EpochMetrics e = r.result().epoch(epoch);
            return e == null ? Double.NaN : trainLoss ? e.trainLoss() : 100 * e.testAccuracy();
        }).toArray();
    }

    /** Mean over seeds of an epoch's value (NaN when a run did not reach it). */
    static double meanAt(List<Run> runs, ClippingMethod m, int epoch, boolean trainLoss) {
        return Statistics.mean(valuesAt(runs, m, epoch, trainLoss));
    }

    static List<Verdict> networkVerdicts(ClippingConfig cfg, List<Run> runs) {
        List<Verdict> v = new ArrayList<>();
        int before = cfg.milestone(), last = cfg.epochs();
        Comparison loss = new Comparison(valuesAt(runs, ClippingMethod.MIXED, before, true), valuesAt(runs, ClippingMethod.SGD_MOMENTUM, before, true));
        double sgd = Statistics.mean(loss.control()), mixed = Statistics.mean(loss.treatment());
        String claim1 = "Before the first decay, mixed clipping trains clearly faster than SGD+momentum (paper, ResNet-32 on CIFAR-10: training loss"
                + " ≈ 0.2 vs ≈ 0.4, test accuracy ≈ 89 % vs ≈ 80 %).";
        String crit1 = "mean training loss over seeds in epoch " + before + " (the last before the decay): mixed ≤ 0.8 × SGD+momentum's (at least 20 % below).";
        String ev1 = String.format(Locale.ROOT, "training loss in epoch %d: mixed %s, SGD+momentum %s (ratio %s); test accuracy %s %% vs %s %%.", before,
                Statistics.format(mixed, 4), Statistics.format(sgd, 4), Statistics.format(loss.ratio(), 3),
                Statistics.format(meanAt(runs, ClippingMethod.MIXED, before, false), 2), Statistics.format(meanAt(runs, ClippingMethod.SGD_MOMENTUM, before, false), 2));
        v.add(Double.isNaN(sgd) || Double.isNaN(mixed) ? new Verdict(claim1, crit1, Verdict.Outcome.NOT_APPLICABLE, ev1 + diverged(runs))
                : new Verdict(claim1, crit1, Verdict.Outcome.of(mixed <= 0.8 * sgd), ev1));
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        List<String> finals = new ArrayList<>();
        boolean nan = false;
        for (ClippingMethod m : ClippingMethod.values()) {
            double a = meanAt(runs, m, last, false);
            nan |= Double.isNaN(a);
            lo = Math.min(lo, a);
            hi = Math.max(hi, a);
            finals.add(m.label + " " + Statistics.format(a, 2) + " %");
        }
        String claim2 = "After the decays all four methods reach about the same test accuracy (paper: ≈ 93 % each, ResNet-32, 150 epochs).";
        String crit2 = "the mean final test accuracies (epoch " + last + ") of the four methods lie within 1.0 point of each other.";
        String ev2 = "final test accuracy: " + String.join(", ", finals) + "; spread " + Statistics.format(hi - lo, 2) + " points.";
        v.add(nan ? new Verdict(claim2, crit2, Verdict.Outcome.NOT_REPRODUCED, ev2 + diverged(runs) + " A method that diverged does not reach the others' accuracy.")
                : new Verdict(claim2, crit2, Verdict.Outcome.of(hi - lo <= 1.0), ev2));
        return v;
    }

    /** The runs that diverged, as a sentence (empty when none did). */
    static String diverged(List<Run> runs) {
        List<String> d = new ArrayList<>();
        for (Run r : runs) if (r.result().diverged()) d.add(r.method().label + " seed " + r.seed() + ": " + r.result().message());
        return d.isEmpty() ? "" : " Diverged: " + String.join("; ", d) + ".";
    }
}
