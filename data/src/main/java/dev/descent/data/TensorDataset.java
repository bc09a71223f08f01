package dev.descent.data;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * Examples already held as two tensors, inputs {@code x} and targets {@code y}, indexed along their
 * first dimension (PyTorch's {@code TensorDataset}): for small problems such as {@link TwoSpirals}
 * or a fixed training set drawn from {@link TeacherStudent}.
 */
public final class TensorDataset implements Dataset {
    private final Tensor x, y;

    /**
     * Pairs {@code x[i]} with {@code y[i]}; both must have the same first dimension. The tensors are
     * detached from any graph (their storage is shared, not copied).
     *
     * @param x the inputs, examples along dimension 0
     * @param y the targets, examples along dimension 0
     * @throws IllegalArgumentException when either is 0-d or their first dimensions differ
     */
    public TensorDataset(Tensor x, Tensor y) {
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("inputs " + Shape.format(x.shape()) + " and targets " + Shape.format(y.shape()) + " must share their first dimension");
        }
        this.x = x.detach();
        this.y = y.detach();
    }

    @Override
    public int size() {
        return x.size(0);
    }

    /** Copies of the rows at {@code indices}; {@code rng} is unused. */
    @Override
    public Batch batch(int[] indices, RandomGenerator rng) {
        Tensor idx = Tensor.ofIndices(indices);
        return new Batch(x.indexSelect(0, idx), y.indexSelect(0, idx));
    }
}
