package dev.descent.optim;

/**
 * Euclidean norms of a group's tensors viewed as one vector, summed in float64 in group order so that
 * every run gives the same bits: the norm the clipping rules and the projections take.
 */
final class GroupNorm {
    private GroupNorm() {}

    /** ||x|| over all tensors. */
    static double of(Flat[] x) {
        double s = 0;
        for (Flat f : x) s += f.sumOfSquares();
        return Math.sqrt(s);
    }

    /** ||g + wd·θ|| over all tensors: the norm of the gradient with L2 decay added. */
    static double ofDecayed(Flat[] grad, Flat[] theta, double weightDecay) {
        double s = 0;
        for (int k = 0; k < grad.length; k++) {
            for (int i = 0; i < grad[k].size(); i++) {
                double g = decayed(grad[k], theta[k], i, weightDecay);
                s += g * g;
            }
        }
        return Math.sqrt(s);
    }

    /** g_i + wd·θ_i (just g_i when wd = 0, so that no rounding enters the undecayed case). */
    static double decayed(Flat grad, Flat theta, int i, double weightDecay) {
        double g = grad.get(i);
        return weightDecay != 0 ? g + weightDecay * theta.get(i) : g;
    }
}
