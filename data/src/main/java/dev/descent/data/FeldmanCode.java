package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Feldman's stochastic convex optimisation instance (docs/papers.md §3), on which empirical risk
 * minimisation overfits: a code V of vectors with entries ±1/√d (unit length) and pairwise inner
 * products at most 1/2; a sample is a random subset W ⊆ V holding each codeword with probability 1/2;
 * the loss on the unit ball is
 * <pre>
 *   f(x; W) = max(1/2, max_{w ∈ W} w·x)          (convex, 1-Lipschitz, at least 1/2)
 * </pre>
 * A codeword w seen in no sample has empirical loss 1/2 — as low as any point's — but population
 * loss 3/4, while F(0) = 1/2.
 *
 * <p>The code is built greedily at random: draw a random sign vector, keep it if its inner product
 * with every codeword kept so far is at most 1/2 (Hamming distance at least d/4). The Gilbert–Varshamov
 * bound promises codes of about 2^(d/6) words and more; the greedy search reaches such sizes for small d.
 */
public final class FeldmanCode {
    private final int d;
    private final long[][] signs;     // bit j set: coordinate j is −1/√d

    private FeldmanCode(int d, long[][] signs) {
        this.d = d;
        this.signs = signs;
    }

    /**
     * A greedy random code of {@code size} codewords in dimension {@code d}; gives up (with an
     * {@link IllegalArgumentException} saying how far it got) after 64·size + 10,000 candidates.
     *
     * @param d the dimension, ≥ 1
     * @param size the number of codewords wanted, ≥ 1
     * @param rng the source of the candidate sign vectors
     * @return the code
     * @throws IllegalArgumentException when d or size is below 1, or the search runs out of candidates
     */
    public static FeldmanCode greedy(int d, int size, RandomGenerator rng) {
        if (d <= 0) throw new IllegalArgumentException("dimension must be > 0, was " + d);
        if (size <= 0) throw new IllegalArgumentException("code size must be > 0, was " + size);
        int words = (d + 63) / 64;
        long lastMask = d % 64 == 0 ? -1L : (1L << (d % 64)) - 1;
        List<long[]> code = new ArrayList<>();
        long budget = 64L * size + 10_000;
        for (long tries = 0; code.size() < size; tries++) {
            if (tries == budget) {
                throw new IllegalArgumentException("found only " + code.size() + " of " + size + " codewords in dimension " + d + " after " + budget
                        + " candidates (a greedy code reaches roughly 2^(d/6) = " + Math.round(Math.pow(2, d / 6.0)) + " or somewhat more)");
            }
            long[] c = new long[words];
            for (int k = 0; k < words; k++) c[k] = rng.nextLong();
            c[words - 1] &= lastMask;
            if (farFromAll(c, code, d)) code.add(c);
        }
        return new FeldmanCode(d, code.toArray(new long[0][]));
    }

    /** w·v = (d − 2·hamming)/d ≤ 1/2 exactly when 4·hamming ≥ d. */
    private static boolean farFromAll(long[] c, List<long[]> code, int d) {
        for (long[] w : code) {
            int h = 0;
            for (int k = 0; k < c.length; k++) h += Long.bitCount(c[k] ^ w[k]);
            if (4 * h < d) return false;
        }
        return true;
    }

    /**
     * The dimension d.
     *
     * @return d
     */
    public int dimension() {
        return d;
    }

    /**
     * The number of codewords |V|.
     *
     * @return |V|
     */
    public int size() {
        return signs.length;
    }

    /**
     * Coordinate j of codeword i: ±1/√d.
     *
     * @param i the codeword, in {@code [0, size())}
     * @param j the coordinate, in {@code [0, d)}
     * @return +1/√d or −1/√d
     * @throws IndexOutOfBoundsException when i or j is out of range
     */
    public double entry(int i, int j) {
        if (j < 0 || j >= d) throw new IndexOutOfBoundsException("coordinate " + j + " outside dimension " + d);
        return ((signs[i][j >>> 6] >>> (j & 63)) & 1) != 0 ? -1 / Math.sqrt(d) : 1 / Math.sqrt(d);
    }

