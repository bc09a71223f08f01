package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Resilient backpropagation (Riedmiller &amp; Braun, "A Direct Adaptive Method for Faster
 * Backpropagation Learning: The RPROP Algorithm", ICNN 1993), with the semantics and defaults of
 * PyTorch's {@code torch.optim.Rprop}: each element has its own step size, grown while the gradient
 * keeps its sign and shrunk when the sign flips; only the gradient's sign moves θ.
 *
 * <pre>
 * per parameter, each step (elementwise):
 *     on the parameter's first step:  p ← 0,  η ← lr
 *     if g·p &gt; 0:  η ← min(η·η₊, η_max)
 *     if g·p &lt; 0:  η ← max(η·η₋, η_min);  g ← 0     (no step, and no sign to compare next time)
 *     θ ← θ − η·sign(g)
 *     p ← g
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-2; the initial step size, read on each
 * parameter's first step), {@code etaminus} η₋ (in (0, 1), default 0.5), {@code etaplus} η₊ (&gt; 1,
 * default 1.2) — PyTorch's {@code etas} — and {@code step_size_min} η_min (≥ 0, default 1e-6),
 * {@code step_size_max} η_max (≥ 0, default 50), with η_min ≤ η_max — PyTorch's {@code step_sizes}.
 * Rprop has no weight decay (as in PyTorch). Buffers: {@code prev} (p) and {@code step_size} (η).
 * An element whose gradient is exactly 0, or whose previous gradient was zeroed, keeps its step size.
 */
public final class Rprop extends Optimizer {

    /** The hyperparameters Rprop accepts, with defaults and ranges, and its buffers: prev, step_size. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-2, Hyperparameters.Range.NON_NEGATIVE)
            .real("etaminus", 0.5, new Hyperparameters.Range(0, true, 1, true))
            .real("etaplus", 1.2, new Hyperparameters.Range(1, true, Double.POSITIVE_INFINITY, true))
            .real("step_size_min", 1e-6, Hyperparameters.Range.NON_NEGATIVE)
            .real("step_size_max", 50, Hyperparameters.Range.NON_NEGATIVE)
            .check(g -> {
                if (g.get("step_size_min") > g.get("step_size_max")) {
                    throw new IllegalArgumentException("step_size_min must be <= step_size_max, was step_size_min " + g.get("step_size_min")
                            + ", step_size_max " + g.get("step_size_max"));
                }
            })
            .buffer("prev")
            .buffer("step_size")
            .build();

    /**
     * Rprop over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Rprop(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Rprop over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Rprop(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Rprop whose groups default to learning rate (initial step size) {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the initial step size of every group that does not set {@code lr}
     */
    public Rprop(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Rprop whose one group of {@code params} defaults to learning rate (initial step size) {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the initial step size of every group that does not set {@code lr}
     */
    public Rprop(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            Flat stepSize = Flat.of(buffer(group, s.index(), "step_size"));
            if (s.step() == 1) {
                double lr = hp.get("lr");
                for (int i = 0; i < stepSize.size(); i++) stepSize.set(i, lr);
            }
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "prev")), stepSize,
                    hp.get("etaminus"), hp.get("etaplus"), hp.get("step_size_min"), hp.get("step_size_max"));
        }
    }

    /** The update rule on one tensor, in place: {@code theta}, {@code prev} and {@code stepSize} change. */
    static void update(Flat theta, Flat grad, Flat prev, Flat stepSize, double etaMinus, double etaPlus, double stepMin, double stepMax) {
        for (int i = 0; i < theta.size(); i++) {
            double g = grad.get(i);
            double agreement = g * prev.get(i);
            if (agreement > 0) {
                stepSize.set(i, Math.min(stepSize.get(i) * etaPlus, stepMax));
            } else if (agreement < 0) {
                stepSize.set(i, Math.max(stepSize.get(i) * etaMinus, stepMin));
                g = 0;
            }
            theta.set(i, theta.get(i) - stepSize.get(i) * Math.signum(g));
            prev.set(i, g);
        }
    }
}
