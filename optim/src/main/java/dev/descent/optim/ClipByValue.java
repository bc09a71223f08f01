package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * Clamps every gradient element to [−limit, limit], as PyTorch's {@code clip_grad_value_}. NaN stays NaN.
 */
public final class ClipByValue implements GradientTransform {
    private final double limit;

    /**
     * Clips each element to [−limit, limit].
     *
     * @param limit the bound (> 0)
     */
    public ClipByValue(double limit) {
        if (!(limit > 0)) throw new IllegalArgumentException("limit must be > 0, was " + limit);
        this.limit = limit;
    }

    @Override
    public void apply(List<? extends Parameter> params) {
        for (Parameter p : params) {
            Tensor g = ClipByGlobalNorm.contiguousGrad(p);
            if (g == null) continue;
            Flat f = Flat.of(g);
            for (int i = 0; i < f.size(); i++) {
                double x = f.get(i);
                if (x > limit) f.set(i, limit);
                else if (x < -limit) f.set(i, -limit);
            }
        }
    }

    /** The limit. */
    @Override
    public String toString() {
        return "ClipByValue(" + limit + ")";
    }
}
