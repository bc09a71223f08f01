package dev.descent.nn;

import dev.descent.core.Tensor;

/**
 * Softplus, (1/β)·log(1 + e^{β·x}) elementwise, and x itself where β·x exceeds the threshold (PyTorch's
 * defaults β = 1, threshold 20): the layer form of {@link Tensor#softplus(double, double)}.
 */
public final class Softplus extends Module {
    private final double beta, threshold;

    /** Softplus with β = 1 and threshold 20. */
    public Softplus() {
        this(1, 20);
    }

    /**
     * Softplus with the given β and threshold.
     *
     * @param beta the sharpness, &gt; 0
     * @param threshold above this value of β·x the result is x (the difference is below e^{−threshold})
     * @throws IllegalArgumentException when β is not positive and finite, or the threshold is NaN
     */
    public Softplus(double beta, double threshold) {
        if (!(beta > 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("Softplus: beta must be > 0 and finite, was " + beta);
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("Softplus: threshold must not be NaN");
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softplus(beta, threshold);
    }

    /**
     * The sharpness.
     *
     * @return beta
     */
    public double beta() {
        return beta;
    }

    /**
     * The value of β·x above which the result is x.
     *
     * @return the threshold
     */
    public double threshold() {
        return threshold;
    }

    @Override
    public String toString() {
        return "Softplus(beta=" + beta + ", threshold=" + threshold + ")";
    }
}
