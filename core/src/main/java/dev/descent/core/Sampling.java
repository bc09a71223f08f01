package dev.descent.core;

import java.util.random.RandomGenerator;

/**
 * Draws integers from the caller's generator: categorical samples from rows of weights, uniform integers, and
 * permutations (the work behind {@link Tensor#multinomial}, {@link Tensor#randint} and {@link Tensor#randperm}).
 */
final class Sampling {
    private Sampling() {}

    static Tensor multinomial(Tensor probs, int numSamples, boolean replacement, RandomGenerator rng) {
        if (probs.dim() != 1 && probs.dim() != 2) {
            throw new IllegalArgumentException("multinomial: weights must be 1-D [n] or 2-D [rows, n], got shape " + Shape.format(probs.shape()));
        }
        int n = probs.size(-1), rows = probs.dim() == 2 ? probs.size(0) : 1;
        if (n == 0) throw new IllegalArgumentException("multinomial: no categories (weights of shape " + Shape.format(probs.shape()) + ")");
        if (numSamples <= 0) throw new IllegalArgumentException("multinomial: numSamples must be >= 1, was " + numSamples);
        double[] w = probs.toDoubleArray();
        long[] out = new long[rows * numSamples];
        double[] cum = new double[n];
        for (int r = 0; r < rows; r++) {
            int positive = 0;
            for (int j = 0; j < n; j++) {
                double x = w[r * n + j];
                if (!(x >= 0) || Double.isInfinite(x)) {
                    throw new IllegalArgumentException("multinomial: weight " + x + " at " + where(probs, r, j) + " is not a finite non-negative number");
                }
                if (x > 0) positive++;
            }
            if (positive == 0) throw new IllegalArgumentException("multinomial: every weight of " + where(probs, r, -1) + " is 0; need at least one positive");
            if (!replacement && numSamples > positive) {
                throw new IllegalArgumentException("multinomial: cannot draw " + numSamples + " samples without replacement from " + where(probs, r, -1)
                        + ", which has " + positive + " positive weights");
            }
            double[] row = java.util.Arrays.copyOfRange(w, r * n, r * n + n);
            for (int s = 0; s < numSamples; s++) {
                int pick = draw(row, cum, rng);
                out[r * numSamples + s] = pick;
                if (!replacement) row[pick] = 0;
            }
        }
        return probs.dim() == 2 ? Tensor.of(out, rows, numSamples) : Tensor.of(out, numSamples);
    }

    /** One category with probability row[j] / Σ row: the first j whose running sum exceeds u·Σ. */
    private static int draw(double[] row, double[] cum, RandomGenerator rng) {
        double total = 0;
        int last = -1;
        for (int j = 0; j < row.length; j++) {
            total += row[j];
            cum[j] = total;
            if (row[j] > 0) last = j;
        }
        double u = rng.nextDouble() * total;
        int lo = 0, hi = row.length - 1;
        while (lo < hi) { // smallest j with cum[j] > u
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return cum[lo] > u ? lo : last; // u rounded up to the total: the last positive category
    }

    private static String where(Tensor probs, int row, int col) {
        String at = probs.dim() == 2 ? "row " + row : "the weights";
        return col < 0 ? at : probs.dim() == 2 ? "[" + row + ", " + col + "]" : "[" + col + "]";
    }

    static Tensor randint(long low, long high, RandomGenerator rng, int[] shape) {
        if (low >= high) throw new IllegalArgumentException("randint: need low < high, was low=" + low + ", high=" + high);
        long[] v = new long[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextLong(low, high);
        return Tensor.of(v).reshape(shape);
    }

    static Tensor randperm(int n, RandomGenerator rng) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be >= 0, was " + n);
        long[] p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return Tensor.of(p, n);
    }
}
