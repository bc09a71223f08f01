package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.random.RandomGenerator;

/**
 * A lookup table: int64 indices of any shape to rows of {@code weight [num, dim]}, as {@code torch.nn.Embedding}
 * (weight N(0, 1)). The gradient reaches only the rows looked up (a dense tensor, zero elsewhere). With a padding
 * index, that row starts at zero and never receives a gradient, so training leaves it as it is.
 */
public final class Embedding extends Module {
    private final int num, dim;
    private final int paddingIdx; // −1: none; otherwise in [0, num)
    private final Parameter weight;

    /**
     * An embedding without a padding index (PyTorch's {@code padding_idx=None}).
     *
     * @param num the number of rows (the vocabulary size), ≥ 1
     * @param dim the size of each row, ≥ 1
     * @param rng the source of the initial weight, N(0, 1)
     * @throws IllegalArgumentException when a size is below 1
     */
    public Embedding(int num, int dim, RandomGenerator rng) {
        this(num, dim, rng, -1);
    }

    /**
     * An embedding whose row {@code paddingIdx} starts at zero and gets no gradient.
     *
     * @param num the number of rows, ≥ 1
     * @param dim the size of each row, ≥ 1
     * @param paddingIdx the padding row, in [−num, num) (negative counts from the end, as in PyTorch)
     * @param rng the source of the initial weight, N(0, 1), drawn for every row before the padding row is zeroed
     * @throws IllegalArgumentException when a size is below 1 or the padding index is outside [−num, num)
     */
    public Embedding(int num, int dim, int paddingIdx, RandomGenerator rng) {
        this(num, dim, rng, checkPadding(num, paddingIdx));
    }

    private static int checkPadding(int num, int paddingIdx) {
        if (paddingIdx < -num || paddingIdx >= num) {
            throw new IllegalArgumentException("Embedding: padding index " + paddingIdx + " must be in [" + -num + ", " + num + ")");
        }
        return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
    }

    private Embedding(int num, int dim, RandomGenerator rng, int paddingIdx) {
        if (num < 1 || dim < 1) throw new IllegalArgumentException("Embedding: sizes must be >= 1, were num=" + num + ", dim=" + dim);
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        weight = addParameter("weight", Tensor.zeros(num, dim));
        Init.normal(weight, 1, rng);
        if (paddingIdx >= 0) {
            try (var _ = GradMode.noGrad()) {
                weight.select(0, paddingIdx).fill(0);
            }
        }
    }

    /**
     * The rows at the given indices.
     *
     * @param indices int64 indices of any shape, each in [0, num)
     * @return {@code indices.shape + [dim]}, of the weight's dtype
     * @throws IllegalArgumentException when the indices are not int64
     * @throws IndexOutOfBoundsException when an index is outside [0, num), naming it
     */
    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException(this + ": indices must be int64, got " + indices.dtype() + " " + Shape.format(indices.shape()));
        }
        int[] outShape = new int[indices.dim() + 1];
        System.arraycopy(indices.shape(), 0, outShape, 0, indices.dim());
        outShape[indices.dim()] = dim;
        Tensor flat = indices.reshape(indices.numel());
        Tensor rows = weight.indexSelect(0, flat);
        if (paddingIdx >= 0) {
            // The padding row's values pass through detached, so its gradient is zero wherever it is looked up.
            Tensor isPad = flat.eq(paddingIdx).unsqueeze(1);
            rows = Tensor.where(isPad, rows.detach(), rows);
        }
        return rows.reshape(outShape);
    }

    /**
     * The table.
     *
     * @return the weight parameter {@code [num, dim]}
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The padding row.
     *
     * @return the padding index in [0, num), or −1 when there is none
     */
    public int paddingIdx() {
        return paddingIdx;
    }

    @Override
    public String toString() {
        return "Embedding(" + num + ", " + dim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "") + ")";
    }
}
