package dev.descent.optim;

import dev.descent.core.Kernels;
import dev.descent.core.Threads;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba, ICLR 2015) with L2 weight decay added to the gradient and the AMSGrad option
 * (Reddi, Kale &amp; Kumar, ICLR 2018), as {@code torch.optim.Adam} computes it.
 *
 * <pre>
 * per parameter, each step (t = the parameter's step count):
 *     g ← ∇θ + wd·θ
 *     m ← m + (1 − β1)·(g − m)              (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     v̂ ← max(v̂, v) if amsgrad, else v̂ = v
 *     θ ← θ − lr/(1 − β1^t) · m/(sqrt(v̂)/sqrt(1 − β2^t) + ε)            (PyTorch's form, the default)
 *     θ ← θ − lr · sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v̂) + ε)          (with paper_epsilon: Kingma &amp; Ba §2)
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, default 1e-3), {@code beta1} (in [0, 1), default
 * 0.9), {@code beta2} (in [0, 1), default 0.999), {@code eps} (≥ 0, default 1e-8),
 * {@code weight_decay} (≥ 0, default 0), {@code amsgrad} (default false), {@code paper_epsilon}
 * (default false).
 *
 * <p>The two forms differ only in where ε enters: the paper's (and PAPERS.md §1's, for Stein-rule
 * Adam) adds it to the uncorrected sqrt(v), an effective ε larger by 1/sqrt(1 − β2^t) (×31.6 on step
 * 1, → ×1 as t grows). With {@code paper_epsilon}, Adam is exactly Stein-rule Adam with shrinkage off.
 */
public final class Adam extends Optimizer {

    /** The hyperparameters Adam accepts, with defaults and ranges, and its buffers: exp_avg, exp_avg_sq, max_exp_avg_sq (AMSGrad). */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
            .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
            .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
            .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .flag("amsgrad", false)
            .flag("paper_epsilon", false)
            .buffer("exp_avg")
            .buffer("exp_avg_sq")
            .buffer("max_exp_avg_sq", g -> g.flag("amsgrad"))
            .build();

    /**
     * Adam over {@code groups}; keys a group does not set take the defaults above.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public Adam(List<ParamGroup> groups) {
        super(groups, SPEC);
    }

    /**
     * Adam whose groups default to learning rate {@code lr}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the learning rate of every group that does not set {@code lr}
     */
    public Adam(List<ParamGroup> groups, double lr) {
        super(groups, SPEC, Map.of("lr", lr));
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        boolean amsgrad = hp.flag("amsgrad");
        for (Slot s : slots) {
            Flat vMax = amsgrad ? Flat.of(buffer(group, s.index(), "max_exp_avg_sq")) : null;
            update(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                    Flat.of(buffer(group, s.index(), "exp_avg_sq")), vMax, 1, hp.get("lr"), hp.get("beta1"), hp.get("beta2"),
                    hp.get("eps"), hp.get("weight_decay"), 0, s.step(), hp.flag("paper_epsilon"));
        }
    }

    /**
     * The Adam-family rule on one tensor, in place; Adam, AdamW and Stein-rule Adam all call it.
     *
     * <pre>
     *     θ ← θ·(1 − lr·λ)                                  (decoupled decay λ; AdamW)
     *     ĝ ← g if c = 1, else m + c·(g − m)                (Stein-rule shrinkage toward m)
     *     ĝ ← ĝ + wd·θ                                      (L2 decay, after shrinkage)
     *     m ← m + (1 − β1)·(ĝ − m);  v ← β2·v + (1 − β2)·ĝ²;  v̂ ← max(v̂, v) when vMax is given
     *     θ ← θ − lr/(1 − β1^t) · m/(sqrt(v̂)/sqrt(1 − β2^t) + ε)              (PyTorch)
     *     θ ← θ − lr·sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v̂) + ε)              (paperEpsilon)
     * </pre>
     *
     * @param vMax the AMSGrad running maximum, or null without AMSGrad
     * @param c the shrinkage factor (1: plain Adam)
     * @param t the step count used for the bias corrections, ≥ 1
     * @param paperEpsilon ε on the uncorrected sqrt(v) (Kingma &amp; Ba §2, PAPERS.md §1) instead of PyTorch's placement
     */
    static void update(Flat theta, Flat grad, Flat m, Flat v, Flat vMax, double c, double lr, double beta1, double beta2,
            double eps, double weightDecay, double decoupledDecay, long t, boolean paperEpsilon) {
        double bc1 = 1 - StrictMath.pow(beta1, t), bc2Sqrt = Math.sqrt(1 - StrictMath.pow(beta2, t));
        double stepSize = paperEpsilon ? lr * bc2Sqrt / bc1 : lr / bc1;
        double keep = 1 - lr * decoupledDecay;
        // Every element on its own: split over the kernel threads, the same bits on any thread count.
        boolean vector = VECTOR && vMax == null && theta.floats() != null && grad.floats() != null && m.floats() != null && v.floats() != null;
        Threads.forRange(theta.size(), ELEMENTS_PER_TASK, (from, to) -> {
            int i = from;
            if (vector) {
                i = updateVector(theta.floats(), theta.offset(), grad.floats(), grad.offset(), m.floats(), m.offset(), v.floats(), v.offset(),
                        from, to, c, beta1, beta2, eps, weightDecay, decoupledDecay, keep, stepSize, bc2Sqrt, paperEpsilon);
            }
            updateScalar(theta, grad, m, v, vMax, i, to, c, beta1, beta2, eps, weightDecay, decoupledDecay, keep, stepSize, bc2Sqrt, paperEpsilon);
        });
    }

