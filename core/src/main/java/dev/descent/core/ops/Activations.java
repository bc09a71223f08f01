package dev.descent.core.ops;

import dev.descent.core.Tensor;

/** Activations composed from primitives (relu, sigmoid and tanh are primitives on {@link Tensor}). */
public final class Activations {
    private Activations() {}

    private static final double INV_SQRT2 = 0.7071067811865476;

    /** GELU, exact form (PyTorch's default): x·Φ(x) = ½·x·(1 + erf(x/√2)). */
    public static Tensor gelu(Tensor x) {
        return x.mul(x.mul(INV_SQRT2).erf().add(1)).mul(0.5);
    }

    /** GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static Tensor geluTanh(Tensor x) {
        return x.mul(x.add(x.pow(3).mul(0.044715)).mul(0.7978845608028654).tanh().add(1)).mul(0.5);
    }
}
