package dev.descent.core.ops;

import dev.descent.core.Tensor;

/** Activations composed from primitives (relu, sigmoid and tanh are primitives on {@link Tensor}). */
public final class Activations {
    private Activations() {}

    private static final double INV_SQRT2 = 0.7071067811865476;

    /**
     * GELU, exact form (PyTorch's default): x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal CDF
     * (Hendrycks &amp; Gimpel 2016).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when x is int64 or bool
     */
    public static Tensor gelu(Tensor x) {
        return x.mul(x.mul(INV_SQRT2).erf().add(1)).mul(0.5);
    }

    /**
     * GELU, tanh approximation (PyTorch's {@code approximate="tanh"}): ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when x is int64 or bool
     */
    public static Tensor geluTanh(Tensor x) {
        return x.mul(x.add(x.pow(3).mul(0.044715)).mul(0.7978845608028654).tanh().add(1)).mul(0.5);
    }
}
