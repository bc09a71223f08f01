package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sharpness-aware minimisation (Foret, Kleiner, Mobahi &amp; Neyshabur, ICLR 2021, Algorithm 1 with
 * p = 2) around any base optimizer, and its adaptive variant ASAM (Kwon, Kim, Park &amp; Choi, ICML 2021)
 * in the form of the widely used reference implementation (T_w = |w|). Each step passes through the
 * closure twice: once at w, once at the perturbed point w + ε, whose gradient the base optimizer then
 * applies at w.
 *
 * <pre>
 * step(closure):
 *     f ← closure()                                              (gradients g at w)
 *     N ← ‖g‖,  or ‖|w|·g‖ if adaptive                           (over all parameters, or per group: {@link NormScope})
 *     ε ← ρ/(N + eps) · g,  or ρ/(N + eps) · w²·g if adaptive      (ρ and eps of the parameter's group)
 *     w ← w + ε;  closure()                                       (gradients at w + ε)
 *     w ← the saved w (exactly);  base.step()                     (the base's rule and gradient transforms)
 *     return f
 * </pre>
 *
 * Hyperparameters (per group of SAM, one per group of the base, over the same parameters): {@code rho}
 * (≥ 0, default 0.05; ASAM's authors use larger values, e.g. 2), {@code adaptive} (default false),
 * {@code eps} (≥ 0, default 1e-12, the reference implementation's guard against N = 0). A parameter
 * with no gradient at w is not perturbed. The norm is taken over all parameters by default, as in the
 * reference implementation; {@link #setNormScope} with {@link NormScope#GROUP} takes it per group. Unlike
 * the reference implementation (which subtracts ε again), w is restored from a copy, so a step with
 * ρ = 0 is exactly the base's step on the same gradients.
 *
 * <p>The base's state is saved inside SAM's under {@code base.*} ({@link OptimizerState#save} on the
 * SAM saves both). {@link #step()} without a closure throws. The learning rate of the base is changed
 * through {@link #base()} ({@link #lr(int)} reads the base's).
 */
public final class SAM extends NormScoped<SAM> {

    /** The hyperparameters SAM accepts, with defaults and ranges. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .real("rho", 0.05, Hyperparameters.Range.NON_NEGATIVE)
            .flag("adaptive", false)
            .real("eps", 1e-12, Hyperparameters.Range.NON_NEGATIVE)
            .build();

    private final Optimizer base;

    /**
     * SAM over {@code base}, with one SAM group per group of the base; keys a group does not set take the
     * defaults above.
     *
     * @param base the optimizer that applies the gradient taken at the perturbed point
     * @param groups SAM's groups: as many as the base has, each over the same parameters as the base's
     *     group of that index
     * @throws IllegalArgumentException when the groups do not match the base's, or for a bad value
     */
    public SAM(Optimizer base, List<ParamGroup> groups) {
        super(matching(base, groups), SPEC, NormScope.ALL);
        this.base = base;
    }

    /**
     * SAM over {@code base} with the same ρ and variant for every group.
     *
     * @param base the optimizer that applies the gradient taken at the perturbed point
     * @param rho the neighbourhood radius ρ (≥ 0)
     * @param adaptive ASAM's scale-invariant neighbourhood
     */
    public SAM(Optimizer base, double rho, boolean adaptive) {
        this(base, groupsOf(base, rho, adaptive));
    }

    /**
     * SAM over {@code base} with ρ = 0.05, not adaptive.
     *
     * @param base the optimizer that applies the gradient taken at the perturbed point
     */
    public SAM(Optimizer base) {
        this(base, 0.05, false);
    }

    private static List<ParamGroup> groupsOf(Optimizer base, double rho, boolean adaptive) {
        if (base == null) throw new IllegalArgumentException("SAM needs a base optimizer, got null");
        List<ParamGroup> out = new ArrayList<>();
        for (ParamGroup g : base.groups()) out.add(ParamGroup.of(g.parameters()).with("rho", rho).with("adaptive", adaptive));
        return out;
    }

    private static List<ParamGroup> matching(Optimizer base, List<ParamGroup> groups) {
        if (base == null) throw new IllegalArgumentException("SAM needs a base optimizer, got null");
        if (base instanceof SAM || base.requiresClosure()) {
            throw new IllegalArgumentException("SAM's base must step without a closure, got " + base.getClass().getSimpleName());
        }
        if (groups == null || groups.size() != base.groups().size()) {
            throw new IllegalArgumentException("SAM needs one group per group of its base (" + base.groups().size() + "), got "
                    + (groups == null ? "null" : groups.size()));
        }
        for (int g = 0; g < groups.size(); g++) {
            if (groups.get(g) == null || !sameParameters(groups.get(g).parameters(), base.group(g).parameters())) {
                throw new IllegalArgumentException("group " + g + " of SAM must hold the same parameters, in the same order, as group " + g + " of its base "
                        + base.getClass().getSimpleName());
            }
        }
        return groups;
    }

    private static boolean sameParameters(List<Parameter> a, List<Parameter> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }

    /**
     * The base optimizer.
     *
     * @return the optimizer SAM steps with the perturbed gradient
     */
    public Optimizer base() {
        return base;
    }

    /**
     * The base's learning rate of a group.
     *
     * @param index the group's index
     * @return the base's {@code lr}
     */
    @Override
    public double lr(int index) {
        return base.lr(index);
    }

    /**
     * Adds the transform to the base optimizer: it acts on the gradient taken at w + ε, the one the base
     * applies (the perturbation itself uses the raw gradient at w, as in the papers).
     *
     * @param transform the transform, for example {@link ClipByGlobalNorm}
     * @return this SAM
     */
    @Override
    public Optimizer addGradientTransform(GradientTransform transform) {
        base.addGradientTransform(transform);
        return this;
    }

    /**
     * The base's gradient transforms.
     *
     * @return the transforms the base runs before its step
     */
    @Override
    public List<GradientTransform> gradientTransforms() {
        return base.gradientTransforms();
    }

    /** Always true: SAM evaluates the closure at a perturbed point. */
    @Override
    public boolean requiresClosure() {
        return true;
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        throw new IllegalStateException("SAM steps only through step(closure)");
    }

    /**
     * One SAM step: the closure at w, the perturbation, the closure at w + ε, w restored, the base's step.
     *
     * @param closure zeroes the gradients, computes the loss, calls backward and returns the loss
     * @return the loss at w (the first evaluation)
     */
    @Override
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        List<Parameter> moved = new ArrayList<>();
        List<Tensor> saved = new ArrayList<>();
        try (var _ = GradMode.noGrad()) {
            int groups = groups().size();
            double[] sums = new double[groups];
            for (int g = 0; g < groups; g++) {
                boolean adaptive = group(g).flag("adaptive");
                for (Parameter p : group(g).parameters()) {
                    if (p.grad() == null) continue;
                    Flat grad = Flat.read(p.grad()), w = Flat.of(p);
                    for (int i = 0; i < grad.size(); i++) {
                        double x = adaptive ? Math.abs(w.get(i)) * grad.get(i) : grad.get(i);
                        sums[g] += x * x;
                    }
                }
            }
            double all = 0;
            for (double s : sums) all += s;
            for (int g = 0; g < groups; g++) {
                ParamGroup hp = group(g);
                boolean adaptive = hp.flag("adaptive");
                double norm = Math.sqrt(normScope() == NormScope.ALL ? all : sums[g]);
                double scale = hp.get("rho") / (norm + hp.get("eps"));
                for (Parameter p : hp.parameters()) {
                    if (p.grad() == null) continue;
                    moved.add(p);
                    saved.add(p.clone());
                    Flat grad = Flat.read(p.grad()), w = Flat.of(p);
                    Elementwise.forRange(grad.size(), (from, to) -> {
                        for (int i = from; i < to; i++) {
                            double wi = w.get(i);
                            double e = adaptive ? scale * wi * wi * grad.get(i) : scale * grad.get(i);
                            w.set(i, wi + e);
                        }
                    });
                }
            }
        }
        try {
            evaluate(closure);
        } finally {
            try (var _ = GradMode.noGrad()) {
                for (int k = 0; k < moved.size(); k++) moved.get(k).copyFrom(saved.get(k));
            }
        }
        base.step();
        return loss;
    }

    // ------------------------------------------------------------------ state

    @Override
    protected Map<String, Tensor> extraState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : base.stateDict().entrySet()) out.put("base." + e.getKey(), e.getValue());
        return out;
    }

    @Override
    protected Runnable checkExtraState(Map<String, Tensor> extra) {
        Map<String, Tensor> inner = new LinkedHashMap<>();
        List<String> stray = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : extra.entrySet()) {
            if (e.getKey().startsWith("base.")) inner.put(e.getKey().substring(5), e.getValue());
            else stray.add(e.getKey());
        }
        if (!stray.isEmpty()) throw new IllegalArgumentException("SAM state does not match: unexpected keys " + stray);
        // Everything of SAM's own has been checked when this runs, and the base's load checks all before it changes anything.
        try {
            base.loadStateDict(inner);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SAM's base: " + e.getMessage(), e);
        }
        return () -> {};
    }
}
