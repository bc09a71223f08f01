package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled", Algorithm 1), with the defaults and
 * semantics of the authors' reference implementation ({@code AdamWScheduleFree}): see {@link ScheduleFree}
 * for the sequences and the {@link #train()}/{@link #eval()} switch.
 *
 * <pre>
 * per group, step k:  γ_k ← lr·min(1, k/warmup_steps)·sqrt(1 − β2^k);  c as in {@link ScheduleFree}
 * per parameter:
 *     v ← β2·v + (1 − β2)·g²                        (g taken at y, the parameters)
 *     u ← g/(sqrt(v) + ε) + wd·y
 *     z ← z − γ_k·u;   x ← (1 − c)·x + c·z;   θ ← (1 − β1)·z + β1·x
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 0.0025), {@code beta1} (in [0, 1), default 0.9),
 * {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8), {@code weight_decay} (≥ 0,
 * default 0; taken at y, the authors' default), {@code warmup_steps} (whole, ≥ 0, default 0),
 * {@code r} (finite, default 0), {@code weight_lr_power} (≥ 0, default 2). Buffers: {@code z}, {@code x},
 * {@code exp_avg_sq}.
 */
public final class ScheduleFreeAdamW extends ScheduleFree {

    /** The hyperparameters schedule-free AdamW accepts, with defaults and ranges, and its buffers. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 0.0025, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .integer("warmup_steps", 0, 0)
            .real("r", 0, Hyperparameters.Range.FINITE)
            .real("weight_lr_power", 2, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("z")
            .buffer("x")
            .buffer("exp_avg_sq")
            .groupScalar("lr_max")
            .groupScalar("weight_sum")
            .build();

    private Flat v;
    private double beta2, eps;

    /**
     * Schedule-free AdamW over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ScheduleFreeAdamW(List<ParamGroup> groups) {
        super(groups, SPEC, Map.of());
    }

    /**
     * Schedule-free AdamW whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public ScheduleFreeAdamW(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Schedule-free AdamW over one group of {@code params}, with the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ScheduleFreeAdamW(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Schedule-free AdamW over one group of {@code params} with learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate
     */
    public ScheduleFreeAdamW(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    double beta(ParamGroup hp) {
        return hp.get("beta1");
    }

    @Override
    double lrFactor(ParamGroup hp, long k) {
        return Math.sqrt(1 - Math.pow(hp.get("beta2"), k));
    }

    @Override
    void prepare(int group, Slot s, ParamGroup hp) {
        v = Flat.of(buffer(group, s.index(), "exp_avg_sq"));
        beta2 = hp.get("beta2");
        eps = hp.get("eps");
    }

    @Override
    double direction(int i, double g) {
        v.set(i, beta2 * v.get(i) + (1 - beta2) * g * g);
        return g / (Math.sqrt(v.get(i)) + eps);
    }
}
