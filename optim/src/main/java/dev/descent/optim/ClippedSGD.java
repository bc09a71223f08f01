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
 *
 * <p>||g|| is each group's by default; {@link #setNormScope} with {@link NormScope#ALL} takes it over all
 * parameters, each group still stepping with its own hyperparameters.
 */
public final class ClippedSGD extends NormScaledStep<ClippedSGD> {

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

    @Override
    void step(ParamGroup hp, Flat[] theta, Flat[] grad, double weightDecay, double norm) {
        update(theta, grad, hp.get("lr"), hp.get("gamma"), weightDecay, norm);
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
        descend(theta, grad, h, weightDecay);
        return h;
    }
}
