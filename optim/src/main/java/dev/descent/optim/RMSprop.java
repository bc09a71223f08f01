package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * RMSprop (Hinton, Coursera lecture 6e, 2012; centred form from Graves 2013), with the semantics of
 * PyTorch's {@code torch.optim.RMSprop}.
 *
 * <pre>
 * per parameter, each step:
 *     g ← ∇θ + wd·θ
 *     v ← α·v + (1 − α)·g²
 *     if centered:  ḡ ← α·ḡ + (1 − α)·g;   d ← sqrt(v − ḡ²) + ε
 *     else:                                 d ← sqrt(v) + ε
 *     if μ > 0:  b ← μ·b + g/d;  θ ← θ − lr·b
 *     else:      θ ← θ − lr·g/d
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-2), {@code alpha} α (in [0, 1), default
 * 0.99), {@code eps} (≥ 0, default 1e-8), {@code weight_decay} (≥ 0, default 0), {@code momentum} μ
 * (≥ 0, default 0), {@code centered} (default false).
 */
public final class RMSprop extends Optimizer {

    /** The hyperparameters RMSprop accepts, with defaults and ranges, and its buffers: square_avg, momentum_buffer (when μ ≠ 0), grad_avg (when centred). */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-2, Hyperparameters.Range.NON_NEGATIVE)
            .real("alpha", 0.99, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("momentum", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("centered", false)
            .buffer("square_avg")
            .buffer("momentum_buffer", g -> g.get("momentum") > 0)
            .buffer("grad_avg", g -> g.flag("centered"))
            .build();

    /**
     * RMSprop over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public RMSprop(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * RMSprop over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public RMSprop(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * RMSprop whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public RMSprop(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * RMSprop whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public RMSprop(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        boolean momentum = hp.get("momentum") > 0, centered = hp.flag("centered");
        for (Slot s : slots) {
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "square_avg")),
                    centered ? Flat.of(buffer(group, s.index(), "grad_avg")) : null,
                    momentum ? Flat.of(buffer(group, s.index(), "momentum_buffer")) : null,
                    hp.get("lr"), hp.get("alpha"), hp.get("eps"), hp.get("weight_decay"), hp.get("momentum"));
        }
    }

    /**
     * The update rule on one tensor, in place.
     *
     * @param gradAvg ḡ when centred, else null
     * @param buf the momentum buffer when μ > 0, else null
     */
    static void update(Flat theta, Flat grad, Flat squareAvg, Flat gradAvg, Flat buf, double lr, double alpha, double eps,
            double weightDecay, double momentum) {
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                squareAvg.set(i, alpha * squareAvg.get(i) + (1 - alpha) * g * g);
                double v = squareAvg.get(i);
                if (gradAvg != null) {
                    gradAvg.set(i, gradAvg.get(i) + (1 - alpha) * (g - gradAvg.get(i)));
                    double ga = gradAvg.get(i);
                    v = v - ga * ga;
                }
                double d = Math.sqrt(v) + eps;
                if (buf != null) {
                    buf.set(i, momentum * buf.get(i) + g / d);
                    theta.set(i, th - lr * buf.get(i));
                } else {
                    theta.set(i, th - lr * (g / d));
                }
            }
        });
    }
}
