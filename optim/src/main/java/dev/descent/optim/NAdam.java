package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * NAdam, Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
 * workshop), with the semantics and defaults of PyTorch's {@code torch.optim.NAdam} (its documented
 * algorithm, including the momentum schedule μt and the decoupled option of Loshchilov &amp; Hutter).
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count; Π starts at 1):
 *     if decoupled_weight_decay:  θ ← θ·(1 − lr·wd);  g ← ∇θ
 *     else:                       g ← ∇θ + wd·θ
 *     μt   ← β1·(1 − ½·0.96^(t·ψ))
 *     μt+1 ← β1·(1 − ½·0.96^((t+1)·ψ))
 *     Π ← Π·μt                                      (mu_product = μ1·…·μt)
 *     m ← m + (1 − β1)·(g − m)                      (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     d ← sqrt(v/(1 − β2^t)) + ε
 *     θ ← θ − lr·(1 − μt)/(1 − Π) · g/d − lr·μt+1/(1 − Π·μt+1) · m/d
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 2e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0), {@code momentum_decay} ψ (≥ 0, default 4e-3),
 * {@code decoupled_weight_decay} (default false). Buffers: {@code exp_avg} (m) and {@code exp_avg_sq}
 * (v); the product Π is kept per parameter as the float64 statistic {@code mu_product}, as PyTorch
 * keeps it, so that a change of β1 or ψ mid-run affects only the later factors.
 */
public final class NAdam extends Optimizer {

    /** The per-parameter statistic holding μ1·…·μt. */
    static final String MU_PRODUCT = "mu_product";

    /** The hyperparameters NAdam accepts, with defaults and ranges, its buffers (exp_avg, exp_avg_sq) and mu_product. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 2e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("momentum_decay", 4e-3, Hyperparameters.Range.NON_NEGATIVE)
            .flag("decoupled_weight_decay", false)
            .buffer("exp_avg")
            .buffer("exp_avg_sq")
            .paramScalar(MU_PRODUCT, 1)
            .build();

    /**
     * NAdam over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public NAdam(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * NAdam over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public NAdam(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * NAdam whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public NAdam(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * NAdam whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public NAdam(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double beta1 = hp.get("beta1"), psi = hp.get("momentum_decay");
        for (Slot s : slots) {
            long t = s.step();
            double mu = beta1 * (1 - 0.5 * Math.pow(0.96, t * psi));
            double muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
            double muProduct = paramScalar(group, s.index(), MU_PRODUCT) * mu;
            setParamScalar(group, s.index(), MU_PRODUCT, muProduct);
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                    Flat.of(buffer(group, s.index(), "exp_avg_sq")), hp.get("lr"), beta1, hp.get("beta2"), hp.get("eps"),
                    hp.get("weight_decay"), hp.flag("decoupled_weight_decay"), t, mu, muNext, muProduct);
        }
    }

    /**
     * The update rule on one tensor, in place.
     *
     * @param t the parameter's step count (≥ 1)
     * @param mu μt
     * @param muNext μt+1
     * @param muProduct Π = μ1·…·μt, this step's factor included
     */
    static void update(Flat theta, Flat grad, Flat m, Flat v, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled, long t, double mu, double muNext, double muProduct) {
        double bc2 = 1 - Math.pow(beta2, t);
        double gradStep = lr * (1 - mu) / (1 - muProduct), momentumStep = lr * muNext / (1 - muProduct * muNext);
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
                double d = Math.sqrt(v.get(i) / bc2) + eps;
                theta.set(i, th - gradStep * (g / d) - momentumStep * (m.get(i) / d));
            }
        });
    }
}