    /**
     * The exact inner product of codewords i and j: (d − 2·hamming)/d, at most 1/2 for i ≠ j.
     *
     * @param i one codeword
     * @param j the other
     * @return w_i·w_j
     * @throws IndexOutOfBoundsException when i or j is out of range
     */
    public double innerProduct(int i, int j) {
        int h = 0;
        for (int k = 0; k < signs[i].length; k++) h += Long.bitCount(signs[i][k] ^ signs[j][k]);
        return (d - 2.0 * h) / d;
    }

    /**
     * The codewords as rows, [|V|, d], in {@code dtype} (float32 or float64).
     *
     * @param dtype the element type
     * @return a new tensor
     */
    public Tensor codewords(DType dtype) {
        double[] v = new double[signs.length * d];
        for (int i = 0; i < signs.length; i++) for (int j = 0; j < d; j++) v[i * d + j] = entry(i, j);
        Tensor t = Tensor.of(v, signs.length, d);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * {@code m} samples, each a random subset of V (codeword i in sample r with probability 1/2): a bool mask [m, |V|], drawn row by row.
     *
     * @param m the number of samples, ≥ 1
     * @param rng the source of the draws (one {@code nextBoolean()} per entry)
     * @return a bool tensor [m, |V|]
     * @throws IllegalArgumentException when {@code m < 1}
     */
    public Tensor sample(int m, RandomGenerator rng) {
        if (m <= 0) throw new IllegalArgumentException("number of samples must be > 0, was " + m);
        boolean[] mask = new boolean[Math.multiplyExact(m, signs.length)];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextBoolean();
        return Tensor.of(mask, m, signs.length);
    }

    /**
     * The loss of each sample at {@code x} [d], f(x; W_r) = max(1/2, max_{w∈W_r} w·x), as a tensor [m]
     * built from differentiable ops: excluded codewords are replaced by 1/2, then the max is taken,
     * so autodiff yields a valid subgradient (ties share the gradient, a convex combination).
     *
     * @param x the point, a float tensor [d]
     * @param samples the bool mask [m, |V|] from {@link #sample}
     * @return the losses [m], in x's dtype
     * @throws IllegalArgumentException when x is not [d] or samples is not a bool [m, |V|]
     */
    public Tensor losses(Tensor x, Tensor samples) {
        if (x.dim() != 1 || x.size(0) != d) throw new IllegalArgumentException("x must be [" + d + "], got " + Arrays.toString(x.shape()));
        if (samples.dtype() != DType.BOOL || samples.dim() != 2 || samples.size(1) != signs.length) {
            throw new IllegalArgumentException("samples must be a bool mask [m, " + signs.length + "], got " + samples.dtype() + " " + Arrays.toString(samples.shape()));
        }
        Tensor scores = codewords(x.dtype()).matmul(x);                           // [|V|]
        return Tensor.where(samples, scores, scores.scalarLike(0.5)).max(1);      // [m]
    }

    /**
     * The empirical risk at {@code x}: the mean of {@link #losses} over the samples (a 0-d tensor).
     *
     * @param x the point, a float tensor [d]
     * @param samples the bool mask [m, |V|]
     * @return the mean loss, differentiable in x
     * @throws IllegalArgumentException when x is not [d] or samples is not a bool [m, |V|]
     */
    public Tensor empiricalLoss(Tensor x, Tensor samples) {
        return losses(x, samples).mean();
    }

    /**
     * The population risk F(x) = E_W f(x; W), exactly: with v_(1) ≥ … ≥ v_(n) the sorted values
     * max(1/2, w·x), the maximum over W is v_(k) when the first k − 1 are absent and the k-th present,
     * so F(x) = Σ_k 2^(−k) v_(k) + 2^(−n)·1/2.
     *
     * @param x the point [d]
     * @return F(x)
     * @throws IllegalArgumentException when x is not [d]
     */
    public double populationLoss(Tensor x) {
        if (x.dim() != 1 || x.size(0) != d) throw new IllegalArgumentException("x must be [" + d + "], got " + Arrays.toString(x.shape()));
        double[] xs = x.toDoubleArray();
        double[] v = new double[signs.length];
        for (int i = 0; i < signs.length; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += entry(i, j) * xs[j];
            v[i] = Math.max(0.5, s);
        }
        Arrays.sort(v);
        double f = 0, weight = 1;
        for (int k = v.length - 1; k >= 0; k--) {
            weight *= 0.5;
            f += weight * v[k];
        }
        return f + weight * 0.5;
    }
}
