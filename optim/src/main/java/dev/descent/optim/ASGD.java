package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Averaged stochastic gradient descent (Polyak &amp; Juditsky, "Acceleration of Stochastic Approximation
 * by Averaging", SIAM J. Control Optim. 1992), with the semantics and defaults of PyTorch's
 * {@code torch.optim.ASGD} (its documented algorithm): SGD with a decaying step size η and a running
 * average {@code ax} of the iterates, which starts once a parameter's step count passes {@code t0}.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count; before its first step η = lr, μ = 1):
 *     g  ← ∇θ + wd·θ                                (L2 weight decay)
 *     θ  ← θ·(1 − λ·η)
 *     θ  ← θ − η·g
 *     if μ ≠ 1:  ax ← ax + (θ − ax)·μ
 *     else:      ax ← θ
 *     η  ← lr/(1 + λ·lr·t)^α
 *     μ  ← 1/max(1, t − t0)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-2), {@code lambd} λ, the decay term
 * (≥ 0, default 1e-4), {@code alpha} α, the power of the η decay (≥ 0, default 0.75), {@code t0}, the
 * step after which averaging starts (≥ 0, default 1e6), {@code weight_decay} (≥ 0, default 0).
 * PyTorch checks only {@code lr} and {@code weight_decay}; the other ranges are ours (a negative λ
 * or α would make η grow). State: the buffer {@code ax} (the averaged parameter, the parameter's
 * shape and dtype) and the per-parameter float64 statistics {@code eta} (η for the next step) and
 * {@code mu} (μ for the next step), as PyTorch keeps them; {@code eta} is NaN before the
 * parameter's first step, which takes η = the group's {@code lr} at that time. A later change of
 * {@code lr} (a schedule) enters η from the next recomputation on, as in PyTorch.
 *
 * <p>Read the averaged weights with {@link #averaged(Parameter)}, for example to evaluate or export
 * them instead of the last iterate. While μ = 1 the average is the last iterate itself; for a whole
 * number t0, after step t &gt; t0 + 1 it is the mean of the iterates after steps t0 + 2, …, t (step t uses
 * μ = 1/(t − 1 − t0)). With the default t0 = 1e6 averaging starts only after a million steps.
 * All arithmetic is float64, rounded once into float32 parameters and buffers; the average is updated
 * from the parameter as stored (as PyTorch updates it from the stored parameter).
 */
public final class ASGD extends Optimizer {

    /** The per-parameter statistic holding η for the next step. */
    static final String ETA = "eta";
    /** The per-parameter statistic holding μ for the next step. */
    static final String MU = "mu";
    /** The averaged parameter's buffer. */
    static final String AX = "ax";

    /** The hyperparameters ASGD accepts, with defaults and ranges, its buffer (ax) and its statistics eta and mu. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-2, Hyperparameters.Range.NON_NEGATIVE)
            .real("lambd", 1e-4, Hyperparameters.Range.NON_NEGATIVE)
            .real("alpha", 0.75, Hyperparameters.Range.NON_NEGATIVE)
            .real("t0", 1e6, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .buffer(AX)
            .paramScalar(ETA, Double.NaN)
            .paramScalar(MU, 1)
            .build();

    /**
     * ASGD over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ASGD(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * ASGD over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ASGD(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * ASGD whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public ASGD(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * ASGD whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public ASGD(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    /**
     * The averaged weights of one parameter: {@code ax} in the update rule above.
     *
     * @param p a parameter of this optimizer
     * @return a new tensor (a copy, not tracked by autograd) of the parameter's shape and dtype: the average
     *     of its iterates once averaging has started, its last iterate before that, and the parameter's
     *     current value when it has not been stepped yet (PyTorch's ax₀ = θ₀)
     * @throws IllegalArgumentException when {@code p} is not a parameter of this optimizer
     */
    public Tensor averaged(Parameter p) {
        for (int g = 0; g < groups().size(); g++) {
            List<Parameter> params = groups().get(g).parameters();
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) != p) continue;
                if (Double.isNaN(paramScalar(g, i, ETA))) return p.detach().clone();
                return buffer(g, i, AX).detach().clone();
            }
        }
        throw new IllegalArgumentException("parameter " + describe(p) + " is not optimized by this ASGD");
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double lr = hp.get("lr"), lambd = hp.get("lambd"), alpha = hp.get("alpha"), t0 = hp.get("t0");
        for (Slot s : slots) {
            long t = s.step();
            double eta = paramScalar(group, s.index(), ETA);
            if (Double.isNaN(eta)) eta = lr;
            double mu = paramScalar(group, s.index(), MU);
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), AX)), eta, mu, lambd, hp.get("weight_decay"));
            setParamScalar(group, s.index(), ETA, lr / Math.pow(1 + lambd * lr * t, alpha));
            setParamScalar(group, s.index(), MU, 1 / Math.max(1, t - t0));
        }
    }

    /**
     * The update rule on one tensor, in place, with this step's η and μ.
     *
     * @param eta η for this step
     * @param mu μ for this step
     */
    static void update(Flat theta, Flat grad, Flat ax, double eta, double mu, double lambd, double weightDecay) {
        double shrink = 1 - lambd * eta;
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                double th = theta.get(i);
                double g = grad.get(i);
                if (weightDecay != 0) g += weightDecay * th;
                th *= shrink;
                theta.set(i, th - eta * g);
                double stored = theta.get(i);
                if (mu != 1) ax.set(i, ax.get(i) + (stored - ax.get(i)) * mu);
                else ax.set(i, stored);
            }
        });
    }
}
