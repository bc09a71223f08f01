package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * The general clipping framework with momentum of Zhang, Jin, Fang &amp; Wang (NeurIPS 2020,
 * arXiv 2010.02519; docs/papers.md §4): a convex combination of a clipped momentum step and a clipped
 * gradient step, which contains clipped SGD, clipped momentum and mixed clipping.
 *
 * <pre>
 * per group, each step (m starts at 0; norms over all tensors of the group as one vector):
 *     g ← ∇θ + wd·θ
 *     m ← β·m + (1 − β)·g
 *     θ ← θ − [ ν·h(m)·m + (1 − ν)·h(g)·g ]
 * with
 *     HARD:  h(u) = min(η, γ/||u||)                   (the paper's)
 *     SOFT:  h(u) = η/(1 + η·||u||/γ)                 (the authors' code; within a factor 2 of HARD)
 *     a term whose vector u is 0 contributes nothing (h(0) = η times 0)
 * </pre>
 *
 * Special cases (each asserted by a property test): ν = 0 is clipped SGD, {@link ClippedSGD} with
 * its γ = γ'/η; ν = 1, β &gt; 0 is clipped momentum; 0 &lt; ν &lt; 1 is mixed clipping (the paper uses
 * ν = 0.7, β = 0.999); ν = 1 with β = 0 equals ν = 0; γ = +∞ gives SGD (ν = 0), EMA-momentum SGD
 * (ν = 1) and quasi-hyperbolic momentum (0 &lt; ν &lt; 1); η = +∞ with ν = 1 is normalised momentum,
 * step γ·m/||m||. With HARD, no step is longer than γ, whatever ν.
 *
 * <p>Hyperparameters (per group): {@code lr} η (≥ 0, +∞ allowed; required), {@code gamma} γ (&gt; 0,
 * +∞ allowed; required; not both infinite), {@code nu} ν (in [0, 1]; required), {@code beta} β (in
 * [0, 1), default 0.9), {@code weight_decay} (≥ 0, default 0), {@code clip} ({@link Clip#HARD} by
 * default). The authors divide both η and γ by 10 at each milestone: an {@link LrScheduler} over
 * the keys {@code lr} and {@code gamma} does that.
 *
 * <p>{@link #setNormScope} chooses the parameters both norms ||g|| and ||m|| are taken over: each group's (the
 * default) or, with {@link NormScope#ALL}, all of them: every group's momentum is updated first, then both norms
 * are taken over all parameters, then each group steps with its own η, γ, ν and clip.
 */
public final class ClippingFramework extends NormScoped<ClippingFramework> {

    /** The clipping function h. */
    public enum Clip {
        /** h(u) = min(η, γ/||u||): the paper's definition. */
        HARD,
        /** h(u) = η/(1 + η·||u||/γ): the authors' code for the momentum variants. */
        SOFT
    }

    /** The hyperparameters of the framework, with defaults and ranges, and its buffers: momentum_buffer. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", new Hyperparameters.Range(0, false, Double.POSITIVE_INFINITY, false))
            .requiredReal("gamma", Hyperparameters.Range.POSITIVE_OR_INFINITE)
            .requiredReal("nu", Hyperparameters.Range.UNIT)
            .real("beta", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .choice("clip", Clip.HARD)
            .check(g -> {
                if (Double.isInfinite(g.get("lr")) && Double.isInfinite(g.get("gamma"))) {
                    throw new IllegalArgumentException("lr and gamma must not both be infinite, was lr " + g.get("lr") + ", gamma " + g.get("gamma"));
                }
            })
            .buffer("momentum_buffer")
            .build();

    /**
     * The framework over {@code groups}; each group must set {@code lr}, {@code gamma} and {@code nu}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ClippingFramework(List<ParamGroup> groups) {
        super(groups, SPEC, NormScope.GROUP);
    }

    /**
     * The framework over one group of {@code params}; each group must set {@code lr}, {@code gamma} and {@code nu}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ClippingFramework(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * The framework whose groups default to these η, γ, β and ν.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr η for every group that does not set {@code lr}
     * @param gamma γ for every group that does not set {@code gamma}
     * @param beta β for every group that does not set {@code beta}
     * @param nu ν for every group that does not set {@code nu}
     */
    public ClippingFramework(List<ParamGroup> groups, double lr, double gamma, double beta, double nu) {
        super(groups, SPEC, Map.of("lr", lr, "gamma", gamma, "beta", beta, "nu", nu), NormScope.GROUP);
    }

    /**
     * The framework whose one group of {@code params} defaults to these η, γ, β and ν.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr η for every group that does not set {@code lr}
     * @param gamma γ for every group that does not set {@code gamma}
     * @param beta β for every group that does not set {@code beta}
     * @param nu ν for every group that does not set {@code nu}
     */
    public ClippingFramework(Iterable<? extends Parameter> params, double lr, double gamma, double beta, double nu) {
        this(oneGroup(params), lr, gamma, beta, nu);
    }

    private double allGradNorm = Double.NaN, allMomentumNorm = Double.NaN;

    private Flat[][] operands(int group, List<Slot> slots) {
        int n = slots.size();
        Flat[] theta = new Flat[n], grad = new Flat[n], m = new Flat[n];
        for (int k = 0; k < n; k++) {
            Slot s = slots.get(k);
            theta[k] = Flat.of(s.param());
            grad[k] = Flat.read(s.grad());
            m[k] = Flat.of(buffer(group, s.index(), "momentum_buffer"));
        }
        return new Flat[][] {theta, grad, m};
    }

    @Override
    protected void beforeUpdates(List<List<Slot>> slotsByGroup) {
        if (normScope() != NormScope.ALL) return;
        double gg = 0, mm = 0;
        for (int g = 0; g < slotsByGroup.size(); g++) {
            if (slotsByGroup.get(g).isEmpty()) continue;
            Flat[][] o = operands(g, slotsByGroup.get(g));
            double[] sums = moments(o[0], o[1], o[2], group(g).get("beta"), group(g).get("weight_decay"));
            gg += sums[0];
            mm += sums[1];
        }
        allGradNorm = Math.sqrt(gg);
        allMomentumNorm = Math.sqrt(mm);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        Flat[][] o = operands(group, slots);
        double wd = hp.get("weight_decay");
        Clip clip = hp.option("clip", Clip.class);
        if (normScope() == NormScope.ALL) {
            apply(o[0], o[1], o[2], hp.get("lr"), hp.get("gamma"), hp.get("nu"), wd, clip, allGradNorm, allMomentumNorm);
        } else {
            update(o[0], o[1], o[2], hp.get("lr"), hp.get("gamma"), hp.get("beta"), hp.get("nu"), wd, clip);
        }
    }

    /** h(u) for a vector of norm {@code norm} (> 0). */
    static double h(double norm, double lr, double gamma, Clip clip) {
        if (clip == Clip.HARD) return Math.min(lr, gamma / norm);
        return Double.isInfinite(lr) ? gamma / norm : lr / (1 + lr * norm / gamma);
    }

    /** The update rule on one group, in place ({@code theta} and {@code m} change). */
    static void update(Flat[] theta, Flat[] grad, Flat[] m, double lr, double gamma, double beta, double nu, double weightDecay,
            Clip clip) {
        double[] sums = moments(theta, grad, m, beta, weightDecay);
        apply(theta, grad, m, lr, gamma, nu, weightDecay, clip, Math.sqrt(sums[0]), Math.sqrt(sums[1]));
    }

    /** m ← β·m + (1 − β)·g over one group; returns {Σ g², Σ m²} (g decayed, m as stored). */
    static double[] moments(Flat[] theta, Flat[] grad, Flat[] m, double beta, double weightDecay) {
        double gg = 0, mm = 0;
        for (int k = 0; k < theta.length; k++) {
            for (int i = 0; i < theta[k].size(); i++) {
                double g = DecayedGradient.at(grad[k], theta[k], i, weightDecay);
                m[k].set(i, beta * m[k].get(i) + (1 - beta) * g);
                double mi = m[k].get(i);
                gg += g * g;
                mm += mi * mi;
            }
        }
        return new double[] {gg, mm};
    }

    /** θ ← θ − (ν·h(||m||)·m + (1 − ν)·h(||g||)·g) over one group, with the norms given. */
    static void apply(Flat[] theta, Flat[] grad, Flat[] m, double lr, double gamma, double nu, double weightDecay, Clip clip, double gNorm,
            double mNorm) {
        double a = mNorm == 0 ? 0 : nu * h(mNorm, lr, gamma, clip);
        double b = gNorm == 0 ? 0 : (1 - nu) * h(gNorm, lr, gamma, clip);
        for (int k = 0; k < theta.length; k++) {
            Flat th = theta[k], gr = grad[k], mk = m[k];
            Elementwise.forRange(th.size(), (from, to) -> {
                for (int i = from; i < to; i++) {
                    double g = DecayedGradient.at(gr, th, i, weightDecay);
                    th.set(i, th.get(i) - (a * mk.get(i) + b * g));
                }
            });
        }
    }
}
