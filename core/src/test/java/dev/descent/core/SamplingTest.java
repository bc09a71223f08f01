package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * multinomial, randint and randperm: the same seed gives the same draws, and the draws follow their distribution
 * (Pearson's chi-square with a fixed seed; each bound lies far in the tail, about p = 1e-6, yet a wrong
 * distribution exceeds it by orders of magnitude).
 */
class SamplingTest {

    /** Σ (observed − expected)² / expected. */
    static double chiSquare(long[] observed, double[] expected) {
        double c = 0;
        for (int i = 0; i < observed.length; i++) c += Math.pow(observed[i] - expected[i], 2) / expected[i];
        return c;
    }

    @Test
    void theSameSeedGivesTheSameDraws() {
        Tensor w = Tensor.of(new double[][] {{1, 2, 3}, {0, 5, 1}});
        assertTrue(Tensor.multinomial(w, 7, true, new SplittableRandom(4)).contentEquals(Tensor.multinomial(w, 7, true, new SplittableRandom(4))));
        assertTrue(Tensor.multinomial(w, 2, false, new SplittableRandom(4)).contentEquals(Tensor.multinomial(w, 2, false, new SplittableRandom(4))));
        assertTrue(Tensor.randint(-5, 5, new SplittableRandom(4), 3, 4).contentEquals(Tensor.randint(-5, 5, new SplittableRandom(4), 3, 4)));
        assertTrue(Tensor.randperm(50, new SplittableRandom(4)).contentEquals(Tensor.randperm(50, new SplittableRandom(4))));
        assertFalse(Tensor.randperm(50, new SplittableRandom(4)).contentEquals(Tensor.randperm(50, new SplittableRandom(5))));
        assertEquals(DType.INT64, Tensor.multinomial(w, 1, true, new SplittableRandom(1)).dtype());
        assertArrayEquals(new int[] {2, 7}, Tensor.multinomial(w, 7, true, new SplittableRandom(1)).shape());
        assertArrayEquals(new int[] {3}, Tensor.multinomial(Tensor.of(new double[] {1, 1}), 3, true, new SplittableRandom(1)).shape());
    }

    @Test
    void multinomialWithReplacementFollowsTheUnnormalisedWeights() {
        double[] w = {1, 0, 2, 3, 4};
        int n = 50_000;
        long[] draws = Tensor.multinomial(Tensor.of(w), n, true, new SplittableRandom(11)).toLongArray();
        long[] counts = new long[w.length];
        for (long d : draws) counts[(int) d]++;
        assertEquals(0, counts[1], "a zero weight is never drawn");
        long[] seen = {counts[0], counts[2], counts[3], counts[4]};
        double[] expected = {n * 0.1, n * 0.2, n * 0.3, n * 0.4};
        assertTrue(chiSquare(seen, expected) < 33, () -> "chi-square " + chiSquare(seen, expected) + " over 3 degrees of freedom: " + Arrays.toString(counts));
    }

    @Test
    void multinomialWithoutReplacementDrawsOrderedPairsWithTheirProbabilities() {
        double[] w = {1, 2, 3, 4};
        int n = 40_000;
        long[] draws = Tensor.multinomial(Tensor.of(w).reshape(1, 4).expand(n, 4), 2, false, new SplittableRandom(12)).toLongArray();
        long[] counts = new long[16];
        for (int s = 0; s < n; s++) {
            assertTrue(draws[2 * s] != draws[2 * s + 1], "no category twice in a row");
            counts[(int) (draws[2 * s] * 4 + draws[2 * s + 1])]++;
        }
        long[] seen = new long[12];
        double[] want = new double[12];
        for (int i = 0, k = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (i == j) continue;
                seen[k] = counts[i * 4 + j];
                want[k++] = n * w[i] / 10 * w[j] / (10 - w[i]); // P(first i) · P(then j | i removed)
            }
        }
        assertTrue(chiSquare(seen, want) < 50, () -> "chi-square " + chiSquare(seen, want) + " over 11 degrees of freedom");
    }

    @Test
    void randintIsUniformOverItsRange() {
        int n = 40_000;
        long[] v = Tensor.randint(-3, 7, new SplittableRandom(13), 200, 200).toLongArray();
        long[] counts = new long[10];
        for (long x : v) {
            assertTrue(x >= -3 && x < 7, "value " + x);
            counts[(int) (x + 3)]++;
        }
        double[] expected = new double[10];
        Arrays.fill(expected, n / 10.0);
        assertTrue(chiSquare(counts, expected) < 45, () -> "chi-square " + chiSquare(counts, expected) + " over 9 degrees of freedom");
    }

    @Test
    void randpermGivesEveryPermutationEquallyOften() {
        int n = 48_000;
        SplittableRandom rng = new SplittableRandom(14);
        long[] counts = new long[24];
        for (int s = 0; s < n; s++) {
            long[] p = Tensor.randperm(4, rng).toLongArray();
            long[] sorted = p.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new long[] {0, 1, 2, 3}, sorted);
            counts[lehmer(p)]++;
        }
        double[] expected = new double[24];
        Arrays.fill(expected, n / 24.0);
        assertTrue(chiSquare(counts, expected) < 75, () -> "chi-square " + chiSquare(counts, expected) + " over 23 degrees of freedom");
        assertEquals(0, Tensor.randperm(0, rng).numel());
    }

    /** The rank of a permutation of 0..3 among all 24 (its Lehmer code read as a factorial-base number). */
    static int lehmer(long[] p) {
        int rank = 0;
        for (int i = 0; i < p.length; i++) {
            int smaller = 0;
            for (int j = i + 1; j < p.length; j++) if (p[j] < p[i]) smaller++;
            rank = rank * (p.length - i) + smaller;
        }
        return rank;
    }

    @Test
    void badWeightsAndRangesNameTheValue() {
        SplittableRandom rng = new SplittableRandom(1);
        String m = assertThrows(IllegalArgumentException.class, () -> Tensor.multinomial(Tensor.of(new double[][] {{1, 2}, {3, -0.5}}), 1, true, rng)).getMessage();
        assertTrue(m.contains("-0.5") && m.contains("[1, 1]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Tensor.multinomial(Tensor.of(new double[][] {{1, 2}, {0, 0}}), 1, true, rng)).getMessage();
        assertTrue(m.contains("row 1") && m.contains("0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Tensor.multinomial(Tensor.of(new double[] {1, Double.NaN}), 1, true, rng)).getMessage();
        assertTrue(m.contains("NaN"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Tensor.multinomial(Tensor.of(new double[] {1, 0, 2}), 3, false, rng)).getMessage();
        assertTrue(m.contains("3") && m.contains("2 positive"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(5, 5, rng, 2)).getMessage();
        assertTrue(m.contains("low=5"), m);
        assertThrows(IllegalArgumentException.class, () -> Tensor.randperm(-1, rng));
    }
}
