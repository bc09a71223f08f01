package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Threads;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * LAMB, layer-wise adaptive moments (You et al., "Large Batch Optimization for Deep Learning: Training
 * BERT in 76 minutes", ICLR 2020, Algorithm 2): Adam's bias-corrected moments give a direction r, with
 * weight decay added to it, and each parameter tensor's step is scaled by the trust ratio ‖θ‖/‖r‖.
 *
 * <pre>
 * per parameter tensor, each step (t = the parameter's step count):
 *     m ← m + (1 − β1)·(g − m)                       (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     r ← (m/(1 − β1^t)) / (sqrt(v)/sqrt(1 − β2^t) + ε) + λ·θ     (= m̂/(sqrt(v̂) + ε) + λθ)
 *     ratio ← ‖θ‖/‖r‖  if trust_ratio and ‖θ‖ &gt; 0 and ‖r‖ &gt; 0,  else 1      (φ = identity)
 *     θ ← θ − lr·ratio·r
 * </pre>
 *
 * The norms are the Euclidean norms of the whole tensor (θ before the step), summed in float64 (in fixed
 * blocks and four interleaved partial sums: the same bits on any thread count).
 *
 * <p>Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-6), {@code weight_decay}
 * λ (≥ 0, default 0), {@code trust_ratio} (default true). Buffers: {@code exp_avg} (m) and
 * {@code exp_avg_sq} (v).
 *
 * <p>Biases and normalisation layers are usually excluded from the layer-wise scaling by putting them
 * in a group with {@code trust_ratio = false}. Such a group takes θ ← θ − lr·(m̂/(sqrt(v̂) + ε) + λθ):
 * that is {@link AdamW} with weight decay λ (decoupled, PyTorch's ε placement, no AMSGrad) — the decay
 * is not L2 in the gradient, so it never enters the moments — and with λ = 0 it is {@link Adam}. The
 * group then runs AdamW's own rule, so it agrees with AdamW bit for bit.
 */
public final class LAMB extends Optimizer {

    /** The hyperparameters LAMB accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-6, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("trust_ratio", true)
            .buffer("exp_avg")
            .buffer("exp_avg_sq")
            .build();

    /**
     * LAMB over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public LAMB(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * LAMB over one group of {@code params}; keys a group does not set take the defaults above.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public LAMB(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * LAMB whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LAMB(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    /**
     * LAMB whose one group of {@code params} defaults to learning rate {@code lr}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public LAMB(Iterable<? extends Parameter> params, double lr) {
        this(oneGroup(params), lr);
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        boolean trust = hp.flag("trust_ratio");
        for (Slot s : slots) {
            Flat theta = Flat.of(s.param()), grad = Flat.read(s.grad());
            Flat m = Flat.of(buffer(group, s.index(), "exp_avg")), v = Flat.of(buffer(group, s.index(), "exp_avg_sq"));
            if (trust) {
                update(theta, grad, m, v, hp.get("lr"), hp.get("beta1"), hp.get("beta2"), hp.get("eps"), hp.get("weight_decay"), s.step());
            } else {
                AdamFamily.update(new AdamFamily.Operands(theta, grad, m, v, null),
                        AdamFamily.Step.of(hp, AdamFamily.Decay.DECOUPLED, false, 1, s.step()));
            }
        }
    }

    /** The per-element constants of one tensor's step. */
    private record Coefficients(double beta1, double beta2, double eps, double weightDecay, double bc1, double bc2Sqrt) {}

    /**
     * The rule with the trust ratio on one tensor, in place; {@code t} is the parameter's step count (≥ 1).
     * A first pass updates the moments and sums ‖θ‖² and ‖r‖²; a second recomputes r from the stored
     * moments (the same operations, so the same r) and takes the step. Both passes split the tensor into blocks
     * of {@link #BLOCK} elements over the kernel threads; a block sums its squares in four interleaved partial
     * sums (element i into sum i mod 4, then (s0 + s1) + (s2 + s3)), and the blocks' sums are added in order: the
     * same bits on any thread count, with the float32 vector loop or its scalar twin.
     */
    static void update(Flat theta, Flat grad, Flat m, Flat v, double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        update(theta, grad, m, v, lr, beta1, beta2, eps, weightDecay, t, VECTOR);
    }

    /** {@link #update(Flat, Flat, Flat, Flat, double, double, double, double, double, long)} with the vector loops on or off (tests). */
    static void update(Flat theta, Flat grad, Flat m, Flat v, double lr, double beta1, double beta2, double eps, double weightDecay, long t,
            boolean vectors) {
        Coefficients c = new Coefficients(beta1, beta2, eps, weightDecay, 1 - StrictMath.pow(beta1, t), Math.sqrt(1 - StrictMath.pow(beta2, t)));
        boolean vector = vectors && theta.floats() != null && grad.floats() != null && m.floats() != null && v.floats() != null;
        int n = theta.size(), blocks = (n + BLOCK - 1) / BLOCK;
        double[] thetaSq = new double[blocks], rSq = new double[blocks];
        Threads.forRange(blocks, 1, (from, to) -> {
            double[] sums = new double[2];
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK, hi = Math.min(n, lo + BLOCK);
                moments(theta, grad, m, v, c, lo, hi, vector, sums);
                thetaSq[b] = sums[0];
                rSq[b] = sums[1];
            }
        });
        double thetaSum = 0, rSum = 0;
        for (int b = 0; b < blocks; b++) {
            thetaSum += thetaSq[b];
            rSum += rSq[b];
        }
        double thetaNorm = Math.sqrt(thetaSum), rNorm = Math.sqrt(rSum);
        double ratio = thetaNorm > 0 && rNorm > 0 ? thetaNorm / rNorm : 1;
        double stepSize = lr * ratio;
        Threads.forRange(blocks, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                int lo = b * BLOCK, hi = Math.min(n, lo + BLOCK);
                int i = vector ? stepVector(theta, m, v, c, stepSize, lo, hi) : lo;
                for (; i < hi; i++) {
                    double th = theta.get(i);
                    theta.set(i, th - stepSize * direction(th, m.get(i), v.get(i), c));
                }
            }
        });
    }

    /**
     * Elements per block of both passes: the first pass's sums are per block, and a kernel called per block is compiled
     * by the JIT within a few steps (one call per tensor would leave the Vector API's slow uncompiled path running for
     * hundreds).
     */
    static final int BLOCK = 16_384;

    /** Whether the float32 loops run on vectors (as {@link AdamFamily#VECTOR}: the same bits as the scalar loops). */
    static final boolean VECTOR = AdamFamily.VECTOR;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

    /** The moments of elements [lo, hi) and their sums of θ² and r² into {@code sums}. */
    private static void moments(Flat theta, Flat grad, Flat m, Flat v, Coefficients c, int lo, int hi, boolean vector, double[] sums) {
        int i = lo, end = lo + (hi - lo) / 4 * 4;
        double t0 = 0, t1 = 0, t2 = 0, t3 = 0, r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        if (vector) {
            float[] th = theta.floats(), gr = grad.floats(), ma = m.floats(), va = v.floats();
            int tho = theta.offset(), gro = grad.offset(), mo = m.offset(), vo = v.offset();
            DoubleVector ts = DoubleVector.zero(D4), rs = DoubleVector.zero(D4);
            for (; i < end; i += 4) {
                DoubleVector t = (DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0);
                DoubleVector g = (DoubleVector) FloatVector.fromArray(F4, gr, gro + i).castShape(D4, 0);
                DoubleVector mi = (DoubleVector) FloatVector.fromArray(F4, ma, mo + i).castShape(D4, 0);
                FloatVector mNew = (FloatVector) mi.add(g.sub(mi).mul(1 - c.beta1())).castShape(F4, 0);
                mNew.intoArray(ma, mo + i);
                DoubleVector vi = (DoubleVector) FloatVector.fromArray(F4, va, vo + i).castShape(D4, 0);
                FloatVector vNew = (FloatVector) vi.mul(c.beta2()).add(g.mul(1 - c.beta2()).mul(g)).castShape(F4, 0);
                vNew.intoArray(va, vo + i);
                DoubleVector r = direction(t, (DoubleVector) mNew.castShape(D4, 0), (DoubleVector) vNew.castShape(D4, 0), c);
                ts = ts.add(t.mul(t));
                rs = rs.add(r.mul(r));
            }
            t0 = ts.lane(0);
            t1 = ts.lane(1);
            t2 = ts.lane(2);
            t3 = ts.lane(3);
            r0 = rs.lane(0);
            r1 = rs.lane(1);
            r2 = rs.lane(2);
            r3 = rs.lane(3);
        }
        for (; i < end; i += 4) {
            double a0 = theta.get(i), a1 = theta.get(i + 1), a2 = theta.get(i + 2), a3 = theta.get(i + 3);
            double q0 = moment(theta, grad, m, v, c, i), q1 = moment(theta, grad, m, v, c, i + 1);
            double q2 = moment(theta, grad, m, v, c, i + 2), q3 = moment(theta, grad, m, v, c, i + 3);
            t0 += a0 * a0;
            t1 += a1 * a1;
            t2 += a2 * a2;
            t3 += a3 * a3;
            r0 += q0 * q0;
            r1 += q1 * q1;
            r2 += q2 * q2;
            r3 += q3 * q3;
        }
        double ts = (t0 + t1) + (t2 + t3), rs = (r0 + r1) + (r2 + r3);
        for (; i < hi; i++) {
            double a = theta.get(i), q = moment(theta, grad, m, v, c, i);
            ts += a * a;
            rs += q * q;
        }
        sums[0] = ts;
        sums[1] = rs;
    }

    /** Updates element i's moments and returns its r (from the stored moments). */
    private static double moment(Flat theta, Flat grad, Flat m, Flat v, Coefficients c, int i) {
        double g = grad.get(i), mi = m.get(i);
        m.set(i, mi + (1 - c.beta1()) * (g - mi));
        v.set(i, c.beta2() * v.get(i) + (1 - c.beta2()) * g * g);
        return direction(theta.get(i), m.get(i), v.get(i), c);
    }

    /** The second pass on float32 arrays for [from, to) in steps of four; returns the first index not done. */
    private static int stepVector(Flat theta, Flat m, Flat v, Coefficients c, double stepSize, int from, int to) {
        float[] th = theta.floats(), ma = m.floats(), va = v.floats();
        int tho = theta.offset(), mo = m.offset(), vo = v.offset();
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector t = (DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0);
            DoubleVector mi = (DoubleVector) FloatVector.fromArray(F4, ma, mo + i).castShape(D4, 0);
            DoubleVector vi = (DoubleVector) FloatVector.fromArray(F4, va, vo + i).castShape(D4, 0);
            ((FloatVector) t.sub(direction(t, mi, vi, c).mul(stepSize)).castShape(F4, 0)).intoArray(th, tho + i);
        }
        return i;
    }

    /** r = m̂/(sqrt(v̂) + ε) + λθ for one element, from the stored moments. */
    private static double direction(double th, double m, double v, Coefficients c) {
        double r = (m / c.bc1()) / (Math.sqrt(v) / c.bc2Sqrt() + c.eps());
        return c.weightDecay() != 0 ? r + c.weightDecay() * th : r;
    }

    /** {@link #direction(double, double, double, Coefficients)} lane by lane: the same operations in the same order. */
    private static DoubleVector direction(DoubleVector th, DoubleVector m, DoubleVector v, Coefficients c) {
        DoubleVector r = m.div(c.bc1()).div(v.sqrt().div(c.bc2Sqrt()).add(c.eps()));
        return c.weightDecay() != 0 ? r.add(th.mul(c.weightDecay())) : r;
    }
}
