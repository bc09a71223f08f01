package dev.descent.nn;

import dev.descent.core.Tensor;

/** GELU, x·Φ(x): exact (erf) by default, or the tanh approximation. */
public final class GELU extends Module {
    private final boolean tanhApproximation;

    /** The exact GELU, x·Φ(x) with the erf (PyTorch's default). */
    public GELU() {
        this(false);
    }

    /**
     * The exact GELU or its tanh approximation.
     *
     * @param tanhApproximation true for ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
     */
    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return tanhApproximation ? x.geluTanh() : x.gelu();
    }

    /**
     * Whether this is the tanh approximation.
     *
     * @return true for the tanh approximation, false for the exact (erf) GELU
     */
    public boolean tanhApproximation() {
        return tanhApproximation;
    }

    @Override
    public String toString() {
        return tanhApproximation ? "GELU(approximate=tanh)" : "GELU()";
    }
}
