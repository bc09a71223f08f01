package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi, Hazan &amp; Singer, JMLR 2011), with the semantics of PyTorch's
 * {@code torch.optim.Adagrad}.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     g ← ∇θ + wd·θ
 *     η ← lr / (1 + (t − 1)·lr_decay)
 *     s ← s + g²                                 (s starts at initial_accumulator_value)
 *     θ ← θ − η·g/(sqrt(s) + ε)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-2), {@code lr_decay} (≥ 0, default 0),
 * {@code weight_decay} (≥ 0, default 0), {@code initial_accumulator_value} (≥ 0, default 0),
 * {@code eps} (≥ 0, default 1e-10). The accumulator takes its initial value on the parameter's first
 * step (the value the group holds then).
 */
public final class Adagrad extends Optimizer {

    /** The hyperparameters Adagrad accepts, with defaults and ranges, and its buffers: sum. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-2, Hyperparameters.Range.NON_NEGATIVE)
            .real("lr_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("initial_accumulator_value", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("eps", 1e-10, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("sum")
            .build();

    /**
     * Adagrad over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adagrad(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adagrad over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Adagrad(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Adagrad whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adagrad(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Adagrad whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adagrad(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            Flat sum = Flat.of(buffer(group, s.index(), "sum"));
            if (s.step() == 1) {
                double init = hp.get("initial_accumulator_value");
                for (int i = 0; i < sum.size(); i++) sum.set(i, init);
            }
            update(Flat.of(s.param()), Flat.read(s.grad()), sum, hp.get("lr"), hp.get("lr_decay"), hp.get("weight_decay"),
                    hp.get("eps"), s.step());
        }
    }

    /** The update rule on one tensor, in place; {@code t} is the parameter's step count (≥ 1). */
    static void update(Flat theta, Flat grad, Flat sum, double lr, double lrDecay, double weightDecay, double eps, long t) {
        double clr = lr / (1 + (t - 1) * lrDecay);
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                sum.set(i, sum.get(i) + g * g);
                theta.set(i, th - clr * (g / (Math.sqrt(sum.get(i)) + eps)));
            }
        });
    }
}
