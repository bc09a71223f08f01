package dev.descent.core.ops;

import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * Random masking: dropout zeroes each element with probability p and scales the survivors by 1/(1 − p), from the
 * caller's generator. The layer is {@code dev.descent.nn.Dropout}; this class is named for what it computes, so
 * that star imports of both packages leave {@code Dropout} unambiguous.
 */
public final class RandomMasking {
    private RandomMasking() {}

    /**
     * In training, {@code x · mask / (1 − p)} with {@code mask[i] = (u_i ≥ p)}, the u_i drawn from
     * {@code rng} in row-major order (so the expected value is x); in eval (or p = 0), x itself, and no
     * number is drawn. The gradient is g·mask/(1 − p).
     *
     * @param x the input
     * @param p the probability of zeroing an element, in [0, 1] (1 zeroes everything)
     * @param training whether to drop (false: identity)
     * @param rng the source of the mask, advanced by {@code x.numel()} draws (none when p is 0 or 1, or in eval)
     * @return the masked and rescaled input, or x
     * @throws IllegalArgumentException when p is outside [0, 1] or NaN
     */
    public static Tensor dropout(Tensor x, double p, boolean training, RandomGenerator rng) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1], was " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0);
        Tensor mask = Tensor.zeros(x.dtype().isFloatingPoint() ? x.dtype() : dev.descent.core.DType.FLOAT32, x.shape());
        double keep = 1 / (1 - p);
        for (int i = 0; i < mask.numel(); i++) mask.storage().setDouble(i, rng.nextDouble() >= p ? keep : 0);
        return x.mul(mask);
    }
}
