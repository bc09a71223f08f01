package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Stein-rule shrinkage Adam, SR-Adam (Arashi &amp; Amintoosi, arXiv 2602.01777, 2026; docs/papers.md §1):
 * before Adam's moment update, each group's mini-batch gradient is shrunk toward Adam's previous
 * first moment by a positive-part James–Stein factor, one factor per group.
 *
 * <pre>
 * per group, each step:
 *     t ← t + 1;  g ← the gradients of the group's tensors, viewed as one vector of p elements
 *     if shrink is off, or t ≤ max(warmup, 1), or p ≤ 2:   c ← 1
 *     else:                                                 (m, v: uncorrected buffers of step t − 1)
 *         PAPER:     σ² ← mean_i max(v_i − m_i², 0);   D ← Σ_i (g_i − m_i)²
 *         WHITENED:  w_i ← (g_i − m_i)/(sqrt(v_i) + ε);  σ² ← mean_i w_i²;  D ← Σ_i w_i²
 *         RAW_MOMENTS: σ² ← mean_i max(v̂_i − m̂_i², 0) with m̂ = r/(1 − β1^(t−1)), v̂ = s/(1 − β2^(t−1));  D ← Σ_i (g_i − m_i)²
 *     RAW_MOMENTS only, every step after the factor: r ← β1·r + (1 − β1)·g;  s ← β2·s + (1 − β2)·g²   (raw g, not ĝ)
 *         c ← clamp(1 − (p − 2)·σ²/(D + 1e-12), c_min, c_max)
 *     per tensor:
 *         ĝ ← m + c·(g − m)            (ĝ ← g when c = 1)
 *         ĝ ← ĝ + wd·θ                 (weight decay after shrinkage)
 *         m ← m + (1 − β1)·(ĝ − m);  v ← β2·v + (1 − β2)·ĝ²
 *         θ ← θ − lr · sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v) + ε)
 * </pre>
 *
 * The WHITENED variant is what the authors' public code computes: σ² and D then hold the same sum,
 * so the raw factor is 2/p and c = max(c_min, 2/p) (c_min for groups of more than 20 elements).
 *
 * The RAW_MOMENTS variant is a mechanism control, not from the paper: the noise level comes from bias-corrected
 * moments r, s of the raw mini-batch gradient (two extra buffers, {@code raw_exp_avg} and {@code raw_exp_avg_sq}), so
 * that σ² estimates the gradient's variance rather than that of the already shrunk ĝ; the target m and D are the
 * paper's.
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0), {@code warmup} (whole number ≥ 0, default 5),
 * {@code c_min} (in [0, 1], default 0.1), {@code c_max} (in [c_min, 1], default 1.0; never above 1),
 * {@code shrink} (default true), {@code variant} ({@link Variant#PAPER} by default). The paper
 * shrinks the convolution layers and runs every other parameter as plain Adam: two groups, the
 * second with {@code shrink} false. With c ≡ 1 (shrink off, or c_min = 1) this is exactly
 * {@link Adam} (without AMSGrad), bit for bit.
 *
 * <p>t is the group's step count and p counts the elements of the parameters that have a gradient in
 * this step. The factor of the last step is {@link #lastShrinkage(int)} (NaN before the first step).
 */
public final class SteinRuleAdam extends AdamFamily {

    /** How σ² and D are computed. */
    public enum Variant {
        /** The paper's formula: σ² from the moments, D from the raw difference g − m. */
        PAPER,
        /** The authors' code: both from (g − m)/(sqrt(v) + ε), which makes the raw factor 2/p. */
        WHITENED,
        /** A control: σ² from bias-corrected moments of the raw gradient (own buffers), D as in the paper. */
        RAW_MOMENTS
    }

    private static final String RAW_M = "raw_exp_avg", RAW_V = "raw_exp_avg_sq";

    /** The guard added to D in the factor's denominator. */
    static final double D_GUARD = 1e-12;

    private static final String LAST_SHRINKAGE = "last_shrinkage";

    /** The hyperparameters SR-Adam accepts, with defaults and ranges; its moment buffers; the last shrinkage factor of each group. */
    public static final Hyperparameters SPEC = spec(0)
            .integer("warmup", 5, 0)
            .real("c_min", 0.1, Hyperparameters.Range.UNIT)
            .real("c_max", 1.0, Hyperparameters.Range.UNIT)
            .flag("shrink", true)
            .choice("variant", Variant.PAPER)
            .check(g -> {
                if (g.get("c_min") > g.get("c_max")) {
                    throw new IllegalArgumentException("c_min must be <= c_max, was c_min " + g.get("c_min") + ", c_max " + g.get("c_max"));
                }
            })
            .buffer(RAW_M, g -> g.option("variant", Variant.class) == Variant.RAW_MOMENTS)
            .buffer(RAW_V, g -> g.option("variant", Variant.class) == Variant.RAW_MOMENTS)
            .groupScalar(LAST_SHRINKAGE)
            .build();

    /**
     * SR-Adam over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public SteinRuleAdam(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * SR-Adam over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public SteinRuleAdam(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * SR-Adam whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public SteinRuleAdam(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * SR-Adam whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public SteinRuleAdam(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    /**
     * The shrinkage factor c a group used in its last step.
     *
     * @param group the group's index
     * @return c of the group's last step: 1 in warm-up or with shrinkage off, NaN before any step
     */
    public double lastShrinkage(int group) {
        group(group); // range check with a clear message
        return groupScalar(group, LAST_SHRINKAGE);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        Operands[] x = new Operands[slots.size()];
        long p = 0;
        for (int k = 0; k < x.length; k++) {
            x[k] = operands(group, slots.get(k), false);
            p += x[k].theta().size();
        }
        Variant variant = hp.option("variant", Variant.class);
        Flat[][] raw = null;
        if (variant == Variant.RAW_MOMENTS) {
            raw = new Flat[x.length][];
            for (int k = 0; k < x.length; k++) {
                raw[k] = new Flat[] {Flat.of(buffer(group, slots.get(k).index(), RAW_M)), Flat.of(buffer(group, slots.get(k).index(), RAW_V))};
            }
        }
        double c = 1;
        if (hp.flag("shrink") && groupStep > Math.max((long) hp.get("warmup"), 1) && p > 2) {
            double[] stats = variant == Variant.RAW_MOMENTS ? rawStatistics(x, raw, hp.get("beta1"), hp.get("beta2"), groupStep - 1)
                    : statistics(x, variant, hp.get("eps"));
            c = shrinkageFactor(p, stats[0], stats[1], hp.get("c_min"), hp.get("c_max"));
        }
        setGroupScalar(group, LAST_SHRINKAGE, c);
        if (raw != null) {
            double b1 = hp.get("beta1"), b2 = hp.get("beta2");
            for (int k = 0; k < x.length; k++) {
                Flat grad = x[k].grad(), r = raw[k][0], sq = raw[k][1];
                for (int i = 0; i < grad.size(); i++) {
                    double g = grad.get(i);
                    r.set(i, b1 * r.get(i) + (1 - b1) * g);
                    sq.set(i, b2 * sq.get(i) + (1 - b2) * g * g);
                }
            }
        }
        Step step = Step.of(hp, Decay.L2, true, c, groupStep);
        for (Operands o : x) update(o, step);
    }

    /**
     * σ² and D of one group from its gradients and the moments of the previous step, summed in
     * float64 in group order.
     *
     * @return {σ², D}
     */
    static double[] statistics(Operands[] x, Variant variant, double eps) {
        double sigmaSum = 0, d = 0;
        long p = 0;
        for (Operands o : x) {
            Flat grad = o.grad(), m = o.m(), v = o.v();
            for (int i = 0; i < grad.size(); i++) {
                double mi = m.get(i), diff = grad.get(i) - mi;
                if (variant == Variant.PAPER) {
                    sigmaSum += Math.max(v.get(i) - mi * mi, 0);
                    d += diff * diff;
                } else {
                    double w = diff / (Math.sqrt(v.get(i)) + eps);
                    sigmaSum += w * w;
                    d += w * w;
                }
            }
            p += grad.size();
        }
        return new double[] {sigmaSum / p, d};
    }

    /**
     * σ² from the bias-corrected raw-gradient moments r, s after {@code t} steps (t ≥ 1), and D of the paper, summed in
     * float64 in group order.
     *
     * @return {σ², D}
     */
    static double[] rawStatistics(Operands[] x, Flat[][] raw, double beta1, double beta2, long t) {
        double bc1 = 1 - StrictMath.pow(beta1, t), bc2 = 1 - StrictMath.pow(beta2, t);
        double sigmaSum = 0, d = 0;
        long p = 0;
        for (int k = 0; k < x.length; k++) {
            Flat grad = x[k].grad(), m = x[k].m(), r = raw[k][0], sq = raw[k][1];
            for (int i = 0; i < grad.size(); i++) {
                double mHat = r.get(i) / bc1, diff = grad.get(i) - m.get(i);
                sigmaSum += Math.max(sq.get(i) / bc2 - mHat * mHat, 0);
                d += diff * diff;
            }
            p += grad.size();
        }
        return new double[] {sigmaSum / p, d};
    }

    /**
     * The positive-part James–Stein factor {@code clamp(1 − (p − 2)·σ²/(D + 1e-12), cMin, cMax)},
     * and 1 when p ≤ 2 (shrinkage cannot help below three dimensions).
     */
    static double shrinkageFactor(long p, double sigma2, double d, double cMin, double cMax) {
        if (p <= 2) return 1;
        double raw = 1 - (p - 2) * sigma2 / (d + D_GUARD);
        return Math.min(cMax, Math.max(cMin, raw));
    }
}
