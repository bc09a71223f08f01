package dev.descent.nn;

import dev.descent.core.Tensor;

/** Leaky ReLU: x for x ≥ 0, negativeSlope·x below, elementwise (PyTorch's default slope 0.01). */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    /** Leaky ReLU with slope 0.01 below zero. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * Leaky ReLU with the given slope below zero.
     *
     * @param negativeSlope the factor applied to negative inputs (any finite value; 0 is ReLU)
     * @throws IllegalArgumentException when the slope is not finite
     */
    public LeakyReLU(double negativeSlope) {
        if (!Double.isFinite(negativeSlope)) throw new IllegalArgumentException("LeakyReLU: negative slope must be finite, was " + negativeSlope);
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        // relu(x) − a·relu(−x): x above zero, a·x below; the gradient at 0 is that of relu (0 from both sides' relu).
        return x.relu().sub(x.neg().relu().mul(negativeSlope));
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
