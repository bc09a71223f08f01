package dev.descent.nn;

import dev.descent.core.Tensor;

/** Leaky ReLU: x for x ≥ 0, negativeSlope·x below, elementwise (PyTorch's default slope 0.01): the layer form of {@link Tensor#leakyRelu(double)}. */
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
        return x.leakyRelu(negativeSlope);
    }

    /**
     * The slope below zero.
     *
     * @return the negative slope
     */
    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
