package dev.descent.core.ops;

import dev.descent.core.Tensor;

/**
 * GELU in its two forms, composed from primitives (relu, sigmoid and tanh are primitives in
 * {@link Elementwise}). Called as {@link Tensor#gelu()} and {@link Tensor#geluTanh()}; no backward of their
 * own, as the primitives' rules compose to theirs.
 */
public final class Activations {
    private Activations() {}

    private static final double INV_SQRT2 = 0.7071067811865476;

    /**
     * GELU, exact form: x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal CDF (Hendrycks &amp; Gimpel
     * 2016). The implementation of {@link Tensor#gelu()}.
     *
     * @param x the input
     * @return ½·x·(1 + erf(x/√2))
     */
    public static Tensor gelu(Tensor x) {
        return x.mul(x.mul(INV_SQRT2).erf().add(1)).mul(0.5);
    }

    /**
     * GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The implementation of
     * {@link Tensor#geluTanh()}.
     *
     * @param x the input
     * @return ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
     */
    public static Tensor geluTanh(Tensor x) {
        return x.mul(x.add(x.pow(3).mul(0.044715)).mul(0.7978845608028654).tanh().add(1)).mul(0.5);
    }
}
