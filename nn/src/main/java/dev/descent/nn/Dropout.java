package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.RandomMasking;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Dropout with probability p in training mode; identity in eval mode. The mask of the k-th training
 * call comes from a generator seeded by a hash of (seed, k); seed and k are buffers ({@code seed},
 * {@code calls}), so a model restored from a file continues with exactly the masks an uninterrupted
 * run would draw.
 */
public final class Dropout extends Module {
    /** The seed of {@link #Dropout(double)}: fixed, so that runs are reproducible without one. */
    public static final long DEFAULT_SEED = 0x5EED_D20F_0A7EL;

    private final double p;
    private final Tensor seed;
    private final Tensor calls;

    /**
     * Dropout with the fixed {@link #DEFAULT_SEED}.
     *
     * @param p the probability of zeroing each element, in [0, 1]
     * @throws IllegalArgumentException when p is outside [0, 1] or NaN
     */
    public Dropout(double p) {
        this(p, DEFAULT_SEED);
    }

    /**
     * Dropout whose seed is drawn from {@code rng} (one {@code nextLong()}, as layers draw their initial
     * weights).
     *
     * @param p the probability of zeroing each element, in [0, 1]
     * @param rng the source of the seed
     * @throws IllegalArgumentException when p is outside [0, 1] or NaN
     */
    public Dropout(double p, RandomGenerator rng) {
        this(p, rng.nextLong());
    }

    /**
     * Dropout with an explicit seed.
     *
     * @param p the probability of zeroing each element, in [0, 1]; survivors are scaled by 1/(1 − p)
     * @param seed the seed of the masks (stored in the {@code seed} buffer)
     * @throws IllegalArgumentException when p is outside [0, 1] or NaN
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Dropout: p must be in [0, 1], was " + p);
        this.p = p;
        this.seed = addBuffer("seed", Tensor.of(new long[] {seed}).reshape());
        this.calls = addBuffer("calls", Tensor.zeros(DType.INT64));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        return RandomMasking.dropout(x, p, true, nextGenerator());
    }

    /**
     * The generator of this training call's mask, advancing the call counter: for a layer whose dropout happens
     * inside a fused op (attention) and that keeps its seed and counter here, so that resumed runs draw the same masks.
     */
    RandomGenerator nextGenerator() {
        long k = calls.getLong();
        try (var _ = GradMode.noGrad()) {
            calls.fill(k + 1);
        }
        return new SplittableRandom(mix(seed.getLong() ^ mix(k + 1)));
    }

    /** The probability of zeroing an element. */
    double p() {
        return p;
    }

    /** SplitMix64's finaliser: consecutive inputs give unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
