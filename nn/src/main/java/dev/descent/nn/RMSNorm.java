package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Normalization;

/**
 * RMS normalisation over the trailing dims {@code normalizedShape}: x / √(mean(x²) + eps) · weight (weight
 * ones), as {@code torch.nn.RMSNorm}. See {@link Normalization#rmsNorm}.
 */
public final class RMSNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;

    /**
     * RMS normalisation with a learned weight and PyTorch's default eps: the machine epsilon of the input's dtype.
     *
     * @param normalizedShape the trailing shape normalised over, e.g. the feature size
     * @throws IllegalArgumentException when the shape is empty or has a size below 1
     */
    public RMSNorm(int... normalizedShape) {
        this(normalizedShape, Double.NaN, true);
    }

    /**
     * RMS normalisation with every option.
     *
     * @param normalizedShape the trailing shape normalised over
     * @param eps added to the mean square, &gt; 0; NaN for the machine epsilon of the input's dtype (PyTorch's {@code eps=None})
     * @param elementwiseAffine whether to learn a weight of shape {@code normalizedShape}
     * @throws IllegalArgumentException when the shape is empty or has a size below 1, or eps is not NaN and not &gt; 0
     */
    public RMSNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("RMSNorm: the normalized shape needs at least one dim");
        for (int d : normalizedShape) {
            if (d < 1) throw new IllegalArgumentException("RMSNorm: normalized shape " + Shape.format(normalizedShape) + " has a size below 1");
        }
        if (!Double.isNaN(eps) && !(eps > 0)) throw new IllegalArgumentException("RMSNorm: eps must be > 0 (or NaN for the dtype's epsilon), was " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = elementwiseAffine ? addParameter("weight", Tensor.ones(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        double e = !Double.isNaN(eps) ? eps : x.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        return Normalization.rmsNorm(x, normalizedShape, weight, e);
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
     * The value added to the mean square.
     *
     * @return eps, or NaN for the machine epsilon of the input's dtype
     */
    public double eps() {
        return eps;
    }

    @Override
    public String toString() {
        return "RMSNorm(" + Shape.format(normalizedShape) + ", eps=" + (Double.isNaN(eps) ? "None" : eps) + (weight == null ? ", elementwise_affine=false" : "") + ")";
    }
}
