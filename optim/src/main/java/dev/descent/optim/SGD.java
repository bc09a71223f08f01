package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, with
 * the semantics of PyTorch's {@code torch.optim.SGD} (Sutskever et al. 2013 for the momentum form).
 *
 * <pre>
 * per parameter, each step:
 *     g ← ∇θ + wd·θ
 *     if μ ≠ 0:
 *         b ← g                      on the parameter's first step
 *         b ← μ·b + (1 − τ)·g        afterwards
 *         g ← g + μ·b  if nesterov,  else  g ← b
 *     θ ← θ − lr·g
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code momentum} μ (≥ 0, default 0),
 * {@code dampening} τ (in [0, 1], default 0), {@code weight_decay} wd (≥ 0, default 0),
 * {@code nesterov} (default false; needs μ > 0 and τ = 0). Heavy-ball momentum is μ = 0.9, τ = 0;
 * the EMA ("dampened") momentum of the clipping paper is τ = μ, except on the first step where
 * PyTorch's b ← g applies. Two-time-scale SGD (docs/papers.md §2) is two groups with different {@code lr}.
 *
 * <p>A group whose μ is 0 keeps no buffer; if μ is later made non-zero, its buffer starts from zeros.
 */
public final class SGD extends Optimizer {

    /** The hyperparameters SGD accepts, with defaults and ranges, and its buffers: momentum_buffer (when μ ≠ 0). */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("momentum", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("dampening", 0, Hyperparameters.Range.UNIT)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("nesterov", false)
            .check(g -> {
                if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
                    throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening = 0, was momentum "
                            + g.get("momentum") + ", dampening " + g.get("dampening"));
                }
            })
            .buffer("momentum_buffer", g -> g.get("momentum") != 0)
            .build();

    /**
     * SGD over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public SGD(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * SGD over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public SGD(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * SGD whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public SGD(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * SGD whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public SGD(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double momentum = hp.get("momentum");
        for (Slot s : slots) {
            Flat buf = momentum != 0 ? Flat.of(buffer(group, s.index(), "momentum_buffer")) : null;
            update(Flat.of(s.param()), Flat.read(s.grad()), buf, hp.get("lr"), momentum, hp.get("dampening"),
                    hp.get("weight_decay"), hp.flag("nesterov"), s.step() == 1);
        }
    }

    /**
     * The update rule on one tensor, in place: {@code theta} and {@code buf} (null when μ = 0) change.
     *
     * @param first whether this is the parameter's first step (the buffer is then set to g)
     */
    static void update(Flat theta, Flat grad, Flat buf, double lr, double momentum, double dampening, double weightDecay,
            boolean nesterov, boolean first) {
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                if (momentum != 0) {
                    double b = first ? g : momentum * buf.get(i) + (1 - dampening) * g;
                    buf.set(i, b);
                    b = buf.get(i); // the stored (possibly float32-rounded) value, as the next step will see it
                    g = nesterov ? g + momentum * b : b;
                }
                theta.set(i, th - lr * g);
            }
        });
    }
}
