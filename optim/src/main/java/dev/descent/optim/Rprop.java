package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    /**
     * The update rule on one tensor, in place: {@code theta}, {@code prev} and {@code stepSize} change. Every element on
     * its own, split over the kernel threads; float32 tensors take a vector loop with the scalar loop's exact operations.
     * The same bits either way, on any thread count.
     */
    static void update(Flat theta, Flat grad, Flat prev, Flat stepSize, double etaMinus, double etaPlus, double stepMin, double stepMax) {
        boolean vector = Elementwise.VECTOR && Elementwise.allFloat(theta, grad, prev, stepSize);
        Elementwise.forRange(theta.size(), (from, to) -> {
            int i = vector ? updateVector(theta, grad, prev, stepSize, etaMinus, etaPlus, stepMin, stepMax, from, to) : from;
            updateScalar(theta, grad, prev, stepSize, etaMinus, etaPlus, stepMin, stepMax, i, to);
        });
    }

    /** The rule for indices [from, to), one element at a time: the reference of the vector loop. */
    static void updateScalar(Flat theta, Flat grad, Flat prev, Flat stepSize, double etaMinus, double etaPlus, double stepMin,
            double stepMax, int from, int to) {
        for (int i = from; i < to; i++) {
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

    /**
     * The rule on float32 operands for indices [from, to) in steps of four, each float32 element widened to a float64
     * lane: both branches computed and the taken one blended in, the step size rounded to float32 before θ uses it (as
     * the scalar loop reads it back), sign(g) as {@link Math#signum} gives it (±0 and NaN themselves), no fused
     * multiply-add; so the scalar loop's bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    static int updateVector(Flat theta, Flat grad, Flat prev, Flat stepSize, double etaMinus, double etaPlus, double stepMin,
            double stepMax, int from, int to) {
        float[] th = theta.floats(), gr = grad.floats(), pr = prev.floats(), st = stepSize.floats();
        int tho = theta.offset(), gro = grad.offset(), pro = prev.offset(), sto = stepSize.offset();
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector g = (DoubleVector) FloatVector.fromArray(F4, gr, gro + i).castShape(D4, 0);
            DoubleVector agreement = g.mul((DoubleVector) FloatVector.fromArray(F4, pr, pro + i).castShape(D4, 0));
            VectorMask<Double> grow = agreement.compare(VectorOperators.GT, 0.0), shrink = agreement.compare(VectorOperators.LT, 0.0);
            DoubleVector step = (DoubleVector) FloatVector.fromArray(F4, st, sto + i).castShape(D4, 0);
            step = step.blend(step.mul(etaPlus).min(stepMax), grow).blend(step.mul(etaMinus).max(stepMin), shrink);
            FloatVector stored = (FloatVector) step.castShape(F4, 0);
            stored.intoArray(st, sto + i);
            g = g.blend(0.0, shrink);
            DoubleVector sign = g.blend(1.0, g.compare(VectorOperators.GT, 0.0)).blend(-1.0, g.compare(VectorOperators.LT, 0.0));
            DoubleVector t = (DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0);
            ((FloatVector) t.sub(((DoubleVector) stored.castShape(D4, 0)).mul(sign)).castShape(F4, 0)).intoArray(th, tho + i);
            ((FloatVector) g.castShape(F4, 0)).intoArray(pr, pro + i);
        }
        return i;
    }

    private static final VectorSpecies<Float> F4 = Elementwise.F4;
    private static final VectorSpecies<Double> D4 = Elementwise.D4;
}
