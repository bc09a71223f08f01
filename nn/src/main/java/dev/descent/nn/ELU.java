package dev.descent.nn;

import dev.descent.core.Tensor;

/** ELU (Clevert et al. 2016): x for x &gt; 0, α·(eˣ − 1) otherwise, elementwise (PyTorch's default α = 1): the layer form of {@link Tensor#elu(double)}. */
public final class ELU extends Module {
    private final double alpha;

    /** ELU with α = 1. */
    public ELU() {
        this(1.0);
    }

    /**
     * ELU with the given α.
     *
     * @param alpha the scale of the negative part (finite)
     * @throws IllegalArgumentException when α is not finite
     */
    public ELU(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("ELU: alpha must be finite, was " + alpha);
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    /**
     * The scale of the negative side.
     *
     * @return alpha
     */
    public double alpha() {
        return alpha;
    }

    @Override
    public String toString() {
        return "ELU(alpha=" + alpha + ")";
    }
}
