package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012), with the
 * semantics and defaults of PyTorch's {@code torch.optim.Adadelta}.
 *
 * <pre>
 * per parameter, each step:
 *     g ← ∇θ + wd·θ
 *     v ← ρ·v + (1 − ρ)·g²                      (running average of squared gradients)
 *     Δ ← sqrt(u + ε)/sqrt(v + ε)·g
 *     u ← ρ·u + (1 − ρ)·Δ²                      (running average of squared updates)
 *     θ ← θ − lr·Δ
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1.0; PyTorch's scale on Δ, which the paper
 * does not have), {@code rho} ρ (in [0, 1], default 0.9), {@code eps} ε (≥ 0, default 1e-6),
 * {@code weight_decay} wd (≥ 0, default 0; L2, added to the gradient). Buffers: {@code square_avg}
 * (v) and {@code acc_delta} (u), both starting at zero.
 */
public final class Adadelta extends Optimizer {

    /** The hyperparameters Adadelta accepts, with defaults and ranges, and its buffers: square_avg, acc_delta. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1.0, Hyperparameters.Range.NON_NEGATIVE)
            .real("rho", 0.9, Hyperparameters.Range.UNIT)
            .real("eps", 1e-6, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("square_avg")
            .buffer("acc_delta")
            .build();

    /**
     * Adadelta over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adadelta(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adadelta over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Adadelta(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Adadelta whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adadelta(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Adadelta whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adadelta(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "square_avg")),
                    Flat.of(buffer(group, s.index(), "acc_delta")), hp.get("lr"), hp.get("rho"), hp.get("eps"), hp.get("weight_decay"));
        }
    }

    /** The update rule on one tensor, in place: {@code theta}, {@code squareAvg} (v) and {@code accDelta} (u) change. */
    static void update(Flat theta, Flat grad, Flat squareAvg, Flat accDelta, double lr, double rho, double eps, double weightDecay) {
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                squareAvg.set(i, rho * squareAvg.get(i) + (1 - rho) * g * g);
                double delta = Math.sqrt(accDelta.get(i) + eps) / Math.sqrt(squareAvg.get(i) + eps) * g;
                accDelta.set(i, rho * accDelta.get(i) + (1 - rho) * delta * delta);
                theta.set(i, th - lr * delta);
            }
        });
    }
}
