package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba, ICLR 2015) with L2 weight decay added to the gradient and the AMSGrad option
 * (Reddi, Kale &amp; Kumar, ICLR 2018), as {@code torch.optim.Adam} computes it.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     g ← ∇θ + wd·θ
 *     m ← m + (1 − β1)·(g − m)              (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     v̂ ← max(v̂, v) if amsgrad, else v̂ = v
 *     θ ← θ − lr/(1 − β1^t) · m/(sqrt(v̂)/sqrt(1 − β2^t) + ε)            (PyTorch's form, the default)
 *     θ ← θ − lr · sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v̂) + ε)          (with paper_epsilon: Kingma &amp; Ba §2)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0), {@code amsgrad} (default false), {@code paper_epsilon}
 * (default false).
 *
 * <p>The two forms differ only in where ε enters: the paper's (and docs/papers.md §1's, for Stein-rule
 * Adam) adds it to the uncorrected sqrt(v), an effective ε larger by 1/sqrt(1 − β2^t) (×31.6 on step
 * 1, → ×1 as t grows). With {@code paper_epsilon}, Adam is exactly Stein-rule Adam with shrinkage off.
 */
public final class Adam extends AdamFamily {

    /** The hyperparameters Adam accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq, max_exp_avg_sq (AMSGrad). */
    public static final Hyperparameters SPEC = pytorchSpec(0).build();

    /**
     * Adam over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adam(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adam over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Adam(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Adam whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adam(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Adam whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adam(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        updateEachParameter(group, hp, slots, Decay.L2);
    }
}
