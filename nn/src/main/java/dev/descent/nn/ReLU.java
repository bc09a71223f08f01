package dev.descent.nn;

import dev.descent.core.Tensor;

/** The activation max(x, 0), elementwise. */
public final class ReLU extends Module {
    /** A ReLU layer (it has no parameters). */
    public ReLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
