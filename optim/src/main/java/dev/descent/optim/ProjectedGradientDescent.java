package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Projected (constrained) gradient descent onto a closed convex set (docs/papers.md §3; the algorithm whose
 * generalisation gap Burla &amp; Livni, arXiv 2602.08350, bound by Ω(√(ηT/m^1.5))).
 *
 * <pre>
 * per group, each step:
 *     θ ← Π_C(θ − lr·(∇θ + wd·θ))        Π_C: Euclidean projection onto the group's set C
 * </pre>
 *
 * Hyperparameters (per group): {@code lr} (≥ 0, required), {@code weight_decay} (≥ 0, default 0),
 * {@code set} C (a {@link ConvexSet}, e.g. {@link Ball#origin(double)}; required). The set is over
 * the group's tensors viewed as one vector, and the projection covers every tensor of the group,
 * including those without a gradient in this step. The starting point is not projected: start
 * inside C for the textbook algorithm. The set is not saved with the optimizer state.
 *
 * <p>With {@link #setNormScope} {@link NormScope#ALL} the set is over all the optimizer's tensors viewed as
 * one vector: every group takes its own gradient step (its own lr and weight decay), then all tensors of all
 * groups are projected at once onto the one set every group must then hold (the same object).
 */
public final class ProjectedGradientDescent extends NormScoped<ProjectedGradientDescent> {

    /** The hyperparameters projected GD accepts, with defaults and ranges. */
    public static final Hyperparameters SPEC = Hyperparameters.builder()
            .requiredReal("lr", Hyperparameters.Range.NON_NEGATIVE)
            .real("weight_decay", 0, Hyperparameters.Range.NON_NEGATIVE)
            .object("set", ConvexSet.class, null)
            .build();

    /**
     * Projected GD over {@code groups}; each group must set {@code lr} and {@code set}.
     *
     * @param groups the parameter groups with their hyperparameters
     */
    public ProjectedGradientDescent(List<ParamGroup> groups) {
        super(groups, SPEC, NormScope.GROUP);
    }

    /**
     * Projected GD over one group of {@code params}; each group must set {@code lr} and {@code set}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     */
    public ProjectedGradientDescent(Iterable<? extends Parameter> params) {
        this(oneGroup(params));
    }

    /**
     * Projected GD whose groups default to step {@code lr} and set {@code set}.
     *
     * @param groups the parameter groups with their hyperparameters
     * @param lr the step of every group that does not set {@code lr}
     * @param set the convex set of every group that does not set {@code set}
     */
    public ProjectedGradientDescent(List<ParamGroup> groups, double lr, ConvexSet set) {
        super(groups, SPEC, Map.of("lr", lr, "set", requireSet(set)), NormScope.GROUP);
    }

    /**
     * Projected GD whose one group of {@code params} defaults to step {@code lr} and set {@code set}.
     *
     * @param params the parameters, as one group (for example {@code model.parameters()})
     * @param lr the step of every group that does not set {@code lr}
     * @param set the convex set of every group that does not set {@code set}
     */
    public ProjectedGradientDescent(Iterable<? extends Parameter> params, double lr, ConvexSet set) {
        this(oneGroup(params), lr, set);
    }

    private static ConvexSet requireSet(ConvexSet set) {
        if (set == null) throw new IllegalArgumentException("set must not be null");
        return set;
    }

    private int lastSteppingGroup = -1;

    @Override
    protected void beforeUpdates(List<List<Slot>> slotsByGroup) {
        lastSteppingGroup = -1;
        for (int g = 0; g < slotsByGroup.size(); g++) if (!slotsByGroup.get(g).isEmpty()) lastSteppingGroup = g;
        if (normScope() != NormScope.ALL) return;
        ConvexSet first = group(0).option("set", ConvexSet.class);
        for (int g = 1; g < groups().size(); g++) {
            if (group(g).option("set", ConvexSet.class) != first) {
                throw new IllegalStateException("with NormScope.ALL every group of ProjectedGradientDescent must hold the same set, but group " + g
                        + " holds " + group(g).value("set") + " and group 0 " + first);
            }
        }
    }

    @Override
    protected void update(int group, ParamGroup hp, long groupStep, List<Slot> slots) {
        double lr = hp.get("lr"), wd = hp.get("weight_decay");
        for (Slot s : slots) SGD.update(Flat.of(s.param()), Flat.read(s.grad()), null, lr, 0, 0, wd, false, s.step() == 1);
        if (normScope() == NormScope.GROUP) {
            hp.option("set", ConvexSet.class).project(hp.parameters());
        } else if (group == lastSteppingGroup) {
            hp.option("set", ConvexSet.class).project(parameters()); // every group has stepped: project the whole vector
        }
    }
}
