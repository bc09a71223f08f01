package dev.descent.nn;

import dev.descent.core.Tensor;

/** The activation 1 / (1 + e^-x), elementwise. */
public final class Sigmoid extends Module {
    /** A sigmoid layer (it has no parameters). */
    public Sigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
