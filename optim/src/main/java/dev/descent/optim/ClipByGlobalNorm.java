package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * Scales all gradients together so that their joint Euclidean norm is at most {@code maxNorm}, as
 * PyTorch's {@code clip_grad_norm_}: with N = ||(g_1, …, g_n)||, every g_i ← g_i·min(1, maxNorm/(N + 1e-6)).
 * The norm is summed in float64 in parameter order (deterministic); a non-finite norm propagates
 * into the gradients, as in PyTorch.
 */
public final class ClipByGlobalNorm implements GradientTransform {
    private final double maxNorm;
    private double lastNorm = Double.NaN;

    /**
     * Clips to a joint norm.
     *
     * @param maxNorm the largest joint norm let through (> 0, finite)
     */
    public ClipByGlobalNorm(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("maxNorm must be > 0 and finite, was " + maxNorm);
        this.maxNorm = maxNorm;
    }

    /**
     * The joint norm before clipping, from the last {@link #apply} (NaN before the first).
     *
     * @return the norm N the last call measured
     */
    public double lastNorm() {
        return lastNorm;
    }

    @Override
    public void apply(List<? extends Parameter> params) {
        double s = 0;
        for (Parameter p : params) {
            Tensor g = contiguousGrad(p);
            if (g != null) s += Flat.of(g).sumOfSquares();
        }
        lastNorm = Math.sqrt(s);
        double coef = Math.min(1, maxNorm / (lastNorm + 1e-6));
        if (coef == 1) return;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            Flat f = Flat.of(g);
            for (int i = 0; i < f.size(); i++) f.set(i, f.get(i) * coef);
        }
    }

    /** The gradient of {@code p}, made contiguous in place of a strided one; null when there is none. */
    static Tensor contiguousGrad(Parameter p) {
        Tensor g = p.grad();
        if (g == null || g.isContiguous()) return g;
        Tensor copy = g.contiguous();
        p.setGrad(copy);
        return copy;
    }

    /** The threshold. */
    @Override
    public String toString() {
        return "ClipByGlobalNorm(" + maxNorm + ")";
    }
}
