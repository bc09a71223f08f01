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

    /** ||g + wd·θ|| over every group's slots, each with its group's weight decay. */
    static double allGroupsNorm(Optimizer opt, java.util.List<java.util.List<Optimizer.Slot>> slotsByGroup) {
        double s = 0;
        for (int g = 0; g < slotsByGroup.size(); g++) {
            double wd = opt.group(g).get("weight_decay");
            for (Optimizer.Slot slot : slotsByGroup.get(g)) {
                Flat grad = Flat.read(slot.grad()), theta = Flat.of(slot.param());
                for (int i = 0; i < grad.size(); i++) {
                    double x = DecayedGradient.at(grad, theta, i, wd);
                    s += x * x;
                }
            }
        }
        return Math.sqrt(s);
    }
}
