package dev.descent.nn;

import dev.descent.core.Tensor;

/**
 * Hard sigmoid, min(max(x + 3, 0), 6) / 6 elementwise (PyTorch's {@code Hardsigmoid}, MobileNetV3's gate): the
 * layer form of {@link Tensor#hardsigmoid()}, one pass over the input.
 */
public final class Hardsigmoid extends Module {
    /** The hard sigmoid activation; no parameters. */
    public Hardsigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.hardsigmoid();
    }

    @Override
    public String toString() {
        return "Hardsigmoid()";
    }
}
