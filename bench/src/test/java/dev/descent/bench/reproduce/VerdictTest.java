package dev.descent.bench.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.bench.reproduce.Verdict.Direction;
import dev.descent.bench.reproduce.Verdict.Outcome;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Verdicts decided by paired intervals: the t distribution against tables and quadrature, the four outcomes on synthetic seeds. */
class VerdictTest {

    @Test
    void studentQuantilesMatchPublishedTables() {
        // Two-sided 95 % and one-sided 95 % critical values, as printed in any t table (4 decimals).
        double[][] table = {{1, 0.975, 12.7062}, {2, 0.975, 4.3027}, {4, 0.975, 2.7764}, {9, 0.975, 2.2622}, {30, 0.975, 2.0423}, {5, 0.95, 2.0150},
            {1000, 0.975, 1.9623}};
        for (double[] row : table) {
            assertEquals(row[2], Statistics.studentTQuantile(row[1], row[0]), 6e-5, "df " + row[0] + ", p " + row[1]);
            assertEquals(-row[2], Statistics.studentTQuantile(1 - row[1], row[0]), 6e-5, "lower tail, df " + row[0]);
        }
    }

    @Test
    void studentCdfEqualsTheIntegralOfTheDensity() {
        qt().withExamples(60).forAll(doubles().between(-8, 8), integers().between(1, 40)).checkAssert((t, df) -> {
            // Simpson's rule on the density from 0 to t, plus one half.
            double logC = Statistics.logGamma((df + 1) / 2.0) - Statistics.logGamma(df / 2.0) - 0.5 * Math.log(df * Math.PI);
            int n = 20_000;
            double h = t / n, sum = 0;
            for (int i = 0; i <= n; i++) {
                double x = i * h, f = Math.exp(logC - (df + 1) / 2.0 * Math.log1p(x * x / df));
                sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
            }
            assertEquals(0.5 + sum * h / 3, Statistics.studentTCdf(t, df), 1e-9, "t " + t + ", df " + df);
        });
    }

    @Test
    void logGammaMatchesFactorials() {
        double f = 1;
        for (int n = 1; n < 25; n++) {
            assertEquals(Math.log(f), Statistics.logGamma(n), 1e-12 * Math.max(1, Math.log(f)), "Γ(" + n + ")");
            f *= n;
        }
        assertEquals(0.5 * Math.log(Math.PI), Statistics.logGamma(0.5), 1e-13);
    }

    @Test
    void theIssuesWorkedExampleGivesItsInterval() {
        // Seed differences +0.27, −0.18, −0.44: the independent reading's paired 95 % CI [−1.01, +0.78].
        Statistics.Interval ci = Statistics.tInterval(new double[] {0.27, -0.18, -0.44}, 0.95);
        assertEquals(-1.01, ci.low(), 0.005);
        assertEquals(0.78, ci.high(), 0.005);
        assertEquals(Outcome.INCONCLUSIVE, Verdict.decide(ci, Direction.ABOVE, 0.5), "rules out +1.89 but not the +0.5 margin");
        assertEquals(Outcome.NOT_REPRODUCED, Verdict.decide(ci, Direction.ABOVE, 1.89));
    }

    @Test
    void intervalsCoverTheMeanAtTheirLevel() {
        SplittableRandom rng = new SplittableRandom(7);
        int trials = 4000, covered = 0;
        for (int t = 0; t < trials; t++) {
            double[] v = new double[5];
            for (int i = 0; i < v.length; i++) v[i] = 3 + 2 * gaussian(rng);
            Statistics.Interval ci = Statistics.tInterval(v, 0.95);
            if (ci.low() <= 3 && 3 <= ci.high()) covered++;
        }
        double rate = (double) covered / trials;
        // Binomial standard error at 95 % over 4000 trials is 0.0034: ±4.5 standard errors.
        assertTrue(Math.abs(rate - 0.95) < 0.0155, "coverage " + rate);
    }

    @Test
    void fourOutcomesFromSyntheticSeedDifferences() {
        double[] control = {70, 71, 72, 73, 74};
        assertEquals(Outcome.REPRODUCED, paired(control, new double[] {2.1, 1.9, 2.0, 2.2, 1.8}, Direction.ABOVE, 0.5), "clearly positive");
        assertEquals(Outcome.NOT_REPRODUCED, paired(control, new double[] {-2.1, -1.9, -2.0, -2.2, -1.8}, Direction.ABOVE, 0.5), "clearly negative");
        assertEquals(Outcome.INCONCLUSIVE, paired(control, new double[] {0.9, 0.1, 0.6, 0.2, 0.7}, Direction.ABOVE, 0.5), "straddles the margin");
        assertEquals(Outcome.NOT_APPLICABLE, paired(control, new double[] {0.9, Double.NaN, 0.6, 0.2, 0.7}, Direction.ABOVE, 0.5), "a run diverged");
        assertEquals(Outcome.INCONCLUSIVE, paired(new double[] {70}, new double[] {5}, Direction.ABOVE, 0.5), "one seed bounds nothing");
        assertEquals(Outcome.REPRODUCED, paired(control, new double[] {-2.1, -1.9, -2.0, -2.2, -1.8}, Direction.BELOW, 0), "a claim of worse");
    }

    @Test
    void reversingTheClaimSwapsTheVerdictAndKeepsInconclusive() {
        qt().withExamples(200).forAll(doubles().between(-3, 3), doubles().between(0.01, 3), doubles().between(-2, 2)).checkAssert((shift, spread, margin) -> {
            double[] d = {shift - spread, shift + 0.3 * spread, shift, shift + spread, shift - 0.3 * spread};
            Statistics.Interval ci = Statistics.tInterval(d, Verdict.LEVEL);
            Outcome above = Verdict.decide(ci, Direction.ABOVE, margin), below = Verdict.decide(ci, Direction.BELOW, margin);
            boolean contains = ci.low() <= margin && margin <= ci.high();
            assertEquals(contains, above == Outcome.INCONCLUSIVE);
            assertEquals(above == Outcome.INCONCLUSIVE ? Outcome.INCONCLUSIVE : above == Outcome.REPRODUCED ? Outcome.NOT_REPRODUCED : Outcome.REPRODUCED, below);
        });
    }

    @Test
    void evidenceShowsIntervalMarginAndSeedCount() {
        Verdict v = Verdict.paired("A beats B.", "A − B", new Comparison(new double[] {3, 4, 5}, new double[] {1, 1, 1}), Direction.ABOVE, 0.5, 2);
        assertTrue(v.evidence().contains("95 % CI [") && v.evidence().contains("n = 3") && v.evidence().contains("margin 0.50"), v.evidence());
        assertTrue(v.markdown().startsWith("- **"), v.markdown());
    }

    private static Outcome paired(double[] control, double[] diff, Direction direction, double margin) {
        double[] treatment = new double[diff.length];
        for (int i = 0; i < diff.length; i++) treatment[i] = control[i] + diff[i];
        return Verdict.paired("claim", "difference", new Comparison(treatment, java.util.Arrays.copyOf(control, diff.length)), direction, margin, 2).outcome();
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
