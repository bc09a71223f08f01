package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Normalization;

/**
 * Group normalisation over {@code [N, C, ...]}: the channels split into groups, each normalised per sample,
 * then a per-channel affine (weight ones, bias zeros), as {@code torch.nn.GroupNorm}. See {@link Normalization#groupNorm}.
 */
public final class GroupNorm extends Module {
    private final int numGroups, numChannels;
    private final double eps;
    private final Parameter weight, bias;

    /**
     * Group normalisation with eps 1e-5 and a learned affine.
     *
     * @param numGroups the number of groups, ≥ 1, dividing {@code numChannels}
     * @param numChannels the channels C of the input
     * @throws IllegalArgumentException when the group count does not divide the channel count
     */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    /**
     * Group normalisation with every option.
     *
     * @param numGroups the number of groups, ≥ 1, dividing {@code numChannels}
     * @param numChannels the channels C of the input, ≥ 1
     * @param eps added to the variance, &gt; 0
     * @param affine whether to learn a per-channel weight and bias
     * @throws IllegalArgumentException when the group count does not divide the channel count, or eps ≤ 0
     */
    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups < 1 || numChannels < 1 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + numGroups + " groups must be >= 1 and divide " + numChannels + " channels");
        }
        if (!(eps > 0)) throw new IllegalArgumentException("GroupNorm: eps must be > 0, was " + eps);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        weight = affine ? addParameter("weight", Tensor.ones(numChannels)) : null;
        bias = affine ? addParameter("bias", Tensor.zeros(numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(1) != numChannels) {
            throw new IllegalArgumentException(this + ": input must be [N, " + numChannels + ", ...], got " + dev.descent.core.Shape.format(x.shape()));
        }
        return Normalization.groupNorm(x, numGroups, weight, bias, eps);
    }

    /**
     * The number of groups.
     *
     * @return the group count
     */
    public int numGroups() {
        return numGroups;
    }

    /**
     * The value added to the variance.
     *
     * @return eps
     */
    public double eps() {
        return eps;
    }

    @Override
    public String toString() {
        return "GroupNorm(" + numGroups + ", " + numChannels + ", eps=" + eps + (weight == null ? ", affine=false" : "") + ")";
    }
}
