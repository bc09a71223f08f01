// Two arms of an experiment measured on the same seeds: what the network experiments' verdicts compare.
package dev.descent.bench.reproduce;

/**
 * A measurement of two arms (e.g. SR-Adam and Adam) over the same seeds, in seed order, so that
 * {@code treatment[i]} and {@code control[i]} share seed i's initial weights and batches, so verdicts judge the
 * per-seed differences by a paired confidence interval ({@link Verdict#paired}).
 *
 * @param treatment the arm the claim is about, one value per seed
 * @param control   the arm it is compared with, one value per seed
 */
public record Comparison(double[] treatment, double[] control) {

    /**
     * The difference of the means, treatment − control.
     *
     * @return mean(treatment) − mean(control); NaN when either holds NaN
     */
    public double difference() {
        return Statistics.mean(treatment) - Statistics.mean(control);
    }

    /**
     * The ratio of the means, treatment / control.
     *
     * @return mean(treatment) / mean(control)
     */
    public double ratio() {
        return Statistics.mean(treatment) / Statistics.mean(control);
    }

    /**
     * The per-seed differences, treatment[i] − control[i].
     *
     * @return the paired differences
     * @throws IllegalStateException when the arms have different seed counts
     */
    public double[] pairedDifferences() {
        if (treatment.length != control.length) throw new IllegalStateException(treatment.length + " treatment values but " + control.length + " control values");
        double[] d = new double[treatment.length];
        for (int i = 0; i < d.length; i++) d[i] = treatment[i] - control[i];
        return d;
    }
}
