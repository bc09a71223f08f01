package dev.descent.optim;

/**
 * The gradient with L2 weight decay added, g + wd·θ, element by element and as the Euclidean norm of a
 * group's tensors viewed as one vector, summed in float64 in group order so that every run gives the
 * same bits: what the clipping rules measure and step along.
 */
final class DecayedGradient {
    private DecayedGradient() {}

    /** ||g + wd·θ|| over all tensors of a group. */
    static double norm(Flat[] grad, Flat[] theta, double weightDecay) {
        double s = 0;
        for (int k = 0; k < grad.length; k++) {
            for (int i = 0; i < grad[k].size(); i++) {
                double g = at(grad[k], theta[k], i, weightDecay);
                s += g * g;
            }
        }
        return Math.sqrt(s);
    }

    /** g_i + wd·θ_i (just g_i when wd = 0, so that no rounding enters the undecayed case). */
    static double at(Flat grad, Flat theta, int i, double weightDecay) {
        double g = grad.get(i);
        return weightDecay != 0 ? g + weightDecay * theta.get(i) : g;
    }
}
