package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al., "Symbolic Discovery of Optimization Algorithms",
 * NeurIPS 2023, Algorithm 2): the step is the sign of an interpolation between the momentum and the
 * gradient, so every element moves by exactly lr (plus weight decay); the momentum is updated after
 * the step with a second, slower rate.
 *
 * <pre>
 * per parameter, each step:
 *     θ ← θ·(1 − lr·λ)                          (decoupled weight decay)
 *     c ← β1·m + (1 − β1)·g
 *     θ ← θ − lr·sign(c)                         (sign(0) = 0)
 *     m ← β2·m + (1 − β2)·g
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-4), {@code beta1} β1 and {@code beta2} β2
 * (in [0, 1), defaults 0.9 and 0.99), {@code weight_decay} λ (≥ 0, default 0; decoupled, as in AdamW).
 * The paper advises an lr 3–10× smaller than AdamW's and a λ 3–10× larger. Buffer: {@code exp_avg} (m).
 */
public final class Lion extends Optimizer {

    /** The hyperparameters Lion accepts, with defaults and ranges, and its buffer: exp_avg. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-4, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.99, Hyperparameters.Range.UNIT_OPEN)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .buffer("exp_avg")
            .build();

    /**
     * Lion over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Lion(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Lion over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public Lion(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Lion whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Lion(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * Lion whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Lion(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        for (Slot s : slots) {
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")), hp.get("lr"), hp.get("beta1"),
                    hp.get("beta2"), hp.get("weight_decay"));
        }
    }

    /**
     * The update rule on one tensor, in place: {@code theta} and {@code expAvg} (m) change. Every element on its own,
     * split over the kernel threads; float32 tensors take a vector loop with the scalar loop's exact operations. The
     * same bits either way, on any thread count.
     */
    static void update(Flat theta, Flat grad, Flat expAvg, double lr, double beta1, double beta2, double weightDecay) {
        boolean vector = Elementwise.VECTOR && Elementwise.allFloat(theta, grad, expAvg);
        Elementwise.forRange(theta.size(), (from, to) -> {
            int i = vector ? updateVector(theta, grad, expAvg, lr, beta1, beta2, weightDecay, from, to) : from;
            updateScalar(theta, grad, expAvg, lr, beta1, beta2, weightDecay, i, to);
        });
    }

    /** The rule for indices [from, to), one element at a time: the reference of the vector loop. */
    static void updateScalar(Flat theta, Flat grad, Flat expAvg, double lr, double beta1, double beta2, double weightDecay, int from, int to) {
        double keep = 1 - lr * weightDecay;
        for (int i = from; i < to; i++) {
            double th = theta.get(i) * keep;
            double g = grad.get(i), m = expAvg.get(i);
            double c = beta1 * m + (1 - beta1) * g;
            theta.set(i, th - lr * Math.signum(c));
            expAvg.set(i, beta2 * m + (1 - beta2) * g);
        }
    }

    /**
     * The rule on float32 operands for indices [from, to) in steps of four, each float32 element widened to a float64
     * lane: the scalar loop's operations in its order (no fused multiply-add; sign(c) is c itself for ±0 and NaN, as
     * {@link Math#signum} gives), so the same bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    static int updateVector(Flat theta, Flat grad, Flat expAvg, double lr, double beta1, double beta2, double weightDecay, int from, int to) {
        float[] th = theta.floats(), gr = grad.floats(), ma = expAvg.floats();
        int tho = theta.offset(), gro = grad.offset(), mo = expAvg.offset();
        double keep = 1 - lr * weightDecay, oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2;
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector t = ((DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0)).mul(keep);
            DoubleVector g = (DoubleVector) FloatVector.fromArray(F4, gr, gro + i).castShape(D4, 0);
            DoubleVector m = (DoubleVector) FloatVector.fromArray(F4, ma, mo + i).castShape(D4, 0);
            DoubleVector c = m.mul(beta1).add(g.mul(oneMinusBeta1));
            DoubleVector sign = c.blend(1.0, c.compare(VectorOperators.GT, 0.0)).blend(-1.0, c.compare(VectorOperators.LT, 0.0));
            ((FloatVector) t.sub(sign.mul(lr)).castShape(F4, 0)).intoArray(th, tho + i);
            ((FloatVector) m.mul(beta2).add(g.mul(oneMinusBeta2)).castShape(F4, 0)).intoArray(ma, mo + i);
        }
        return i;
    }

    private static final VectorSpecies<Float> F4 = Elementwise.F4;
    private static final VectorSpecies<Double> D4 = Elementwise.D4;
}
