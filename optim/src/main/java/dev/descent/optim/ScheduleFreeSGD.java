package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Schedule-free SGD (Defazio et al. 2024, "The Road Less Scheduled", §2), with the defaults and semantics of
 * the authors' reference implementation ({@code SGDScheduleFree}): see {@link ScheduleFree} for the
 * sequences and the {@link #train()}/{@link #eval()} switch.
 *
 * <pre>
 * per group, step k:  γ_k ← lr·min(1, k/warmup_steps);  c as in {@link ScheduleFree}
 * per parameter:
 *     u ← g + wd·y                                  (g taken at y, the parameters)
 *     z ← z − γ_k·u;   x ← (1 − c)·x + c·z;   θ ← (1 − β)·z + β·x      (β = momentum)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1), {@code momentum} β (in [0, 1), default 0.9),
 * {@code weight_decay} (≥ 0, default 0), {@code warmup_steps} (whole, ≥ 0, default 0), {@code r} (finite,
 * default 0), {@code weight_lr_power} (≥ 0, default 2). Buffers: {@code z}, {@code x}.
 */
public final class ScheduleFreeSGD extends ScheduleFree {

    /** The hyperparameters schedule-free SGD accepts, with defaults and ranges, and its buffers. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1, Hyperparameters.Range.NON_NEGATIVE)
            .real("momentum", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .integer("warmup_steps", 0, 0)
            .real("r", 0, Hyperparameters.Range.FINITE)
            .real("weight_lr_power", 2, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("z")
            .buffer("x")
            .groupScalar("lr_max")
            .groupScalar("weight_sum")
            .build();

    /**
     * Schedule-free SGD over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ScheduleFreeSGD(List<ParamGroup> groups) {
        super(groups, SPEC, Map.of());
    }

    /**
     * Schedule-free SGD whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public ScheduleFreeSGD(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Schedule-free SGD over one group of {@code params}, with the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ScheduleFreeSGD(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Schedule-free SGD over one group of {@code params} with learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate
     */
    public ScheduleFreeSGD(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    double beta(ParamGroup hp) {
        return hp.get("momentum");
    }

    @Override
    double lrFactor(ParamGroup hp, long k) {
        return 1;
    }

    @Override
    void prepare(int group, Slot s, ParamGroup hp) {}

    @Override
    double direction(int i, double g) {
        return g;
    }
}
