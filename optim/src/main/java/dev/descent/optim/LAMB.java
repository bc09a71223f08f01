package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * LAMB, layer-wise adaptive moments (You et al., "Large Batch Optimization for Deep Learning: Training
 * BERT in 76 minutes", ICLR 2020, Algorithm 2): Adam's bias-corrected moments give a direction r, with
 * weight decay added to it, and each parameter tensor's step is scaled by the trust ratio ‖θ‖/‖r‖.
 *
 * <pre>
 * per parameter tensor, each step (t = the parameter's step count):
 *     m ← m + (1 − β1)·(g − m)                       (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     r ← (m/(1 − β1^t)) / (sqrt(v)/sqrt(1 − β2^t) + ε) + λ·θ     (= m̂/(sqrt(v̂) + ε) + λθ)
 *     ratio ← ‖θ‖/‖r‖  if trust_ratio and ‖θ‖ &gt; 0 and ‖r‖ &gt; 0,  else 1      (φ = identity)
 *     θ ← θ − lr·ratio·r
 * </pre>
 *
 * The norms are the Euclidean norms of the whole tensor (θ before the step), summed in float64.
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-6), {@code weight_decay}
 * λ (≥ 0, default 0), {@code trust_ratio} (default true). Buffers: {@code exp_avg} (m) and
 * {@code exp_avg_sq} (v).
 *
 * <p>Biases and normalisation layers are usually excluded from the layer-wise scaling by putting them
 * in a group with {@code trust_ratio = false}. Such a group takes θ ← θ − lr·(m̂/(sqrt(v̂) + ε) + λθ):
 * that is {@link AdamW} with weight decay λ (decoupled, PyTorch's ε placement, no AMSGrad) — the decay
 * is not L2 in the gradient, so it never enters the moments — and with λ = 0 it is {@link Adam}. The
 * group then runs AdamW's own rule, so it agrees with AdamW bit for bit.
 */
public final class LAMB extends Optimizer {

    /** The hyperparameters LAMB accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-6, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("trust_ratio", true)
            .buffer("exp_avg")
            .buffer("exp_avg_sq")
            .build();

    /**
     * LAMB over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public LAMB(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * LAMB over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public LAMB(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * LAMB whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LAMB(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * LAMB whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LAMB(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        boolean trust = hp.flag("trust_ratio");
        for (Slot s : slots) {
            Flat theta = Flat.of(s.param()), grad = Flat.read(s.grad());
            Flat m = Flat.of(buffer(group, s.index(), "exp_avg")), v = Flat.of(buffer(group, s.index(), "exp_avg_sq"));
            if (trust) {
                update(theta, grad, m, v, hp.get("lr"), hp.get("beta1"), hp.get("beta2"), hp.get("eps"), hp.get("weight_decay"), s.step());
            } else {
                AdamFamily.update(new AdamFamily.Operands(theta, grad, m, v, null),
                        AdamFamily.Step.of(hp, AdamFamily.Decay.DECOUPLED, false, 1, s.step()));
            }
        }
    }

    /**
     * The rule with the trust ratio on one tensor, in place; {@code t} is the parameter's step count (≥ 1).
     * A first pass updates the moments and sums ‖θ‖² and ‖r‖²; a second recomputes r from the stored
     * moments (the same operations, so the same r) and takes the step.
     */
    static void update(Flat theta, Flat grad, Flat m, Flat v, double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        double bc1 = 1 - StrictMath.pow(beta1, t), bc2Sqrt = Math.sqrt(1 - StrictMath.pow(beta2, t));
        double thetaSq = 0, rSq = 0;
        for (int i = 0; i < theta.size(); i++) {
            double g = grad.get(i), mi = m.get(i);
            m.set(i, mi + (1 - beta1) * (g - mi));
            v.set(i, beta2 * v.get(i) + (1 - beta2) * g * g);
            double th = theta.get(i), r = direction(th, m.get(i), v.get(i), bc1, bc2Sqrt, eps, weightDecay);
            thetaSq += th * th;
            rSq += r * r;
        }
        double thetaNorm = Math.sqrt(thetaSq), rNorm = Math.sqrt(rSq);
        double ratio = thetaNorm > 0 && rNorm > 0 ? thetaNorm / rNorm : 1;
        double stepSize = lr * ratio;
        for (int i = 0; i < theta.size(); i++) {
            double th = theta.get(i);
            theta.set(i, th - stepSize * direction(th, m.get(i), v.get(i), bc1, bc2Sqrt, eps, weightDecay));
        }
    }

    /** r = m̂/(sqrt(v̂) + ε) + λθ for one element, from the stored moments. */
    private static double direction(double th, double m, double v, double bc1, double bc2Sqrt, double eps, double weightDecay) {
        double r = (m / bc1) / (Math.sqrt(v) / bc2Sqrt + eps);
        return weightDecay != 0 ? r + weightDecay * th : r;
    }
}
