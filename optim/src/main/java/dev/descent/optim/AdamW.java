package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter, ICLR 2019), as PyTorch's
 * {@code torch.optim.AdamW}: the parameter shrinks by lr·λ before the Adam step, and the decay never
 * enters the moments. The Adam step is {@link Adam}'s, with the same ε placement.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     θ ← θ·(1 − lr·λ)
 *     m ← m + (1 − β1)·(g − m);  v ← β2·v + (1 − β2)·g²;  v̂ ← max(v̂, v) if amsgrad, else v
 *     θ ← θ − lr/(1 − β1^t) · m/(sqrt(v̂)/sqrt(1 − β2^t) + ε)     (paper_epsilon: lr·sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v̂) + ε))
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} λ (≥ 0, default 1e-2, PyTorch's), {@code amsgrad} (default false), {@code paper_epsilon} (default false).
 * With λ = 0 AdamW is exactly {@link Adam} with weight decay 0.
 */
public final class AdamW extends AdamFamily {

    /** The hyperparameters AdamW accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq, max_exp_avg_sq (AMSGrad). */
    public static final Hyperparameters SPEC = pytorchSpec(1e-2).build();

    /**
     * AdamW over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public AdamW(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * AdamW over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public AdamW(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * AdamW whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public AdamW(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * AdamW whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public AdamW(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        updateEachParameter(group, hp, slots, Decay.DECOUPLED);
    }
}
