package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Normalised gradient descent / SGD (Zhang, He, Sra &amp; Jadbabaie, ICLR 2020; docs/papers.md §4): the
 * step size is inversely proportional to the group's gradient norm, so with β = 0 every step has
 * length exactly η.
 *
 * <pre>
 * per group, each step:
 *     g ← ∇θ + wd·θ                        (all tensors of the group as one vector)
 *     h ← η/(||g|| + β)
 *     θ ← θ − h·g                          (no move when ||g|| + β = 0)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} η (≥ 0, required), {@code beta} β (≥ 0, default 0 — the
 * paper leaves it free; 0 is pure normalisation), {@code weight_decay} (≥ 0, default 0).
 *
 * <p>||g|| is each group's by default; {@link #setNormScope} with {@link NormScope#ALL} takes it over all
 * parameters, each group still stepping with its own hyperparameters.
 */
public final class NormalizedSGD extends NormScaledStep<NormalizedSGD> {

    /** The hyperparameters normalised SGD accepts, with defaults and ranges. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", Hyperparameters.Range.NON_NEGATIVE)
            .real("beta", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .build();

    /**
     * Normalised SGD over {@code groups}; each group must set {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public NormalizedSGD(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Normalised SGD over one group of {@code params}; each group must set {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public NormalizedSGD(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Normalised SGD whose groups default to step length η = {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public NormalizedSGD(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Normalised SGD whose one group of {@code params} defaults to step length η = {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public NormalizedSGD(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    void step(ParamGroup hp, Flat[] theta, Flat[] grad, double weightDecay, double norm) {
        update(theta, grad, hp.get("lr"), hp.get("beta"), weightDecay, norm);
    }

    /** The update rule on one group, in place; returns the step size h it used (0 when it did not move). */
    static double update(Flat[] theta, Flat[] grad, double lr, double beta, double weightDecay) {
        return update(theta, grad, lr, beta, weightDecay, DecayedGradient.norm(grad, theta, weightDecay));
    }

    /** The update rule on one group with the norm ||g|| given (the group's, or all parameters'); returns h. */
    static double update(Flat[] theta, Flat[] grad, double lr, double beta, double weightDecay, double norm) {
        double denominator = norm + beta;
        if (denominator == 0) return 0;
        double h = lr / denominator;
        descend(theta, grad, h, weightDecay);
        return h;
    }
}
