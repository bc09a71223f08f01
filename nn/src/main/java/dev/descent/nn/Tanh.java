package dev.descent.nn;

import dev.descent.core.Tensor;

/** The activation the hyperbolic tangent, elementwise. */
public final class Tanh extends Module {
    /** A tanh layer (it has no parameters). */
    public Tanh() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
