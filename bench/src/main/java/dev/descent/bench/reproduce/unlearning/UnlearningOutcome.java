// What the unlearning reproduction measured, and its verdicts on claims (i) and (ii) computed from those runs alone.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Comparison;
import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Cell;
import dev.descent.bench.reproduce.unlearning.UnlearningConfig.Student;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The unlearning experiment's outcome: every run (the rows of {@code unlearning-runs.csv} and
 * {@code unlearning-trajectories.csv}) and the verdicts, per student. Claim (i), a larger c2 gives more
 * unlearning, is judged on the drop of the alignment from its peak to its last value, for a student that can
 * represent the teacher's even He2 term; for an odd student (which cannot: its population gradient does not
 * depend on c2) on the odd-teacher control, c3 against none. Claim (ii), a larger a0 mitigates unlearning,
 * is judged on the final alignment (a drop can shrink only because the peak is lower).
 *
 * @param runs     the runs, in run order (seed, then cell)
 * @param verdicts per student in the config's order: claim (i), then claim (ii)
 */
public record UnlearningOutcome(List<Run> runs, List<Verdict> verdicts) implements Experiment.Outcome {

    /** The monotonicity tolerance (reported) and the margin the paired interval of the effect must clear (alignment units, in [0, 1]). */
    static final double TOLERANCE = 0.01, MARGIN = 0.02;

    /**
     * One run: a cell and a seed, with its trajectory at the recorded steps and the exact peak.
     *
     * @param cell       the student, the teacher's c2 and c3, a0 and the kind of batches
     * @param seed       the seed
     * @param trajectory per recorded step: {step, alignment, energy alignment, mean a, batch loss}
     * @param initial    the alignment at step 0
     * @param peak       the largest alignment over every step
     * @param peakStep   the step of the peak
     * @param peakLoss   the batch loss of the peak step (NaN when the peak is step 0)
     * @param last       the alignment at the last step
     * @param lastMeanA  the mean second-layer weight at the last step
     * @param lastLoss   the batch loss of the last step
     */
    public record Run(Cell cell, long seed, List<double[]> trajectory, double initial, double peak, int peakStep, double peakLoss, double last,
                      double lastMeanA, double lastLoss) {
        /**
         * How much alignment was lost after the peak.
         *
         * @return peak − last
         */
        public double drop() {
            return peak - last;
        }

        /**
         * The share of the alignment gained by the peak that was lost by the end.
         *
         * @return (peak − last)/(peak − initial); NaN when nothing was gained
         */
        public double gainLost() {
            return peak > initial ? (peak - last) / (peak - initial) : Double.NaN;
        }
    }

