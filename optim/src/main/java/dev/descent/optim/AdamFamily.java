package dev.descent.optim;

import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The base of the Adam family ({@link Adam}, {@link AdamW}, {@link SteinRuleAdam}): the hyperparameters
 * and moment buffers they share, and the one update rule they all run, written once.
 *
 * <pre>
 * one tensor, one step (t ≥ 1; every term below is off when its hyperparameter is 0, or c = 1):
 *     θ ← θ·(1 − lr·λ)                                  (decoupled decay λ; AdamW)
 *     ĝ ← g if c = 1, else m + c·(g − m)                (Stein-rule shrinkage toward m)
 *     ĝ ← ĝ + wd·θ                                      (L2 decay, after shrinkage; Adam, SR-Adam)
 *     m ← m + (1 − β1)·(ĝ − m);  v ← β2·v + (1 − β2)·ĝ²;  v̂ ← max(v̂, v) with AMSGrad, else v̂ = v
 *     θ ← θ − lr/(1 − β1^t) · m/(sqrt(v̂)/sqrt(1 − β2^t) + ε)              (PyTorch's ε)
 *     θ ← θ − lr·sqrt(1 − β2^t)/(1 − β1^t) · m/(sqrt(v̂) + ε)              (the paper's ε)
 * </pre>
 *
 * Every element is computed on its own, in float64, and rounded once into float32 storage; float32
 * tensors without AMSGrad take a Vector API loop with the scalar loop's exact operations, so the same
 * bits (AdamKernelTest holds the two together).
 */
abstract sealed class AdamFamily extends Optimizer permits Adam, AdamW, SteinRuleAdam {

    AdamFamily(List<ParamGroup> groups, Hyperparameters spec) {
        super(groups, spec);
    }

    AdamFamily(List<ParamGroup> groups, Hyperparameters spec, Map<String, Object> defaults) {
        super(groups, spec, defaults);
    }

    /** lr, β1, β2, ε and weight decay with the family's defaults and ranges, and the moment buffers m and v. */
    static Hyperparameters.Builder spec(double weightDecay) {
        return Hyperparameters.builder()
                .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
                .real("beta1", 0.9, Hyperparameters.Range.UNIT_OPEN)
                .real("beta2", 0.999, Hyperparameters.Range.UNIT_OPEN)
                .real("eps", 1e-8, Hyperparameters.Range.NON_NEGATIVE)
                .real("weight_decay", weightDecay, Hyperparameters.Range.NON_NEGATIVE)
                .buffer("exp_avg")
                .buffer("exp_avg_sq");
    }

    /** {@link #spec} plus PyTorch's {@code amsgrad} (and its buffer v̂) and the {@code paper_epsilon} switch: Adam and AdamW. */
    static Hyperparameters.Builder pytorchSpec(double weightDecay) {
        return spec(weightDecay)
                .flag("amsgrad", false)
                .flag("paper_epsilon", false)
                .buffer("max_exp_avg_sq", g -> g.flag("amsgrad"));
    }

    /** Where {@code weight_decay} enters the rule. */
    enum Decay {
        /** Added to the (shrunk) gradient, so it enters the moments: Adam, SR-Adam. */
        L2,
        /** θ shrinks by lr·λ before the step and the moments never see it: AdamW. */
        DECOUPLED
    }

    /**
     * One parameter's tensors as the rule reads and writes them.
     *
     * @param theta the parameter (written)
     * @param grad its gradient (read)
     * @param m the first moment {@code exp_avg} (written)
     * @param v the second moment {@code exp_avg_sq} (written)
     * @param vMax AMSGrad's running maximum {@code max_exp_avg_sq} (written), or null without AMSGrad
     */
    record Operands(Flat theta, Flat grad, Flat m, Flat v, Flat vMax) {}

    /**
     * The scalars of one step on one tensor, the same for every element.
     *
     * @param c the shrinkage factor (1: plain Adam, and then ĝ = g exactly)
     * @param beta1 β1
     * @param beta2 β2
     * @param eps ε
     * @param weightDecay L2 decay added to ĝ (0: none)
     * @param decoupledDecay decoupled decay λ (0: none)
     * @param keep 1 − lr·λ
     * @param stepSize lr/(1 − β1^t), times sqrt(1 − β2^t) with the paper's ε
     * @param bc2Sqrt sqrt(1 − β2^t)
     * @param paperEpsilon ε on the uncorrected sqrt(v̂) (Kingma &amp; Ba §2, docs/papers.md §1) instead of PyTorch's placement
     */
    record Step(double c, double beta1, double beta2, double eps, double weightDecay, double decoupledDecay, double keep,
                double stepSize, double bc2Sqrt, boolean paperEpsilon) {

        /** Step {@code t} (≥ 1) with shrinkage {@code c} under a group's {@code lr}, {@code beta1}, {@code beta2}, {@code eps}, {@code weight_decay}. */
        static Step of(ParamGroup hp, Decay decay, boolean paperEpsilon, double c, long t) {
            double lr = hp.get("lr"), beta1 = hp.get("beta1"), beta2 = hp.get("beta2"), wd = hp.get("weight_decay");
            double bc1 = 1 - StrictMath.pow(beta1, t), bc2Sqrt = Math.sqrt(1 - StrictMath.pow(beta2, t));
            double l2 = decay == Decay.L2 ? wd : 0, decoupled = decay == Decay.DECOUPLED ? wd : 0;
            return new Step(c, beta1, beta2, hp.get("eps"), l2, decoupled, 1 - lr * decoupled, paperEpsilon ? lr * bc2Sqrt / bc1 : lr / bc1,
                    bc2Sqrt, paperEpsilon);
        }
    }

    /** One parameter's operands in a group: its tensors and its buffers, v̂ only with AMSGrad. */
    final Operands operands(int group, Slot s, boolean amsgrad) {
        return new Operands(Flat.of(s.param()), Flat.read(s.grad()), Flat.of(buffer(group, s.index(), "exp_avg")),
                Flat.of(buffer(group, s.index(), "exp_avg_sq")), amsgrad ? Flat.of(buffer(group, s.index(), "max_exp_avg_sq")) : null);
    }

    /** Adam's and AdamW's step: every parameter with its own step count t, no shrinkage. */
    final void updateEachParameter(int group, ParamGroup hp, List<Slot> slots, Decay decay) {
        boolean amsgrad = hp.flag("amsgrad"), paperEpsilon = hp.flag("paper_epsilon");
        int count = slots.size();
        Operands[] ops = new Operands[count];
        Step[] steps = new Step[count];
        long[] start = new long[count + 1];
        for (int q = 0; q < count; q++) {
            Slot s = slots.get(q);
            ops[q] = operands(group, s, amsgrad);
            steps[q] = Step.of(hp, decay, paperEpsilon, 1, s.step());
            start[q + 1] = start[q] + ops[q].theta().size();
        }
        if (start[count] > Integer.MAX_VALUE) {
            for (int q = 0; q < count; q++) update(ops[q], steps[q]);
            return;
        }
        // The group's tensors end to end as one range of elements over the kernel threads: a small model's tensors (a
        // GPT's of at most 16k elements) are each too small to split, and one after another they ran on one thread.
        // Every element on its own, so the cut changes no bit.
        Elementwise.forRange((int) start[count], (from, to) -> {
            int q = 0;
            while (start[q + 1] <= from) q++;
            for (; q < count && start[q] < to; q++) {
                int lo = (int) (Math.max(from, start[q]) - start[q]), hi = (int) (Math.min(to, start[q + 1]) - start[q]);
                if (lo < hi) updateRange(ops[q], steps[q], lo, hi);
            }
        });
    }

    /** The rule on one tensor, in place. */
    static void update(Operands x, Step s) {
        // Every element on its own: split over the kernel threads, the same bits on any thread count.
        Elementwise.forRange(x.theta().size(), (from, to) -> updateRange(x, s, from, to));
    }

    /** The rule on the elements [from, to) of one tensor, the vector loop where it applies, then the scalar one. */
    static void updateRange(Operands x, Step s, int from, int to) {
        boolean vector = VECTOR && x.vMax() == null && x.theta().floats() != null && x.grad().floats() != null && x.m().floats() != null
                && x.v().floats() != null;
        int i = vector ? updateVector(x, s, from, to) : from;
        updateScalar(x, s, i, to);
    }

    /** The rule for indices [from, to), one element at a time: the reference of the vector loop. */
    static void updateScalar(Operands x, Step s, int from, int to) {
        Flat theta = x.theta(), grad = x.grad(), m = x.m(), v = x.v(), vMax = x.vMax();
        for (int i = from; i < to; i++) {
            double th = theta.get(i);
            if (s.decoupledDecay() != 0) th *= s.keep();
            double mi = m.get(i);
            double g = grad.get(i);
            double gh = s.c() == 1 ? g : mi + s.c() * (g - mi);
            if (s.weightDecay() != 0) gh += s.weightDecay() * th;
            m.set(i, mi + (1 - s.beta1()) * (gh - mi));
            v.set(i, s.beta2() * v.get(i) + (1 - s.beta2()) * gh * gh);
            double second = v.get(i);
            if (vMax != null) {
                second = Math.max(vMax.get(i), second);
                vMax.set(i, second);
            }
            double denom = s.paperEpsilon() ? Math.sqrt(second) + s.eps() : Math.sqrt(second) / s.bc2Sqrt() + s.eps();
            theta.set(i, th - s.stepSize() * (m.get(i) / denom));
        }
    }

    /** Four float32 elements widened to four float64 lanes: the scalar loop's arithmetic, lane by lane. */
    private static final VectorSpecies<Float> F4 = Elementwise.F4;
    private static final VectorSpecies<Double> D4 = Elementwise.D4;
    /** Whether the vector loop runs ({@link Elementwise#VECTOR}). Its results are the scalar loop's bits at any width. */
    static final boolean VECTOR = Elementwise.VECTOR;

    /**
     * The rule on float32 operands without AMSGrad for indices [from, to) in steps of four: the same
     * float64 operations in the same order as the scalar loop (no fused multiply-add; IEEE sqrt, division
     * and rounding to float32 are exact operations), so the same bits.
     *
     * @return the first index not done (the scalar loop finishes the rest)
     */
    static int updateVector(Operands x, Step s, int from, int to) {
        float[] th = x.theta().floats(), gr = x.grad().floats(), ma = x.m().floats(), va = x.v().floats();
        int tho = x.theta().offset(), gro = x.grad().offset(), mo = x.m().offset(), vo = x.v().offset();
        double c = s.c(), beta1 = s.beta1(), beta2 = s.beta2(), eps = s.eps(), weightDecay = s.weightDecay(), keep = s.keep();
        double stepSize = s.stepSize(), bc2Sqrt = s.bc2Sqrt();
        boolean decoupled = s.decoupledDecay() != 0, paperEpsilon = s.paperEpsilon();
        int i = from, end = from + (to - from) / 4 * 4;
        for (; i < end; i += 4) {
            DoubleVector t = (DoubleVector) FloatVector.fromArray(F4, th, tho + i).castShape(D4, 0);
            if (decoupled) t = t.mul(keep);
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
}
