package dev.descent.nn;

import dev.descent.core.Tensor;

/** The activation max(x, 0), elementwise. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
