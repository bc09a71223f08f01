package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Normalization;

/** Layer normalisation over the trailing dims {@code normalizedShape}, with an elementwise affine (weight ones, bias zeros). */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight, bias;

    /**
     * Layer normalisation over the trailing dims {@code normalizedShape}, eps 1e-5.
     *
     * @param normalizedShape the trailing shape normalised over, e.g. the feature size
     * @throws IllegalArgumentException when the shape is empty or has a negative size
     */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5);
    }

    /**
     * Layer normalisation with the given eps (checked at the first forward pass: it must be &gt; 0).
     *
     * @param normalizedShape the trailing shape normalised over
     * @param eps added to the variance
     * @throws IllegalArgumentException when the shape is empty or has a negative size
     */
    public LayerNorm(int[] normalizedShape, double eps) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: the normalized shape needs at least one dim");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = addParameter("weight", Tensor.ones(normalizedShape));
        bias = addParameter("bias", Tensor.zeros(normalizedShape));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Normalization.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /**
     * The trailing shape normalised over.
     *
     * @return a copy of the normalized shape
     */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /**
     * The value added to the variance.
     *
     * @return eps
     */
    public double eps() {
        return eps;
    }

    /**
     * The scale.
     *
     * @return the weight parameter, of the normalized shape
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The shift.
     *
     * @return the bias parameter, of the normalized shape
     */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + dev.descent.core.Shape.format(normalizedShape) + ", eps=" + eps + ")";
    }
}
