package dev.descent.data;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Objects;

/**
 * A mini-batch: inputs {@code x} (images float32 [B, C, H, W], vectors [B, d]) and targets {@code y}
 * (class indices int64 [B], or regression targets [B]); both have the batch size as first dimension.
 *
 * @param x the inputs, batch first
 * @param y the targets, batch first
 */
public record Batch(Tensor x, Tensor y) {
    /**
     * Checks that both tensors exist and agree on the batch size.
     *
     * @throws NullPointerException when x or y is null
     * @throws IllegalArgumentException when either is 0-d or their first dimensions differ
     */
    public Batch {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("batch inputs " + Shape.format(x.shape()) + " and targets " + Shape.format(y.shape())
                    + " must share their first dimension");
        }
    }

    /**
     * The number of examples.
     *
     * @return {@code x.size(0)}
     */
    public int size() {
        return x.size(0);
    }
}
