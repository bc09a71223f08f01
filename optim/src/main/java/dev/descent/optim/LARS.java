package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman &amp; Ginsburg, "Large Batch Training of
 * Convolutional Networks", 2017, Algorithm 1): SGD with momentum in which each parameter tensor's
 * gradient is scaled by a local learning rate η·‖θ‖/(‖∇θ‖ + λ‖θ‖), so that every layer moves by about
 * the same fraction η of its norm.
 *
 * <pre>
 * per parameter tensor, each step:
 *     local ← η·‖θ‖/(‖∇θ‖ + λ·‖θ‖ + ε)  if trust_ratio and ‖θ‖ &gt; 0 and ‖∇θ‖ &gt; 0,  else 1
 *     g ← local·(∇θ + λ·θ)
 *     if μ ≠ 0:
 *         b ← g                  on the parameter's first step
 *         b ← μ·b + g            afterwards
 *         g ← b
 *     θ ← θ − lr·g
 * </pre>
 *
 * The paper writes v ← μ·v + γ·local·(∇θ + λθ), θ ← θ − v, with the global rate γ inside the buffer;
 * here lr multiplies the buffer, as in PyTorch's SGD, which is the same while lr is constant (and a
 * schedule then changes the step at once rather than through the momentum). The norms are Euclidean
 * norms of the whole tensor, summed in float64; ‖∇θ‖ is that of the raw gradient.
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0; required: the paper's base rates depend on the
 * batch size and model), {@code momentum} μ (≥ 0, default 0.9), {@code weight_decay} λ (≥ 0, default
 * 0; L2), {@code trust_coefficient} η (&gt; 0, default 1e-3), {@code eps} ε (≥ 0, default 1e-8),
 * {@code trust_ratio} (default true). Buffer: {@code momentum_buffer} (when μ ≠ 0).
 *
 * <p>A tensor whose norm or gradient norm is 0 takes local = 1 (as NVIDIA's LARC and torchlars do).
 * Biases and normalisation layers are usually excluded by putting them in a group with
 * {@code trust_ratio = false}; that group is exactly {@link SGD} with the same lr, momentum μ,
 * dampening 0, no Nesterov and weight decay λ — the same operations in the same order, so the same bits.
 */
public final class LARS extends Optimizer {

    /** The hyperparameters LARS accepts, with defaults and ranges, and its buffer: momentum_buffer (when μ ≠ 0). */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", Hyperparameters.Range.NON_NEGATIVE)
            .real("momentum", 0.9, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .real("trust_coefficient", 1e-3, Hyperparameters.Range.POSITIVE)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .flag("trust_ratio", true)
            .buffer("momentum_buffer", g -> g.get("momentum") != 0)
            .build();

    /**
     * LARS over {@code groups}; every group must set {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public LARS(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * LARS over one group of {@code params}; every group must set {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public LARS(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * LARS whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LARS(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * LARS whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LARS(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double momentum = hp.get("momentum"), wd = hp.get("weight_decay");
        boolean trust = hp.flag("trust_ratio");
        for (Slot s : slots) {
            Flat theta = Flat.of(s.param()), grad = Flat.read(s.grad());
            Flat buf = momentum != 0 ? Flat.of(buffer(group, s.index(), "momentum_buffer")) : null;
            double local = trust ? localRate(theta, grad, hp.get("trust_coefficient"), wd, hp.get("eps")) : 1;
            update(theta, grad, buf, hp.get("lr"), momentum, wd, local, s.step() == 1);
        }
    }

    /** η·‖θ‖/(‖g‖ + λ‖θ‖ + ε), or 1 when either norm is 0. */
    static double localRate(Flat theta, Flat grad, double trustCoefficient, double weightDecay, double eps) {
        double thetaSq = 0, gradSq = 0;
        for (int i = 0; i < theta.size(); i++) {
            double th = theta.get(i), g = grad.get(i);
            thetaSq += th * th;
            gradSq += g * g;
        }
        double thetaNorm = Math.sqrt(thetaSq), gradNorm = Math.sqrt(gradSq);
        return thetaNorm > 0 && gradNorm > 0 ? trustCoefficient * thetaNorm / (gradNorm + weightDecay * thetaNorm + eps) : 1;
    }

    /**
     * The rule on one tensor, in place: {@code theta} and {@code buf} (null when μ = 0) change. With
     * {@code local = 1} these are SGD's operations exactly.
     *
     * @param first whether this is the parameter's first step (the buffer is then set to g)
     */
    static void update(Flat theta, Flat grad, Flat buf, double lr, double momentum, double weightDecay, double local, boolean first) {
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                if (local != 1) g *= local;
                if (momentum != 0) {
                    double b = first ? g : momentum * buf.get(i) + g;
                    buf.set(i, b);
                    g = buf.get(i); // the stored (possibly float32-rounded) value, as the next step will see it
                }
                theta.set(i, th - lr * g);
            }
        });
    }
}