    /**
     * The outcome of a list of runs.
     *
     * @param cfg  the settings (the sweeps)
     * @param runs the runs
     * @return the runs with their verdicts
     */
    public static UnlearningOutcome of(UnlearningConfig cfg, List<Run> runs) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Student s : cfg.students()) {
            verdicts.add(s.odd() ? c3Verdict(cfg, runs, s) : c2Verdict(cfg, runs, s));
            verdicts.add(a0Verdict(cfg, runs, s));
        }
        return new UnlearningOutcome(List.copyOf(runs), List.copyOf(verdicts));
    }

    /** The mean over seeds of a run statistic of a cell. */
    static double meanOf(List<Run> runs, Cell cell, ToDoubleFunction<Run> f) {
        return Statistics.mean(valuesOf(runs, cell, f));
    }

    /** A run statistic of a cell, one value per seed in seed order. */
    static double[] valuesOf(List<Run> runs, Cell cell, ToDoubleFunction<Run> f) {
        return runs.stream().filter(r -> r.cell().equals(cell)).mapToDouble(f).toArray();
    }

    /** The c2-sweep cell of a student at a c2 (a0 base, no c3). */
    static Cell c2Cell(UnlearningConfig cfg, Student s, double c2, boolean antithetic) {
        return new Cell(s, c2, 0, cfg.a0Base(), antithetic);
    }

    /** The a0-sweep cell of a student at an a0 (c2 base). */
    static Cell a0Cell(UnlearningConfig cfg, Student s, double a0) {
        return new Cell(s, cfg.c2Base(), 0, a0, false);
    }

    /** The statistic along a sweep's cells, as "name = v: mean" parts. */
    private static String along(List<Run> runs, List<Cell> cells, List<Double> values, String name, ToDoubleFunction<Run> f) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) parts.add(name + " = " + Statistics.sig(values.get(i)) + ": " + Statistics.format(meanOf(runs, cells.get(i), f), 4));
        return String.join("; ", parts);
    }

    /** Whether the means along the cells move in the claim's direction (sign +1: rise), within the tolerance. */
    private static boolean monotone(List<Run> runs, List<Cell> cells, double sign, ToDoubleFunction<Run> f) {
        boolean m = true;
        for (int i = 1; i < cells.size(); i++) m &= sign * (meanOf(runs, cells.get(i), f) - meanOf(runs, cells.get(i - 1), f)) >= -TOLERANCE;
        return m;
    }

    /** Claim (i) for a student that can represent the even term: the drop at the largest c2 − the drop at the smallest, above the margin. */
    static Verdict c2Verdict(UnlearningConfig cfg, List<Run> runs, Student s) {
        String claim = "(i) A stronger primary nonlinear term of the teacher (its second Hermite coefficient c2) induces feature unlearning — student "
                + s.formula() + ".";
        List<Double> values = cfg.c2Sweep();
        List<Cell> cells = values.stream().map(c2 -> c2Cell(cfg, s, c2, false)).toList();
        String drops = along(runs, cells, values, "c2", Run::drop);
        if (cells.size() < 2) {
            return new Verdict(claim, "the alignment drop must change along the c2 sweep; it has one value.", Verdict.Outcome.NOT_APPLICABLE,
                    "the sweep has one value: " + drops + ".");
        }
        Comparison ends = new Comparison(valuesOf(runs, cells.getLast(), Run::drop), valuesOf(runs, cells.getFirst(), Run::drop));
        String what = String.format(Locale.ROOT, "drop at c2 = %s − drop at c2 = %s (a0 = %s)", Statistics.sig(values.getLast()),
                Statistics.sig(values.getFirst()), Statistics.sig(cfg.a0Base()));
        Verdict v = Verdict.paired(claim, what + ", the drop being the alignment's fall from its peak to its last value", ends, Verdict.Direction.ABOVE,
                MARGIN, 4);
        return new Verdict(v.claim(), v.criterion(), v.outcome(), v.evidence() + " Mean drops along the sweep: " + drops + " ("
                + (monotone(runs, cells, 1, Run::drop) ? "monotone" : "not monotone") + " within " + TOLERANCE + "); final alignments: "
                + along(runs, cells, values, "c2", Run::last) + ".");
    }

    /**
     * Claim (i) for an odd student, whose population gradient does not see c2: judged on the odd-teacher control instead, the drop
     * with a He3 term (c2 = 0, c3) − the drop without (c2 = c3 = 0), above the margin; not applicable without the control.
     */
    static Verdict c3Verdict(UnlearningConfig cfg, List<Run> runs, Student s) {
        String claim = "(i) A stronger primary nonlinear term of the teacher induces feature unlearning — odd student " + s.formula()
                + ", which cannot represent the even He2 term, so the term tested is He3 (odd-teacher control).";
        if (!(cfg.c3() > 0)) {
            return new Verdict(claim, "needs the odd-teacher control (--c3 > 0).", Verdict.Outcome.NOT_APPLICABLE,
                    "no control was run; the c2 sweep of an odd student measures minibatch noise only (its population gradient does not depend on c2).");
        }
        Cell with = new Cell(s, 0, cfg.c3(), cfg.a0Base(), false), without = new Cell(s, 0, 0, cfg.a0Base(), false);
        Comparison c = new Comparison(valuesOf(runs, with, Run::drop), valuesOf(runs, without, Run::drop));
        String what = String.format(Locale.ROOT, "drop at c3 = %s − drop at c3 = 0 (c2 = 0, a0 = %s)", Statistics.sig(cfg.c3()), Statistics.sig(cfg.a0Base()));
        Verdict v = Verdict.paired(claim, what + ", the drop being the alignment's fall from its peak to its last value", c, Verdict.Direction.ABOVE, MARGIN, 4);
        return new Verdict(v.claim(), v.criterion(), v.outcome(), v.evidence() + String.format(Locale.ROOT, " Final alignments: %s with the He3 term, %s without.",
                Statistics.format(meanOf(runs, with, Run::last), 4), Statistics.format(meanOf(runs, without, Run::last), 4)));
    }

    /** Claim (ii): the final alignment at the largest a0 − that at the smallest, above the margin. */
    static Verdict a0Verdict(UnlearningConfig cfg, List<Run> runs, Student s) {
        String claim = "(ii) A larger initial scale a0 of the second layer mitigates feature unlearning — student " + s.formula() + ".";
        List<Double> values = cfg.a0Sweep();
        List<Cell> cells = values.stream().map(a0 -> a0Cell(cfg, s, a0)).toList();
        String finals = along(runs, cells, values, "a0", Run::last);
        if (cells.size() < 2) {
            return new Verdict(claim, "the final alignment must change along the a0 sweep; it has one value.", Verdict.Outcome.NOT_APPLICABLE,
                    "the sweep has one value: " + finals + ".");
        }
        Comparison ends = new Comparison(valuesOf(runs, cells.getLast(), Run::last), valuesOf(runs, cells.getFirst(), Run::last));
        String what = String.format(Locale.ROOT, "final alignment at a0 = %s − final alignment at a0 = %s (c2 = %s)", Statistics.sig(values.getLast()),
                Statistics.sig(values.getFirst()), Statistics.sig(cfg.c2Base()));
        Verdict v = Verdict.paired(claim, what + " (the final alignment, not the drop from the peak: a drop also shrinks when the peak is lower)", ends,
                Verdict.Direction.ABOVE, MARGIN, 4);
        return new Verdict(v.claim(), v.criterion(), v.outcome(), v.evidence() + " Mean final alignments along the sweep: " + finals + " ("
                + (monotone(runs, cells, 1, Run::last) ? "monotone" : "not monotone") + " within " + TOLERANCE + "); peaks: "
                + along(runs, cells, values, "a0", Run::peak) + ".");
    }

    /**
     * Whether the network still fits while the alignment falls, at a cell: the batch loss at the alignment's peak and at the end,
     * both as a share of the loss of f ≡ 0 (½·E[y²] = ½·(c1² + c2² + c3²) + ½·noise²).
     */
    static String fit(UnlearningConfig cfg, List<Run> runs, Cell cell) {
        double zero = 0.5 * (cfg.c1() * cfg.c1() + cell.c2() * cell.c2() + cell.c3() * cell.c3() + cfg.labelNoise() * cfg.labelNoise());
        double atPeak = meanOf(runs, cell, Run::peakLoss), end = meanOf(runs, cell, Run::lastLoss);
        double drop = meanOf(runs, cell, Run::drop);
        String verb = end <= atPeak ? "still falls" : "rises";
        return String.format(Locale.ROOT, "At c2 = %s, a0 = %s the alignment falls by %s after its peak while the batch loss %s, from %s to %s of the"
                        + " loss of f ≡ 0 (%s).", Statistics.sig(cell.c2()), Statistics.sig(cell.a0()), Statistics.format(drop, 4), verb,
                Statistics.format(atPeak / zero, 4), Statistics.format(end / zero, 4), Statistics.sig(zero));
    }

    /** What the end of a sweep shows: whether the alignment still falls at the smallest c2, or at the largest a0. */
    static String observation(UnlearningConfig cfg, List<Run> runs, Student s, boolean c2Sweep) {
        Cell cell = c2Sweep ? c2Cell(cfg, s, cfg.c2Sweep().getFirst(), false) : a0Cell(cfg, s, cfg.a0Sweep().getLast());
        double drop = meanOf(runs, cell, Run::drop), peak = meanOf(runs, cell, Run::peak), last = meanOf(runs, cell, Run::last);
        String at = c2Sweep ? "c2 = " + Statistics.sig(cell.c2()) : "a0 = " + Statistics.sig(cell.a0());
        String numbers = String.format(Locale.ROOT, "from %s to %s (drop %s)", Statistics.format(peak, 4), Statistics.format(last, 4), Statistics.format(drop, 4));
        if (drop < MARGIN) {
            return "At " + at + " the alignment keeps its peak: " + numbers + ", below the " + MARGIN + " that counts as an effect here.";
        }
        return c2Sweep ? "At " + at + " — no second Hermite term in the teacher — the alignment still falls " + numbers + ": for this student"
                + " unlearning happens without the nonlinear term, and c2 changes at most how much."
                : "At the largest initial scale, " + at + ", the alignment still falls " + numbers + ": a larger a0 does not remove unlearning here.";
    }
}
