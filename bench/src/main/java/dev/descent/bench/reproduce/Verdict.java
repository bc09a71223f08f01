// One claim of a paper, the criterion it was judged by, the outcome and the numbers behind it.
package dev.descent.bench.reproduce;

/**
 * The verdict on one claim of a paper: what the paper claims, the criterion stated before the run,
 * the outcome, and the measured numbers that decided it. Reports print one line per verdict.
 *
 * @param claim     the claim, in the paper's terms
 * @param criterion the test applied to the measurements, with its thresholds
 * @param outcome   reproduced, not reproduced, or not applicable
 * @param evidence  the measured numbers (and, for not applicable, why)
 */
public record Verdict(String claim, String criterion, Outcome outcome, String evidence) {

    /** What became of a claim. */
    public enum Outcome {
        /** The criterion held. */
        REPRODUCED("Reproduced"),
        /** The criterion failed. */
        NOT_REPRODUCED("Not reproduced"),
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
