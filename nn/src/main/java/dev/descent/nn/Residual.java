package dev.descent.nn;

import dev.descent.core.Tensor;

/** A residual connection around any module: y = x + body(x) (body must keep the shape). */
public final class Residual extends Module {
    private final Module body;

    /**
     * A residual connection around {@code body}, registered as child {@code "body"}.
     *
     * @param body the module whose output is added to its input
     */
    public Residual(Module body) {
        this.body = addModule("body", body);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.add(body.call(x));
    }

    @Override
    public String toString() {
        return "Residual(" + body + ")";
    }
}
