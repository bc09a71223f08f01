package dev.descent.core.ops;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * Softmax and log-softmax, composed from primitives: subtracting the (constant) maximum first keeps
 * exp() in range, so inputs of magnitude 1e4 give finite results and gradients.
 */
public final class Softmax {
    private Softmax() {}

    /** exp(x − max) / Σ exp(x − max) along {@code dim}. */
    public static Tensor softmax(Tensor x, int dim) {
        int d = Shape.normalizeDim("softmax", dim, x.dim());
        Tensor m = x.detach().max(d, true);
        m = Tensor.where(m.abs().lt(Double.POSITIVE_INFINITY), m, m.scalarLike(0));
        Tensor e = x.sub(m).exp();
        return e.div(e.sum(d, true));
    }

    /** x − logsumexp(x) along {@code dim}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = Shape.normalizeDim("logSoftmax", dim, x.dim());
        return x.sub(x.logsumexp(d, true));
    }
}
