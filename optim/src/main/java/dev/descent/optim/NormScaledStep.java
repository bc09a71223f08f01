package dev.descent.optim;

import java.util.List;
import java.util.Map;

/**
 * The base of the rules θ ← θ − h(||g||)·g whose step size depends only on the norm of the decayed gradient
 * g = ∇θ + wd·θ, taken over a group or over all parameters ({@link NormScope}): {@link ClippedSGD} and
 * {@link NormalizedSGD}. It gathers a group's tensors and its norm; the subclass says h.
 *
 * @param <S> the optimizer's own type
 */
abstract sealed class NormScaledStep<S extends NormScaledStep<S>> extends NormScoped<S> permits ClippedSGD, NormalizedSGD {

    /** ||g|| over all parameters, taken before this step's updates when the scope is {@link NormScope#ALL}. */
    private double allNorm = Double.NaN;

    NormScaledStep(List<ParamGroup> groups, Hyperparameters spec) {
        super(groups, spec, NormScope.GROUP);
    }

    NormScaledStep(List<ParamGroup> groups, Hyperparameters spec, Map<String, Object> defaults) {
        super(groups, spec, defaults, NormScope.GROUP);
    }

    @Override
    protected final void beforeUpdates(List<List<Slot>> slotsByGroup) {
        allNorm = normScope() == NormScope.ALL ? DecayedGradient.allGroupsNorm(this, slotsByGroup) : Double.NaN;
    }

    @Override
    protected final void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        Flat[] theta = new Flat[slots.size()], grad = new Flat[slots.size()];
        for (int k = 0; k < slots.size(); k++) {
            theta[k] = Flat.of(slots.get(k).param());
            grad[k] = Flat.read(slots.get(k).grad());
        }
        double wd = hp.get("weight_decay");
        double norm = normScope() == NormScope.ALL ? allNorm : DecayedGradient.norm(grad, theta, wd);
        step(hp, theta, grad, wd, norm);
    }

    /**
     * Steps one group, in place.
     *
     * @param hp the group's hyperparameters
     * @param theta the group's parameters
     * @param grad their gradients
     * @param weightDecay the group's weight decay
     * @param norm ||g||, the group's or all parameters'
     */
    abstract void step(ParamGroup hp, Flat[] theta, Flat[] grad, double weightDecay, double norm);

    /** θ ← θ − h·g over one group, in place, g = ∇θ + wd·θ element by element. */
    static void descend(Flat[] theta, Flat[] grad, double h, double weightDecay) {
        for (int k = 0; k < theta.length; k++) {
            Flat th = theta[k], gr = grad[k];
            Elementwise.forRange(th.size(), (from, to) -> {
                for (int i = from; i < to; i++) th.set(i, th.get(i) - h * DecayedGradient.at(gr, th, i, weightDecay));
            });
        }
    }
}
