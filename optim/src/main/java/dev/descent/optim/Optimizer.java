package dev.descent.optim;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The base of every optimizer: parameter groups with their hyperparameters, {@link #step()},
 * {@link #zeroGrad()}, gradient transforms, and the optimizer state (step counts, moment buffers,
 * per-group statistics) as named tensors; {@link OptimizerState} writes it to files and reads it back.
 *
 * <pre>{@code
 * var opt = new Adam(List.of(ParamGroup.of(model.parameters()).with("lr", 1e-3)));
 * opt.addGradientTransform(new ClipByGlobalNorm(1.0));
 * for (...) {
 *     opt.zeroGrad();
 *     loss.backward();
 *     opt.step();
 * }
 * OptimizerState.save(opt, Path.of("optimizer.safetensors"));
 * }</pre>
 *
 * <p><b>What a step does.</b> Inside a no-grad scope: the gradient transforms run, in the order
 * added, over every parameter that has a gradient; then each group is updated. A parameter whose
 * gradient is null is skipped (its state is left alone, its step count does not advance); a group
 * none of whose parameters has a gradient is skipped entirely. Step counts are kept per parameter
 * (PyTorch's convention, used for bias corrections) and per group (used by the group-level rules
 * such as Stein-rule shrinkage). All arithmetic is float64, rounded once when stored into float32
 * parameters and buffers; every loop runs in a fixed order, so runs are bitwise reproducible.
 *
 * <p><b>State.</b> {@link #stateDict()} names every tensor by group index and parameter index:
 * {@code group.0.step}, {@code group.0.hp.lr}, {@code group.0.param.1.exp_avg},
 * {@code group.0.param.1.step}, a per-parameter statistic such as {@code group.0.param.1.mu_product}
 * (float64, 0-d), and {@code scheduler.0.position} for each attached
 * {@link LrScheduler}. Hyperparameters are saved (numbers as float64, switches as bool, choices as
 * the int64 index of the enum constant); object-valued ones such as a {@link ConvexSet} are not, and
 * come from the constructor.
 */
public abstract class Optimizer {

    /**
     * One parameter that has a gradient in the current step.
     *
     * @param index the parameter's index within its group (the key of its buffers)
     * @param param the parameter
     * @param grad its gradient (after the gradient transforms)
     * @param step this parameter's step count, including the current step (1 on its first update)
     */
    public record Slot(int index, Parameter param, Tensor grad, long step) {}

    private final String name;
    private final List<ParamGroup> groups;
    private final Hyperparameters spec;
    private final long[] groupSteps;
    private final long[][] paramSteps;
    private final List<List<Map<String, Tensor>>> buffers = new ArrayList<>();
    private final List<String> groupScalarNames;
    private final double[][] groupScalars;
    private final List<Hyperparameters.ParamScalar> paramScalarSpecs;
    private final double[][][] paramScalars;
    private final List<GradientTransform> transforms = new ArrayList<>();
    private final List<AttachedScheduler> schedulers = new ArrayList<>();

    /**
     * Binds copies of {@code groups} to {@code spec}; keys a group does not set take the specification's
     * defaults.
     *
     * @param groups the parameter groups, at least one, holding at least one parameter between them; no
     *     parameter may appear twice
     * @param spec the hyperparameters this optimizer accepts and the state it keeps
     * @throws IllegalArgumentException for an unknown key, a missing required key, a bad value, a
     *     duplicated parameter or no parameter at all; the message names the key, the value and the group
     *     (or the optimizer)
     */
    protected Optimizer(List<ParamGroup> groups, Hyperparameters spec) {
        this(groups, spec, Map.of());
    }

    /**
     * Binds copies of {@code groups} to {@code spec}, with some defaults of the caller's (the
     * {@code lr} of a constructor such as {@code new SGD(groups, 0.1)}).
     *
     * @param groups the parameter groups, at least one, holding at least one parameter between them; no
     *     parameter may appear twice
     * @param spec the hyperparameters this optimizer accepts and the state it keeps
     * @param defaults values that replace the specification's defaults for groups that do not set them
     * @throws IllegalArgumentException for an unknown key, a missing required key, a bad value, a
     *     duplicated parameter or no parameter at all; the message names the key, the value and the group
     *     (or the optimizer)
     */
    protected Optimizer(List<ParamGroup> groups, Hyperparameters spec, Map<String, Object> defaults) {
        this.name = getClass().getSimpleName();
        if (groups == null || groups.isEmpty()) throw new IllegalArgumentException(name + " needs at least one parameter group");
        this.spec = spec;
        for (String key : defaults.keySet()) {
            if (spec.entry(key) == null) throw new IllegalArgumentException("unknown hyperparameter '" + key + "' for " + name);
        }
        List<ParamGroup> bound = new ArrayList<>();
        Map<Parameter, Integer> seen = new IdentityHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            if (group == null) throw new IllegalArgumentException("group " + g + " of " + name + " is null");
            for (Parameter p : group.parameters()) {
                Integer before = seen.put(p, g);
                if (before != null) {
                    throw new IllegalArgumentException("parameter " + describe(p) + " appears twice: in group " + before + " and in group " + g + " of " + name);
                }
            }
            bound.add(group.bind(spec, defaults, "group " + g + " of " + name));
        }
        if (seen.isEmpty()) {
            // PyTorch's "optimizer got an empty parameter list": such an optimizer would step forever and change nothing.
            throw new IllegalArgumentException(name + " got an empty parameter list: none of its " + groups.size() + " group(s) holds a parameter"
                    + " (a model whose parameters() is empty has no registered layers or parameters)");
        }
        this.groups = List.copyOf(bound);
        this.groupSteps = new long[groups.size()];
        this.paramSteps = new long[groups.size()][];
        this.groupScalarNames = spec.groupScalars();
        this.groupScalars = new double[groups.size()][groupScalarNames.size()];
        this.paramScalarSpecs = spec.paramScalars();
        this.paramScalars = new double[groups.size()][][];
        for (int g = 0; g < groups.size(); g++) {
            paramSteps[g] = new long[this.groups.get(g).parameters().size()];
            Arrays.fill(groupScalars[g], Double.NaN);
            paramScalars[g] = new double[paramSteps[g].length][paramScalarSpecs.size()];
            for (double[] ps : paramScalars[g]) for (int k = 0; k < ps.length; k++) ps[k] = paramScalarSpecs.get(k).initial();
            List<Map<String, Tensor>> perParam = new ArrayList<>();
            for (int i = 0; i < paramSteps[g].length; i++) perParam.add(new LinkedHashMap<>());
            buffers.add(perParam);
        }
    }

    /**
     * One group holding {@code params}, for the constructors that take parameters directly
     * ({@code new Adam(model.parameters(), 1e-3)}, as PyTorch's {@code Adam(model.parameters(), lr=1e-3)}).
     *
     * @param params the parameters, in order
     * @return a list of one group description with no hyperparameters set
     */
    protected static List<ParamGroup> oneGroup(Iterable<? extends Parameter> params) {
        if (params == null) throw new IllegalArgumentException("the parameter list must not be null");
        return List.of(ParamGroup.of(params));
    }

    // ------------------------------------------------------------------ the algorithm's part

    /**
     * Called inside the no-grad scope of {@link #step()} after the gradient transforms and before the
     * first {@link #update}, with every group's slots: where a rule needs a quantity over several groups
     * (a norm over all parameters, see {@link NormScope}), it computes it here. Does nothing by default.
     *
     * @param slotsByGroup for each group, the parameters that have gradients (empty for a group that
     *     takes no step)
     */
    protected void beforeUpdates(List<List<Slot>> slotsByGroup) {}

    /**
     * Whether this optimizer can only step through {@link #step(Supplier)}: LBFGS evaluates the loss
     * several times per step, SAM at a perturbed point. {@link #step()} then throws.
     *
     * @return false by default
     */
    public boolean requiresClosure() {
        return false;
    }

    /**
     * Updates one group's parameters in place. Called inside a no-grad scope, once per
     * {@link #step()} for each group that has at least one gradient.
     *
     * @param group the group's index
     * @param hp the group's hyperparameters
     * @param groupStep the group's step count, including this step (1 on the first)
     * @param slots the parameters that have gradients, in group order
     */
    protected abstract void update(int group, ParamGroup hp, long groupStep, List<Slot> slots);

    /**
     * One buffer of one parameter, created as zeros on first use.
     *
     * @param group the group's index
     * @param param the parameter's index within its group
     * @param buffer the buffer's name, one the group keeps by {@link Hyperparameters#bufferNames}
     * @return the buffer (written in place by the update)
     */
    protected final Tensor buffer(int group, int param, String buffer) {
        Map<String, Tensor> map = buffers.get(group).get(param);
        Tensor t = map.get(buffer);
        if (t == null) {
            if (!spec.bufferNames(groups.get(group)).contains(buffer)) {
                throw new IllegalStateException(name + " asked for buffer '" + buffer + "', not among " + spec.bufferNames(groups.get(group)));
            }
            Parameter p = groups.get(group).parameters().get(param);
            t = Workspace.keep(Tensor.zeros(p.dtype(), spec.bufferShape(buffer, p.shape())));
            map.put(buffer, t);
        }
        return t;
    }

    /**
     * A parameter's step count.
     *
     * @param group the group's index
     * @param param the parameter's index within its group
     * @return the number of steps that have updated it (0 before its first)
     */
    protected final long paramStep(int group, int param) {
        return paramSteps[group][param];
    }

    /**
     * A per-group statistic.
     *
     * @param group the group's index
     * @param scalar the statistic's name, as declared by {@link Hyperparameters.Builder#groupScalar}
     * @return its value (NaN until the algorithm sets it)
     */
    protected final double groupScalar(int group, String scalar) {
        return groupScalars[group][scalarIndex(scalar)];
    }

    /**
     * Sets a per-group statistic; it is saved with the state.
     *
     * @param group the group's index
     * @param scalar the statistic's name, as declared by {@link Hyperparameters.Builder#groupScalar}
     * @param value its new value
     */
    protected final void setGroupScalar(int group, String scalar, double value) {
        groupScalars[group][scalarIndex(scalar)] = value;
    }

    /**
     * A per-parameter statistic.
     *
     * @param group the group's index
     * @param param the parameter's index within its group
     * @param scalar the statistic's name, as declared by {@link Hyperparameters.Builder#paramScalar}
     * @return its value (its declared initial value until the algorithm sets it)
     */
    protected final double paramScalar(int group, int param, String scalar) {
        return paramScalars[group][param][paramScalarIndex(scalar)];
    }

    /**
     * Sets a per-parameter statistic; it is saved with the state.
     *
     * @param group the group's index
     * @param param the parameter's index within its group
     * @param scalar the statistic's name, as declared by {@link Hyperparameters.Builder#paramScalar}
     * @param value its new value
     */
    protected final void setParamScalar(int group, int param, String scalar, double value) {
        paramScalars[group][param][paramScalarIndex(scalar)] = value;
    }

    private int paramScalarIndex(String scalar) {
        for (int k = 0; k < paramScalarSpecs.size(); k++) if (paramScalarSpecs.get(k).name().equals(scalar)) return k;
        throw new IllegalStateException(name + " has no per-parameter statistic '" + scalar + "', only " + paramScalarSpecs);
    }

    private int scalarIndex(String scalar) {
        int i = groupScalarNames.indexOf(scalar);
        if (i < 0) throw new IllegalStateException(name + " has no group statistic '" + scalar + "', only " + groupScalarNames);
        return i;
    }

    // ------------------------------------------------------------------ public API

    /**
     * Runs the gradient transforms, then updates every group from its parameters' gradients.
     *
     * @throws IllegalStateException when a gradient's shape differs from its parameter's
     */
    public final void step() {
        if (requiresClosure()) {
            throw new IllegalStateException(name + " needs a closure that recomputes the loss: call step(closure), not step()");
        }
        try (var _ = GradMode.noGrad()) {
            if (!transforms.isEmpty()) {
                List<Parameter> withGrad = new ArrayList<>();
                for (ParamGroup g : groups) for (Parameter p : g.parameters()) if (p.grad() != null) withGrad.add(p);
                for (GradientTransform t : transforms) t.apply(withGrad);
            }
            List<List<Slot>> slotsByGroup = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                List<Slot> slots = new ArrayList<>();
                List<Parameter> params = groups.get(g).parameters();
                for (int i = 0; i < params.size(); i++) {
                    Parameter p = params.get(i);
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    if (!Arrays.equals(grad.shape(), p.shape())) {
                        throw new IllegalStateException("gradient of " + describe(p) + " has shape " + Arrays.toString(grad.shape())
                                + ", the parameter " + Arrays.toString(p.shape()));
                    }
                    slots.add(new Slot(i, p, grad, paramSteps[g][i] + 1));
                }
                slotsByGroup.add(Collections.unmodifiableList(slots));
            }
            beforeUpdates(Collections.unmodifiableList(slotsByGroup));
            for (int g = 0; g < groups.size(); g++) {
                List<Slot> slots = slotsByGroup.get(g);
                if (slots.isEmpty()) continue;
                for (Slot s : slots) paramSteps[g][s.index()]++;
                groupSteps[g]++;
                update(g, groups.get(g), groupSteps[g], slots);
            }
        }
    }

    /**
     * One step with a closure that recomputes the loss, as PyTorch's {@code step(closure)}: the closure
     * zeroes the gradients, runs the forward pass and {@code backward()}, and returns the loss. By default
     * it is called once (with gradients enabled), then {@link #step()} runs; LBFGS and SAM call it as
     * often as their algorithms need.
     *
     * <pre>{@code
     * Tensor loss = opt.step(() -> {
     *     opt.zeroGrad();
     *     Tensor l = lossFn.apply(model.forward(x), y);
     *     l.backward();
     *     return l;
     * });
     * }</pre>
     *
     * @param closure recomputes the loss and the gradients; must not be null
     * @return the loss the (first) closure call returned
     * @throws IllegalArgumentException when {@code closure} is null
     */
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss = evaluate(closure);
        step();
        return loss;
    }

    /**
     * Calls a closure with gradients enabled (the caller may be inside a no-grad scope).
     *
     * @param closure recomputes the loss and the gradients
     * @return the loss it returned
     * @throws IllegalArgumentException when {@code closure} is null, or it returns null
     */
    protected final Tensor evaluate(Supplier<Tensor> closure) {
        if (closure == null) throw new IllegalArgumentException(name + ".step(closure): the closure must not be null");
        Tensor loss;
        try (var _ = GradMode.enableGrad()) {
            loss = closure.get();
        }
        if (loss == null) throw new IllegalArgumentException(name + ".step(closure): the closure returned null instead of the loss");
        return loss;
    }

    /** Clears every parameter's gradient (sets it to null, as PyTorch's {@code set_to_none}). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears every parameter's gradient, as PyTorch's {@code zero_grad(set_to_none)}.
     *
     * @param setToNone true: set gradients to null, so that backward allocates new ones and a parameter that
     *        gets no gradient is skipped by {@link #step()}; false: fill existing gradients with zeros in
     *        place, so that backward adds into the same arrays (no per-step allocation) and every parameter
     *        that ever had a gradient is stepped with a zero one when it gets none
     */
    public void zeroGrad(boolean setToNone) {
        for (ParamGroup g : groups) for (Parameter p : g.parameters()) p.zeroGrad(setToNone);
    }

    /**
     * The groups.
     *
     * @return this optimizer's validated copies of its groups; change hyperparameters through them
     */
    public List<ParamGroup> groups() {
        return groups;
    }

    /**
     * One group.
     *
     * @param index the group's index
     * @return this optimizer's copy of the group
     * @throws IndexOutOfBoundsException for an index that names no group
     */
    public ParamGroup group(int index) {
        if (index < 0 || index >= groups.size()) {
            throw new IndexOutOfBoundsException("group " + index + " of " + name + ", which has " + groups.size() + " groups");
        }
        return groups.get(index);
    }

    /**
     * The current learning rate of a group.
     *
     * @param index the group's index
     * @return its {@code lr}
     */
    public double lr(int index) {
        return group(index).lr();
    }

    /**
     * Every parameter.
     *
     * @return the parameters of every group, in group order
     */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.parameters());
        return all;
    }

    /**
     * The hyperparameters this optimizer accepts.
     *
     * @return the specification, with defaults and ranges
     */
    public Hyperparameters hyperparameters() {
        return spec;
    }

    /**
     * The number of steps a group has taken.
     *
     * @param index the group's index
     * @return the group's step count (steps where none of its parameters had a gradient do not count)
     */
    public long groupStep(int index) {
        group(index);
        return groupSteps[index];
    }

    /**
     * Adds a transform applied to the gradients at the start of every {@link #step()}, after those
     * added before it.
     *
     * @param transform the transform, for example {@link ClipByGlobalNorm}
     * @return this optimizer
     */
    public Optimizer addGradientTransform(GradientTransform transform) {
        if (transform == null) throw new IllegalArgumentException("gradient transform must not be null");
        transforms.add(transform);
        return this;
    }

    /**
     * The gradient transforms.
     *
     * @return the transforms, in the order they run
     */
    public List<GradientTransform> gradientTransforms() {
        return Collections.unmodifiableList(transforms);
    }

    /**
     * The schedulers built on this optimizer; their state is saved with this one's.
     *
     * @return the schedulers, in the order they were built
     */
    public List<LrScheduler> schedulers() {
        List<LrScheduler> out = new ArrayList<>();
        for (AttachedScheduler s : schedulers) if (s instanceof LrScheduler l) out.add(l);
        return Collections.unmodifiableList(out);
    }

    /** Called by a scheduler built on this optimizer, so that its position is saved with the state. */
    void attach(AttachedScheduler scheduler) {
        schedulers.add(scheduler);
    }

    // ------------------------------------------------------------------ state

    /**
     * The state as named tensors (copies): step counts, hyperparameters, buffers, group statistics
     * and the position of every attached scheduler. Buffers not written yet are included as zeros.
     *
     * @return the state, keyed as described in the class documentation
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = coreState();
        for (Map.Entry<String, Tensor> e : extraState().entrySet()) {
            if (isCoreKey(e.getKey()) || out.containsKey(e.getKey())) throw new IllegalStateException(name + " extra state key '" + e.getKey() + "' clashes");
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * State an algorithm keeps beyond the per-group and per-parameter entries the base manages (LBFGS's
     * history, whose length varies); saved by {@link #stateDict()}. Keys must not start with
     * {@code group.} or {@code scheduler.}. None by default.
     *
     * @return named tensors (copies)
     */
    protected Map<String, Tensor> extraState() {
        return Map.of();
    }

    /**
     * Checks the extra state of a {@link #loadStateDict} call, without changing anything, and returns
     * what applies it (run only once everything else has been checked too).
     *
     * @param extra the entries of the loaded state whose keys start with neither {@code group.} nor
     *     {@code scheduler.}
     * @return the action that installs them
     * @throws IllegalArgumentException naming a missing, unexpected or malformed entry
     */
    protected Runnable checkExtraState(Map<String, Tensor> extra) {
        if (!extra.isEmpty()) throw new IllegalArgumentException(name + " state does not match: unexpected keys " + new TreeSet<>(extra.keySet()));
        return () -> {};
    }

    private static boolean isCoreKey(String key) {
        return key.startsWith("group.") || key.startsWith("scheduler.");
    }

    private Map<String, Tensor> coreState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            String prefix = "group." + g + ".";
            out.put(prefix + "step", Tensor.of(new long[] {groupSteps[g]}).reshape());
            for (Hyperparameters.Entry e : spec.entries().values()) {
                Tensor hp = hyperparameterTensor(e, group.value(e.name()));
                if (hp != null) out.put(prefix + "hp." + e.name(), hp);
            }
            for (int s = 0; s < groupScalarNames.size(); s++) out.put(prefix + groupScalarNames.get(s), Tensor.of(groupScalars[g][s]));
            for (int i = 0; i < paramSteps[g].length; i++) {
                String pp = prefix + "param." + i + ".";
                out.put(pp + "step", Tensor.of(new long[] {paramSteps[g][i]}).reshape());
                for (String b : spec.bufferNames(group)) out.put(pp + b, buffer(g, i, b).clone());
                for (int k = 0; k < paramScalarSpecs.size(); k++) out.put(pp + paramScalarSpecs.get(k).name(), Tensor.of(paramScalars[g][i][k]));
            }
        }
        for (int k = 0; k < schedulers.size(); k++) out.putAll(schedulers.get(k).stateDict("scheduler." + k + "."));
        return out;
    }

    private static Tensor hyperparameterTensor(Hyperparameters.Entry e, Object v) {
        return switch (e.kind()) {
            case REAL, INTEGER -> Tensor.of((Double) v);
            case FLAG -> Tensor.of(new boolean[] {(Boolean) v}).reshape();
            case CHOICE -> Tensor.of(new long[] {((Enum<?>) v).ordinal()}).reshape();
            case OBJECT -> null;
        };
    }

    /**
     * Restores a state produced by {@link #stateDict()} of an optimizer of the same kind over
     * parameters of the same shapes and dtypes. Everything is checked before anything changes.
     *
     * @param all the tensors of a state, for example {@code Safetensors.load(file).tensors()}
     * @throws IllegalArgumentException listing missing and unexpected keys, or naming a key whose
     *     shape, dtype or value is wrong
     */
    public void loadStateDict(Map<String, Tensor> all) {
        Map<String, Tensor> state = new LinkedHashMap<>(), extra = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : all.entrySet()) (isCoreKey(e.getKey()) ? state : extra).put(e.getKey(), e.getValue());
        Map<String, Tensor> expected = coreState();
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(expected.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(name + " state does not match: missing keys " + missing + ", unexpected keys " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor got = state.get(e.getKey()), want = e.getValue();
            if (got.dtype() != want.dtype() || !Arrays.equals(got.shape(), want.shape())) {
                throw new IllegalArgumentException(name + " state '" + e.getKey() + "': expected " + want.dtype() + " " + Arrays.toString(want.shape())
                        + ", found " + got.dtype() + " " + Arrays.toString(got.shape()));
            }
        }
        // Hyperparameters: validate complete groups on throw-away copies before touching anything.
        List<Map<String, Object>> newValues = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Map<String, Object> values = new HashMap<>();
            ParamGroup description = ParamGroup.of(groups.get(g).parameters());
            for (Hyperparameters.Entry e : spec.entries().values()) {
                Tensor t = state.get("group." + g + ".hp." + e.name());
                Object v = switch (e.kind()) {
                    case REAL, INTEGER -> t.item();
                    case FLAG -> t.toBooleanArray()[0];
                    case CHOICE -> {
                        Object[] constants = e.type().getEnumConstants();
                        long ord = t.toLongArray()[0];
                        if (ord < 0 || ord >= constants.length) {
                            throw new IllegalArgumentException(name + " state 'group." + g + ".hp." + e.name() + "': " + ord + " is not an index of "
                                    + Arrays.toString(constants));
                        }
                        yield constants[(int) ord];
                    }
                    case OBJECT -> groups.get(g).value(e.name());
                };
                values.put(e.name(), v);
                description.with(e.name(), v);
            }
            ParamGroup loaded = description.bind(spec, Map.of(), "group " + g + " of " + name + " as loaded");
            // The buffers a group keeps follow its hyperparameters (amsgrad adds max_exp_avg_sq): the state's keys were
            // checked against this optimizer's, so the loaded values must keep the same buffers.
            List<String> kept = spec.bufferNames(groups.get(g)), wanted = spec.bufferNames(loaded);
            if (!kept.equals(wanted)) {
                throw new IllegalArgumentException(name + " state of group " + g + ": its hyperparameters need the buffers " + wanted
                        + " per parameter, but it holds " + kept + " (as this optimizer's hyperparameters do)");
            }
            newValues.add(values);
        }
        long[] loadedGroupSteps = new long[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            loadedGroupSteps[g] = nonNegativeCount(state, "group." + g + ".step");
            for (int i = 0; i < paramSteps[g].length; i++) nonNegativeCount(state, "group." + g + ".param." + i + ".step");
        }
        for (int k = 0; k < schedulers.size(); k++) schedulers.get(k).checkState(state, "scheduler." + k + ".");
        Runnable applyExtra = checkExtraState(extra);
        // Everything checked: apply.
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            String prefix = "group." + g + ".";
            groupSteps[g] = loadedGroupSteps[g];
            group.restore(newValues.get(g));
            for (int s = 0; s < groupScalarNames.size(); s++) groupScalars[g][s] = state.get(prefix + groupScalarNames.get(s)).item();
            for (int i = 0; i < paramSteps[g].length; i++) {
                String pp = prefix + "param." + i + ".";
                paramSteps[g][i] = state.get(pp + "step").toLongArray()[0];
                for (String b : spec.bufferNames(group)) buffer(g, i, b).copyFrom(state.get(pp + b));
                for (int k = 0; k < paramScalarSpecs.size(); k++) paramScalars[g][i][k] = state.get(pp + paramScalarSpecs.get(k).name()).item();
            }
        }
        for (int k = 0; k < schedulers.size(); k++) schedulers.get(k).loadState(state, "scheduler." + k + ".");
        applyExtra.run();
    }

    private long nonNegativeCount(Map<String, Tensor> state, String key) {
        long v = state.get(key).toLongArray()[0];
        if (v < 0) throw new IllegalArgumentException(name + " state '" + key + "': a step count must be >= 0, was " + v);
        return v;
    }

    static String describe(Parameter p) {
        return (p.name() != null ? "'" + p.name() + "' " : "") + Arrays.toString(p.shape()) + " " + p.dtype();
    }

    /** The optimizer's kind and its groups' hyperparameters. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int g = 0; g < groups.size(); g++) sb.append(g == 0 ? "" : ", ").append(groups.get(g));
        return sb.append(')').toString();
    }
}
