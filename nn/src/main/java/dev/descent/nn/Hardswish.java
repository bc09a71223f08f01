package dev.descent.nn;

import dev.descent.core.Tensor;

/**
 * Hard swish, x·min(max(x + 3, 0), 6) / 6 elementwise (Howard et al. 2019, MobileNetV3): the layer form of
 * {@link Tensor#hardswish()}, one pass over the input.
 */
public final class Hardswish extends Module {
    /** The hard swish activation; no parameters. */
    public Hardswish() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.hardswish();
    }

    @Override
    public String toString() {
        return "Hardswish()";
    }
}