    /** The update of {@link #update} for indices [from, to), one element at a time: the reference of the vector loop. */
    static void updateScalar(Flat theta, Flat grad, Flat m, Flat v, Flat vMax, int from, int to, double c, double beta1, double beta2,
                             double eps, double weightDecay, double decoupledDecay, double keep, double stepSize, double bc2Sqrt,
                             boolean paperEpsilon) {
        for (int i = from; i < to; i++) {
            double th = theta.get(i);
            if (decoupledDecay != 0) th *= keep;
            double mi = m.get(i);
            double g = grad.get(i);
            double gh = c == 1 ? g : mi + c * (g - mi);
            if (weightDecay != 0) gh += weightDecay * th;
            m.set(i, mi + (1 - beta1) * (gh - mi));
            v.set(i, beta2 * v.get(i) + (1 - beta2) * gh * gh);
            double second = v.get(i);
            if (vMax != null) {
                second = Math.max(vMax.get(i), second);
                vMax.set(i, second);
            }
            double denom = paperEpsilon ? Math.sqrt(second) + eps : Math.sqrt(second) / bc2Sqrt + eps;
            theta.set(i, th - stepSize * (m.get(i) / denom));
        }
    }

    /** Four float32 elements widened to four float64 lanes: the scalar loop's arithmetic, lane by lane. */
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    /** Whether the vector loop runs: core's kernels are vectorised (see {@link Kernels}) and 256-bit double vectors exist. */
    static final boolean VECTOR = Kernels.vectorEnabled() && DoubleVector.SPECIES_PREFERRED.length() >= 4;

    /**
     * The update of {@link #update} on float32 arrays for indices [from, to) in steps of four, without AMSGrad:
     * the same float64 operations in the same order as the scalar loop (no fused multiply-add; IEEE sqrt,
     * division and rounding to float32 are exact operations), so the same bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    static int updateVector(float[] th, int tho, float[] gr, int gro, float[] ma, int mo, float[] va, int vo, int from, int to,
                            double c, double beta1, double beta2, double eps, double weightDecay, double decoupledDecay, double keep,
                            double stepSize, double bc2Sqrt, boolean paperEpsilon) {
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector t = (DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0);
            if (decoupledDecay != 0) t = t.mul(keep);
            DoubleVector mi = (DoubleVector) FloatVector.fromArray(F4, ma, mo + i).castShape(D4, 0);
            DoubleVector g = (DoubleVector) FloatVector.fromArray(F4, gr, gro + i).castShape(D4, 0);
            DoubleVector gh = c == 1 ? g : mi.add(g.sub(mi).mul(c));
            if (weightDecay != 0) gh = gh.add(t.mul(weightDecay));
            FloatVector mNew = (FloatVector) mi.add(gh.sub(mi).mul(1 - beta1)).castShape(F4, 0);
            mNew.intoArray(ma, mo + i);
            DoubleVector vi = (DoubleVector) FloatVector.fromArray(F4, va, vo + i).castShape(D4, 0);
            FloatVector vNew = (FloatVector) vi.mul(beta2).add(gh.mul(1 - beta2).mul(gh)).castShape(F4, 0);
            vNew.intoArray(va, vo + i);
            DoubleVector root = ((DoubleVector) vNew.castShape(D4, 0)).sqrt();
            DoubleVector denom = paperEpsilon ? root.add(eps) : root.div(bc2Sqrt).add(eps);
            DoubleVector step = ((DoubleVector) mNew.castShape(D4, 0)).div(denom).mul(stepSize);
            ((FloatVector) t.sub(step).castShape(F4, 0)).intoArray(th, tho + i);
        }
        return i;
    }

    /** Least elements worth handing to another thread (a few tens of microseconds of work). */
    private static final int ELEMENTS_PER_TASK = 16_384;
}
