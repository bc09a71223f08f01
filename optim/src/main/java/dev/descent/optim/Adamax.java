package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Adamax, Adam's infinity-norm variant (Kingma &amp; Ba, ICLR 2015, §7.1), with the semantics and defaults
 * of PyTorch's {@code torch.optim.Adamax} (its documented algorithm).
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     g ← ∇θ + wd·θ                                  (L2 weight decay)
 *     m ← m + (1 − β1)·(g − m)                      (= β1·m + (1 − β1)·g)
 *     u ← max(β2·u, |g| + ε)
 *     θ ← θ − lr/(1 − β1^t) · m/u
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 2e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0). Buffers: {@code exp_avg} (m) and {@code exp_inf} (u).
 * ε enters inside the maximum, as in PyTorch, so u > 0 from the first step whenever ε > 0.
 */
public final class Adamax extends Optimizer {

    /** The hyperparameters Adamax accepts, with defaults and ranges, and its buffers: exp_avg, exp_inf. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 2e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("exp_avg")
            .buffer("exp_inf")
            .build();

    /**
     * Adamax over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adamax(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adamax over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Adamax(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Adamax whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adamax(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Adamax whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adamax(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                    Flat.of(buffer(group, s.index(), "exp_inf")), hp.get("lr"), hp.get("beta1"), hp.get("beta2"), hp.get("eps"),
                    hp.get("weight_decay"), s.step());
        }
    }

    /** The update rule on one tensor, in place; {@code t} is the parameter's step count (≥ 1). */
    static void update(Flat theta, Flat grad, Flat m, Flat u, double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        double clr = lr / (1 - Math.pow(beta1, t));
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                m.set(i, m.get(i) + (1 - beta1) * (g - m.get(i)));
                u.set(i, Math.max(beta2 * u.get(i), Math.abs(g) + eps));
                theta.set(i, th - clr * (m.get(i) / u.get(i)));
            }
        });
    }
}
