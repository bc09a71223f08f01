package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.List;
import java.util.Map;

/**
 * The schedule-free methods of Defazio, Yang, Mehta, Mishchenko, Khaled &amp; Cutkosky, "The Road Less
 * Scheduled" (NeurIPS 2024): {@link ScheduleFreeAdamW} and {@link ScheduleFreeSGD}. Three sequences
 * replace a learning-rate schedule: z takes the base method's steps, x is a weighted average of the
 * z's, and the gradient is taken at their interpolation y = (1 − β)·z + β·x, which is what the
 * parameters hold while training.
 *
 * <pre>
 * per group, step k (1-based, the group's step count):
 *     γ_k ← lr·min(1, k/warmup_steps)·s_k      (s_k = sqrt(1 − β2^k) for AdamW, 1 for SGD)
 *     γ_max ← max(γ_max, γ_k)
 *     w_k ← k^r·γ_max^weight_lr_power;   c ← w_k/Σ_{i≤k} w_i   (0 when the sum is 0)
 * per parameter (x = z = θ before its first step; θ holds y):
 *     u ← the base direction at y, plus wd·y
 *     z ← z − γ_k·u
 *     x ← (1 − c)·x + c·z
 *     θ ← (1 − β)·z + β·x
 * </pre>
 *
 * <p><b>Train and eval.</b> {@link #eval()} puts x into the parameters (for evaluation and for the
 * weights one keeps); {@link #train()} puts y back. Both are no-ops when already in that mode, and
 * {@link #step()} in eval mode throws, as in the authors' implementation. Unlike that implementation,
 * which keeps y in the parameters and z in a buffer and moves between y and x by interpolating with z,
 * Descent keeps x and z in buffers and always computes y = (1 − β)·z + β·x by the same formula, so
 * eval() then train() restores the parameters bit for bit (the price: one more buffer per parameter).
 * The mode is saved with the state ({@code schedule_free.train_mode}); γ_max and Σw are the per-group
 * statistics {@code lr_max} and {@code weight_sum}.
 */
public abstract sealed class ScheduleFree extends Optimizer permits ScheduleFreeAdamW, ScheduleFreeSGD {
    private boolean trainMode = true;

    /**
     * Binds the groups.
     *
     * @param groups the parameter groups
     * @param spec the hyperparameters
     * @param defaults the caller's defaults (the lr of a constructor)
     */
    ScheduleFree(List<ParamGroup> groups, Hyperparameters spec, Map<String, Object> defaults) {
        super(groups, spec, defaults);
    }

    /** β, the interpolation weight of x in y: AdamW's beta1, SGD's momentum. */
    abstract double beta(ParamGroup hp);

    /** s_k: the factor of γ_k beyond lr and warmup. */
    abstract double lrFactor(ParamGroup hp, long k);

    /** The base direction of one element (g/(sqrt(v) + ε) or g), updating per-element state at index i. */
    abstract void prepare(int group, Slot s, ParamGroup hp);

    /** The base direction at element i of the slot prepared last; called from the kernel threads at once, for distinct i. */
    abstract double direction(int i, double g);

    /**
     * Whether the parameters hold y (training) rather than x (evaluation).
     *
     * @return true in train mode, the mode a new optimizer starts in
     */
    public final boolean isTrainMode() {
        return trainMode;
    }

    /** Puts the averaged weights x into the parameters, for evaluation; nothing when already in eval mode. */
    public final void eval() {
        if (!trainMode) return;
        try (var _ = GradMode.noGrad()) {
            forEachStarted((g, i, theta) -> {
                Flat x = Flat.of(buffer(g, i, "x"));
                for (int j = 0; j < theta.size(); j++) theta.set(j, x.get(j));
            });
        }
        trainMode = false;
    }

