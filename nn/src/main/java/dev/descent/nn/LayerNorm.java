package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Normalization;

/** Layer normalisation over the trailing dims {@code normalizedShape}, with an elementwise affine (weight ones, bias zeros). */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight, bias;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5);
    }

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

    @Override
    public String toString() {
        return "LayerNorm(" + dev.descent.core.Shape.format(normalizedShape) + ", eps=" + eps + ")";
    }
}
