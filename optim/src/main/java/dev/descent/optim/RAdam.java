package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * RAdam, rectified Adam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", ICLR
 * 2020), with the semantics and defaults of PyTorch's {@code torch.optim.RAdam} (its documented algorithm).
 *
 * <pre>
 * ρ∞ ← 2/(1 − β2) − 1
 * per parameter, each step (t = the parameter's step count):
 *     if decoupled_weight_decay:  θ ← θ·(1 − lr·wd);  g ← ∇θ
 *     else:                       g ← ∇θ + wd·θ
 *     m ← m + (1 − β1)·(g − m)                      (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     m̂ ← m/(1 − β1^t)
 *     ρt ← ρ∞ − 2t·β2^t/(1 − β2^t)
 *     if ρt &gt; 5:                                  (the variance of the adaptive rate is tractable)
 *         l ← sqrt(1 − β2^t)/(sqrt(v) + ε)
 *         r ← sqrt((ρt − 4)(ρt − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρt))
 *         θ ← θ − lr·m̂·r·l
 *     else:                                         (un-adapted momentum step)
 *         θ ← θ − lr·m̂
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0), {@code decoupled_weight_decay} (default false). Buffers:
 * {@code exp_avg} (m) and {@code exp_avg_sq} (v). With the default β2 the first five steps are
 * un-adapted (ρ1…ρ5 ≤ 5, ρ6 ≈ 5.99).
 */
public final class RAdam extends Optimizer {

    /** The hyperparameters RAdam accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("decoupled_weight_decay", false)
            .buffer("exp_avg")
            .buffer("exp_avg_sq")
            .build();

    /**
     * RAdam over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public RAdam(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * RAdam over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public RAdam(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * RAdam whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public RAdam(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * RAdam whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public RAdam(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                    Flat.of(buffer(group, s.index(), "exp_avg_sq")), hp.get("lr"), hp.get("beta1"), hp.get("beta2"), hp.get("eps"),
                    hp.get("weight_decay"), hp.flag("decoupled_weight_decay"), s.step());
        }
    }

    /** The update rule on one tensor, in place; {@code t} is the parameter's step count (≥ 1). */
    static void update(Flat theta, Flat grad, Flat m, Flat v, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled, long t) {
        double bc1 = 1 - Math.pow(beta1, t), beta2t = Math.pow(beta2, t), bc2 = 1 - beta2t;
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * t * beta2t / bc2;
        boolean rectified = rhoT > 5;
        double r = rectified ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 1;
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) {
                    if (decoupled) th *= 1 - lr * weightDecay;
                    else g += weightDecay * th;
                }
                m.set(i, m.get(i) + (1 - beta1) * (g - m.get(i)));
                v.set(i, beta2 * v.get(i) + (1 - beta2) * g * g);
                double mHat = m.get(i) / bc1;
                if (rectified) {
                    double l = Math.sqrt(bc2) / (Math.sqrt(v.get(i)) + eps);
                    theta.set(i, th - lr * mHat * r * l);
                } else {
                    theta.set(i, th - lr * mHat);
                }
            }
        });
    }
}