    /** Puts y = (1 − β)·z + β·x back into the parameters, for training; nothing when already in train mode. */
    public final void train() {
        if (trainMode) return;
        try (var _ = GradMode.noGrad()) {
            forEachStarted((g, i, theta) -> setY(theta, Flat.of(buffer(g, i, "z")), Flat.of(buffer(g, i, "x")), beta(group(g))));
        }
        trainMode = true;
    }

    private interface ParamAction {
        void run(int group, int index, Flat theta);
    }

    private void forEachStarted(ParamAction action) {
        for (int g = 0; g < groups().size(); g++) {
            List<Parameter> params = group(g).parameters();
            for (int i = 0; i < params.size(); i++) if (paramStep(g, i) > 0) action.run(g, i, Flat.of(params.get(i)));
        }
    }

    private static void setY(Flat theta, Flat z, Flat x, double beta) {
        Elementwise.forRange(theta.size(), (from, to) -> {
            for (int j = from; j < to; j++) theta.set(j, (1 - beta) * z.get(j) + beta * x.get(j));
        });
    }

    @Override
    protected void beforeUpdates(List<List<Slot>> slotsByGroup) {
        if (!trainMode) {
            throw new IllegalStateException(getClass().getSimpleName() + " is in eval mode (the parameters hold the averaged x): call train() before step()");
        }
    }

    @Override
    protected void update(int group, ParamGroup hp, long k, List<Slot> slots) {
        double warmup = hp.get("warmup_steps");
        double sched = k <= warmup ? k / warmup : 1; // (k − 1) < warmup: the authors' 0-based test
        double lr = hp.get("lr") * sched * lrFactor(hp, k);
        double previousMax = groupScalar(group, "lr_max"), previousSum = groupScalar(group, "weight_sum");
        double lrMax = Math.max(lr, Double.isNaN(previousMax) ? -1 : previousMax);
        double weight = Math.pow(k, hp.get("r")) * Math.pow(lrMax, hp.get("weight_lr_power"));
        double weightSum = (Double.isNaN(previousSum) ? 0 : previousSum) + weight;
        setGroupScalar(group, "lr_max", lrMax);
        setGroupScalar(group, "weight_sum", weightSum);
        double c = weightSum == 0 ? 0 : weight / weightSum;
        double beta = beta(hp), wd = hp.get("weight_decay");
        for (Slot s : slots) {
            Flat theta = Flat.of(s.param()), grad = Flat.read(s.grad());
            Flat z = Flat.of(buffer(group, s.index(), "z")), x = Flat.of(buffer(group, s.index(), "x"));
            if (s.step() == 1) {
                for (int j = 0; j < theta.size(); j++) {
                    z.set(j, theta.get(j));
                    x.set(j, theta.get(j));
                }
            }
            prepare(group, s, hp);
            Elementwise.forRange(theta.size(), (from, to) -> {
                for (int j = from; j < to; j++) {
                    double y = theta.get(j);
                    double u = direction(j, grad.get(j));
                    if (wd != 0) u += wd * y;
                    z.set(j, z.get(j) - lr * u);
                    x.set(j, (1 - c) * x.get(j) + c * z.get(j));
                }
            });
            setY(theta, z, x, beta);
        }
    }

    @Override
    protected Map<String, Tensor> extraState() {
        return Map.of("schedule_free.train_mode", Tensor.of(new boolean[] {trainMode}).reshape());
    }

    @Override
    protected Runnable checkExtraState(Map<String, Tensor> extra) {
        Tensor mode = extra.get("schedule_free.train_mode");
        if (mode == null || extra.size() != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " state does not match: expected the extra key schedule_free.train_mode, found "
                    + extra.keySet());
        }
        if (mode.dtype() != DType.BOOL || mode.shape().length != 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " state 'schedule_free.train_mode': expected a 0-d bool, found " + mode.dtype() + " "
                    + java.util.Arrays.toString(mode.shape()));
        }
        boolean loaded = mode.toBooleanArray()[0];
        return () -> trainMode = loaded;
    }
}
