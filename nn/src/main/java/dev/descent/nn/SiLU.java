package dev.descent.nn;

import dev.descent.core.Tensor;

/** SiLU (swish), x·σ(x) elementwise (Elfwing et al. 2018; Ramachandran et al. 2017): the layer form of {@link Tensor#silu()}. */
public final class SiLU extends Module {
    /** The SiLU activation; no parameters. */
    public SiLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }

    @Override
    public String toString() {
        return "SiLU()";
    }
}
