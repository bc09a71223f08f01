// One claim of a paper, the criterion it was judged by, the outcome and the numbers behind it.
package dev.descent.bench.reproduce;

/**
 * The verdict on one claim of a paper: what the paper claims, the criterion stated before the run,
 * the outcome, and the measured numbers that decided it. Reports print one line per verdict.
 *
 * @param claim     the claim, in the paper's terms
 * @param criterion the test applied to the measurements, with its thresholds
 * @param outcome   reproduced, not reproduced, inconclusive, or not applicable
 * @param evidence  the measured numbers (and, for not applicable, why)
 */
public record Verdict(String claim, String criterion, Outcome outcome, String evidence) {

    /** What became of a claim. */
    public enum Outcome {
        /** The criterion held. */
        REPRODUCED("Reproduced"),
        /** The criterion failed. */
        NOT_REPRODUCED("Not reproduced"),
        /** The measurements neither support nor rule out the claim: the confidence interval straddles the margin. */
        INCONCLUSIVE("Inconclusive"),
        /** The criterion could not be applied (the paper's setup is not public, a run diverged, ...). */
        NOT_APPLICABLE("Not applicable");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        /**
         * The label reports print.
         *
         * @return for example {@code Not reproduced}
         */
        public String label() {
            return label;
        }

        /**
         * The outcome of a criterion that was evaluated.
         *
         * @param held whether it held
         * @return {@link #REPRODUCED} or {@link #NOT_REPRODUCED}
         */
        public static Outcome of(boolean held) {
            return held ? REPRODUCED : NOT_REPRODUCED;
        }
    }

    /** Which side of the margin a claim puts the paired difference treatment − control on. */
    public enum Direction {
        /** The claim: the difference exceeds the margin (treatment better by more than the margin, for a score). */
        ABOVE("above"),
        /** The claim: the difference stays below the margin. */
        BELOW("below");

        private final String word;

        Direction(String word) {
            this.word = word;
        }
    }

    /** The coverage of every paired interval a verdict is decided by. */
    public static final double LEVEL = 0.95;

    /**
     * The verdict on a claim about a paired difference, decided by its 95 % paired t-interval over seeds
     * ({@link Statistics#tInterval} of {@link Comparison#pairedDifferences()}) against a margin fixed before the run:
     * the whole interval on the claim's side of the margin is {@link Outcome#REPRODUCED}, the whole interval on the
     * other side {@link Outcome#NOT_REPRODUCED}, an interval that contains the margin {@link Outcome#INCONCLUSIVE}
     * (so is any interval from a single seed, which is unbounded); a NaN difference (a diverged run) is
     * {@link Outcome#NOT_APPLICABLE}. The evidence prints the means of both arms, the interval, the margin and
     * the number of seeds.
     *
     * @param claim     the claim
     * @param what      what the difference measures, e.g. {@code "SR-Adam − Adam, best test accuracy (points)"}
     * @param c         the two arms, paired by seed
     * @param direction the side of the margin the claim puts the difference on
     * @param margin    the margin, in the difference's unit
     * @param decimals  digits printed after the point
     * @return the verdict
     */
    public static Verdict paired(String claim, String what, Comparison c, Direction direction, double margin, int decimals) {
        Statistics.Interval ci = Statistics.tInterval(c.pairedDifferences(), LEVEL);
        String criterion = "paired difference " + what + " over seeds: the " + Math.round(100 * LEVEL) + " % t-interval lies " + direction.word
                + " " + Statistics.format(margin, decimals) + " (reproduced), on the other side (not reproduced), or contains it (inconclusive).";
        String evidence = "treatment " + Statistics.meanStd(c.treatment(), decimals) + ", control " + Statistics.meanStd(c.control(), decimals)
                + "; paired difference " + ci.format(decimals) + "; margin " + Statistics.format(margin, decimals) + ".";
        return new Verdict(claim, criterion, decide(ci, direction, margin), evidence);
    }

    /**
     * The outcome an interval gives a claim that the quantity lies {@code direction} {@code margin}.
     *
     * @param ci        the confidence interval
     * @param direction the claim's side
     * @param margin    the margin
     * @return reproduced, not reproduced, inconclusive, or not applicable (NaN)
     */
    public static Outcome decide(Statistics.Interval ci, Direction direction, double margin) {
        if (Double.isNaN(ci.mean()) || Double.isNaN(ci.low()) || Double.isNaN(ci.high())) return Outcome.NOT_APPLICABLE;
        boolean above = ci.low() > margin, below = ci.high() < margin;
        if (!above && !below) return Outcome.INCONCLUSIVE;
        return (direction == Direction.ABOVE) == above ? Outcome.REPRODUCED : Outcome.NOT_REPRODUCED;
    }

    /** Rejects empty parts: a verdict without a criterion or evidence would not be one. */
    public Verdict {
        if (claim == null || claim.isBlank()) throw new IllegalArgumentException("a verdict needs a claim");
        if (criterion == null || criterion.isBlank()) throw new IllegalArgumentException("verdict on '" + claim + "' needs a criterion");
        if (outcome == null) throw new IllegalArgumentException("verdict on '" + claim + "' needs an outcome");
        if (evidence == null || evidence.isBlank()) throw new IllegalArgumentException("verdict on '" + claim + "' needs evidence");
    }

    /**
     * The verdict as one Markdown list item.
     *
     * @return {@code - **Reproduced** — claim. Criterion: … Measured: …}
     */
    public String markdown() {
        return "- **" + outcome.label() + "** — " + claim + " *Criterion:* " + criterion + " *Measured:* " + evidence;
    }
}
