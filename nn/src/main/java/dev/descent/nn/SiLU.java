package dev.descent.nn;

import dev.descent.core.Tensor;

/** SiLU (swish), x·σ(x) elementwise (Elfwing et al. 2018; Ramachandran et al. 2017). */
public final class SiLU extends Module {
    /** The SiLU activation; no parameters. */
    public SiLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.mul(x.sigmoid());
    }

    @Override
    public String toString() {
        return "SiLU()";
    }
}
