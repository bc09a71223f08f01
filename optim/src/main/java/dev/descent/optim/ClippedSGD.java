package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Clipped gradient descent / SGD (Zhang, He, Sra &amp; Jadbabaie, ICLR 2020; docs/papers.md §4): a full
 * step while the group's gradient norm is at most γ, otherwise a step of length γ·η along the
 * gradient — provably faster than fixed-step GD on (L0, L1)-smooth functions such as x⁴.
 *
 * <pre>
 * per group, each step:
 *     g ← ∇θ + wd·θ                        (all tensors of the group as one vector)
 *     h ← min(η, γ·η/||g||)                (h = η when g = 0)
 *     θ ← θ − h·g
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} η (≥ 0, required), {@code gamma} γ (&gt; 0, +∞ allowed:
 * plain GD; required), {@code weight_decay} (≥ 0, default 0). In the notation of
 * {@link ClippingFramework} (threshold γ' on the step, not on the gradient) this is ν = 0 with
 * γ' = γ·η. The ICLR paper's theorem takes η = 1/(10·L0), γ = min(1/η, 1/(10·L1·η)).
 */
public final class ClippedSGD extends Optimizer {

    /** The hyperparameters clipped SGD accepts, with ranges. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", Hyperparameters.Range.NON_NEGATIVE)
            .requiredReal("gamma", Hyperparameters.Range.POSITIVE_OR_INFINITE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .build();

    /**
     * Clipped SGD over {@code groups}; each group must set {@code lr} and {@code gamma}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ClippedSGD(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Clipped SGD over one group of {@code params}; each group must set {@code lr} and {@code gamma}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ClippedSGD(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Clipped SGD whose groups default to step η = {@code lr} and threshold γ = {@code gamma}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr η for every group that does not set {@code lr}
     * @param gamma γ for every group that does not set {@code gamma}
     */
    public ClippedSGD(List<ParamGroup> groups, double lr, double gamma) {
        super(groups, SPEC, Map.of("lr", lr, "gamma", gamma));
    }

    /**
     * Clipped SGD whose one group of {@code params} defaults to step η = {@code lr} and threshold γ = {@code gamma}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr η for every group that does not set {@code lr}
     * @param gamma γ for every group that does not set {@code gamma}
     */
    public ClippedSGD(Iterable<? extends Parameter> params, double lr, double gamma) {
        this(oneGroup(params), lr, gamma);
    }

    private NormScope normScope = NormScope.GROUP;
    private double allNorm = Double.NaN;

    /**
     * Chooses the set of parameters the gradient norm ||g|| is taken over (not saved with the state).
     *
     * @param scope {@link NormScope#GROUP} (the default) or {@link NormScope#ALL}
     * @return this optimizer
     */
    public ClippedSGD setNormScope(NormScope scope) {
        if (scope == null) throw new IllegalArgumentException("norm scope must not be null (GROUP or ALL)");
        this.normScope = scope;
        return this;
    }

    /**
     * The set of parameters the gradient norm is taken over.
     *
     * @return the norm scope
     */
    public NormScope normScope() {
        return normScope;
    }

    @Override
    protected void beforeUpdates(List<List<Slot>> slotsByGroup) {
        allNorm = normScope == NormScope.ALL ? DecayedGradient.allGroupsNorm(this, slotsByGroup) : Double.NaN;
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        Flat[] theta = new Flat[slots.size()], grad = new Flat[slots.size()];
        for (int k = 0; k < slots.size(); k++) {
            theta[k] = Flat.of(slots.get(k).param());
            grad[k] = Flat.read(slots.get(k).grad());
        }
        double wd = hp.get("weight_decay");
        double norm = normScope == NormScope.ALL ? allNorm : DecayedGradient.norm(grad, theta, wd);
        update(theta, grad, hp.get("lr"), hp.get("gamma"), wd, norm);
    }

    /** The step size h = min(η, γ·η/||g||), and η when ||g|| = 0. */
    static double stepSize(double gradNorm, double lr, double gamma) {
        return gradNorm == 0 ? lr : Math.min(lr, gamma * lr / gradNorm);
    }

    /** The update rule on one group, in place; returns the step size h it used. */
    static double update(Flat[] theta, Flat[] grad, double lr, double gamma, double weightDecay) {
        return update(theta, grad, lr, gamma, weightDecay, DecayedGradient.norm(grad, theta, weightDecay));
    }

    /** The update rule on one group with the norm ||g|| given (the group's, or all parameters'); returns h. */
    static double update(Flat[] theta, Flat[] grad, double lr, double gamma, double weightDecay, double norm) {
        double h = stepSize(norm, lr, gamma);
        for (int k = 0; k < theta.length; k++) {
            Flat th = theta[k], gr = grad[k];
            Elementwise.forRange(th.size(), (from, to) -> {
                for (int i = from; i < to; i++) th.set(i, th.get(i) - h * DecayedGradient.at(gr, th, i, weightDecay));
            });
        }
        return h;
    }
}
