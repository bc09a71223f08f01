package dev.descent.core.ops;

import dev.descent.core.Shape;
import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * Softmax and log-softmax, composed from primitives: subtracting the (constant) maximum first keeps
 * exp() in range, so inputs of magnitude 1e4 give finite results and gradients.
 *
 * <p>Masked logits (−∞, e.g. from {@link Tensor#maskedFill} with {@link Tensor#causalMask}): in a slice with at
 * least one finite entry, softmax is exactly 0 at the −∞ entries with gradient exactly 0 there, log-softmax is −∞
 * there, and every gradient is finite; the other entries equal the (log-)softmax of the finite entries alone. A
 * slice that is −∞ throughout is NaN, for softmax and log-softmax, as in PyTorch (0/0: no distribution exists);
 * its NaN gradient stays in that slice. Callers that want zeros for such rows fill them afterwards.
 */
public final class Softmax {
    private Softmax() {}

    /**
     * exp(x − max) / Σ exp(x − max) along {@code dim}; the max is a constant (detached), and an infinite max
     * is replaced by 0 so that a slice of all −∞ does not turn into inf − inf.
     *
     * @param x the logits
     * @param dim the dimension normalised over (negative counts from the end)
     * @return a tensor of x's shape whose slices along {@code dim} sum to 1
     * @see Tensor#softmax
     */
    public static Tensor softmax(Tensor x, int dim) {
        if (HalfCompute.any(x)) return HalfCompute.round(softmax(x.to(DType.FLOAT32), dim), x.dtype());
        int d = Shape.normalizeDim("softmax", dim, x.dim());
        Tensor m = x.detach().max(d, true);
        m = Tensor.where(m.abs().lt(Double.POSITIVE_INFINITY), m, m.scalarLike(0));
        Tensor e = x.sub(m).exp();
        return e.div(e.sum(d, true));
    }

    /**
     * x − logsumexp(x) along {@code dim}: log-probabilities without forming the probabilities.
     *
     * @param x the logits
     * @param dim the dimension normalised over (negative counts from the end)
     * @return a tensor of x's shape, values ≤ 0
     * @see Tensor#logSoftmax
     */
    public static Tensor logSoftmax(Tensor x, int dim) {
        if (HalfCompute.any(x)) return HalfCompute.round(logSoftmax(x.to(DType.FLOAT32), dim), x.dtype());
        int d = Shape.normalizeDim("logSoftmax", dim, x.dim());
        return x.sub(x.logsumexp(d, true));
    }
}
