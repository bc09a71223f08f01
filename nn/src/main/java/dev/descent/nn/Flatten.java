package dev.descent.nn;

import dev.descent.core.Tensor;

/** Flattens every dim after the first (the batch): [N, d1, d2, …] → [N, d1·d2·…]. */
public final class Flatten extends Module {
    /** A flatten layer (it has no parameters). */
    public Flatten() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.dim() <= 1 ? x : x.flatten(1, -1);
    }
}
