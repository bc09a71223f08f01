package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.autograd.HookHandle;
import dev.descent.core.io.FileFormatException;
import dev.descent.core.io.Safetensors;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A layer or a model: named parameters, named buffers (state that is not trained, such as running
 * statistics) and named child modules, all kept in registration order, so that names and their order
 * are deterministic: {@code "0.weight"}, {@code "features.conv1.bias"}, as in PyTorch.
 *
 * <p><b>Writing a model.</b> Keep layers and parameters in fields, as in PyTorch; they are registered
 * under their field names the first time the module tree is looked at ({@link #parameters()},
 * {@link #namedModules()}, {@link #stateDict()}, {@link #train(boolean)}, …), and again on every later look,
 * so a field assigned later is picked up too:
 *
 * <pre>{@code
 * import dev.descent.nn.*;
 * import dev.descent.nn.Module;          // needed: with only the star import, java.lang.Module makes "Module" ambiguous
 *
 * final class Net extends Module {
 *     final Linear fc1, fc2;             // registered as "fc1", "fc2": parameters "fc1.weight", …
 *     Net(RandomGenerator rng) {
 *         fc1 = new Linear(784, 128, rng);
 *         fc2 = new Linear(128, 10, rng);
 *     }
 *     public Tensor forward(Tensor x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * }</pre>
 *
 * <p>What a field registers: a non-static, non-transient field of a subclass whose value is a {@code Module}
 * or a {@link Parameter}, in declaration order, the superclass's fields first; after what the constructor
 * registered explicitly with {@link #addModule}, {@link #addParameter} and {@link #addBuffer} (which keep
 * working, and choose names other than the field's). A field holding something already registered here is
 * skipped; a null field, a plain {@code Tensor} and a {@code List} of modules register nothing (use
 * {@link Sequential}, or {@link #addModule} in a loop: PyTorch's {@code ModuleList}); mark a field
 * {@code transient} to leave it out (a reference to a module owned elsewhere). A field that later holds a
 * different object than the one registered under its name is an {@link IllegalStateException}. The order is
 * the declaration order as the JVM reports it (HotSpot: source order); explicit registration fixes the order
 * in code.
 *
 * <p>The fields are read by reflection from {@code dev.descent.nn}. On the class path that needs nothing. On
 * the module path, a named module holding models opens their package to it
 * ({@code opens com.example.model to dev.descent.nn;}) or registers explicitly: fields it cannot read are taken
 * to hold what the constructor registered, and a module that registered nothing while having such fields
 * throws an {@link IllegalStateException} on the first look, naming the field and the {@code opens} line.
 *
 * <p>A module is in training mode when created; {@link #eval()} switches it (and its children) to
 * inference behaviour (dropout off, batch norm on running statistics). In eval mode, forward passes
 * do not change the module, so one model may serve many threads at once.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    // Hooks: copy-on-write lists, read without locking by concurrent calls (a model may serve many threads in eval mode).
    private volatile List<ForwardPreHook> forwardPreHooks = List.of();
    private volatile List<ForwardHook> forwardHooks = List.of();
    private volatile List<BackwardHook> backwardHooks = List.of();

    /**
     * An empty module in training mode: subclasses keep their layers and parameters in fields (registered by
     * field name) or register them in their constructors.
     */
    public Module() {}

    /**
     * Computes the module's output, recording the graph when grad mode is on. In training mode a forward
     * pass may update buffers (batch norm's running statistics, dropout's call counter).
     *
     * @param x the input, shaped as the module expects (batch first)
     * @return the output
     * @throws IllegalArgumentException when x's shape or dtype does not fit the module
     */
    public abstract Tensor forward(Tensor x);

    /**
     * Runs the module as PyTorch's {@code module(x)} does: the forward pre-hooks, {@link #forward}, the forward hooks,
     * and arranges the backward hooks. Without hooks it is exactly {@code forward(x)}. Containers ({@link Sequential},
     * {@link Residual}, {@link BasicBlock}) call their children through it, and so does the training loop; a
     * {@code forward} that calls a child's {@code forward} directly bypasses that child's hooks.
     *
     * @param x the input
     * @return the output (as replaced by forward hooks, if any)
     */
    public final Tensor call(Tensor x) {
        return call(x, this::forward);
    }

    /**
     * {@link #call(Tensor)} around another single-input computation of this module than {@link #forward} (a composite
     * layer calling a child's variant, e.g. a causal attention), so that the child's hooks fire for it as well.
     *
     * @param x    the input
     * @param body what this module computes from x
     * @return the output (as replaced by forward hooks, if any)
     */
    protected final Tensor call(Tensor x, java.util.function.UnaryOperator<Tensor> body) {
        List<ForwardPreHook> pre = forwardPreHooks;
        List<ForwardHook> post = forwardHooks;
        List<BackwardHook> back = backwardHooks;
        if (pre.isEmpty() && post.isEmpty() && back.isEmpty()) return body.apply(x);
        for (ForwardPreHook h : pre) {
            Tensor r = h.beforeForward(this, x);
            if (r != null) x = r;
        }
        boolean hookBackward = !back.isEmpty() && GradMode.isEnabled();
        Tensor[] gradOutput = new Tensor[1];
        Tensor input = x;
        if (hookBackward && x.requiresGrad()) {
            // An identity node in front of the module: its gradient is exactly the module's input gradient.
            input = identity("backwardHookInput", x);
            input.registerHook(g -> {
                Tensor gi = g;
                for (BackwardHook h : back) {
                    Tensor r = h.afterBackward(this, gi, gradOutput[0]);
                    if (r != null) gi = r;
                }
                return gi;
            });
        }
        Tensor y = body.apply(input);
        for (ForwardHook h : post) {
            Tensor r = h.afterForward(this, x, y);
            if (r != null) y = r;
        }
        if (hookBackward && y.requiresGrad()) {
            Tensor out = identity("backwardHookOutput", y);
            boolean inputHooked = input != x;
            out.registerHook(g -> {
                gradOutput[0] = g;
                if (!inputHooked) for (BackwardHook h : back) h.afterBackward(this, null, g);
                return null;
            });
            y = out;
        }
        return y;
    }

    /** A recorded identity: a new tensor over x's storage whose backward passes the gradient through, and whose tangent is x's. */
    private static Tensor identity(String name, Tensor x) {
        Tensor view = Tensor.wrap(x.storage(), x.storageOffset(), x.shape(), x.strides());
        return dev.descent.core.autograd.Autograd.record(name, view, g -> new Tensor[] {g}, t -> t[0], x);
    }

    /** Called before {@link #forward} by {@link #call}; see {@link #registerForwardPreHook}. */
    @FunctionalInterface
    public interface ForwardPreHook {
        /**
         * Sees (and may replace) a module's input.
         *
         * @param module the module about to run
         * @param input  its input
         * @return a replacement input, or null to keep it
         */
        Tensor beforeForward(Module module, Tensor input);
    }

    /** Called after {@link #forward} by {@link #call}; see {@link #registerForwardHook}. */
    @FunctionalInterface
    public interface ForwardHook {
        /**
         * Sees (and may replace) a module's output.
         *
         * @param module the module that ran
         * @param input  its input
         * @param output its output
         * @return a replacement output, or null to keep it
         */
        Tensor afterForward(Module module, Tensor input, Tensor output);
    }

    /** Called during backward for a module run by {@link #call}; see {@link #registerBackwardHook}. */
    @FunctionalInterface
    public interface BackwardHook {
        /**
         * Sees the gradients at a module's boundary (and may replace the input gradient).
         *
         * @param module     the module
         * @param gradInput  d(loss)/d(input), or null when the input does not require grad
         * @param gradOutput d(loss)/d(output)
         * @return a replacement input gradient (same shape), or null to keep it
         */
        Tensor afterBackward(Module module, Tensor gradInput, Tensor gradOutput);
    }

    /**
     * Registers a hook run by {@link #call} before {@link #forward}, as PyTorch's {@code register_forward_pre_hook}.
     *
     * @param hook the hook
     * @return a handle whose {@code remove()} unregisters it
     */
    public final HookHandle registerForwardPreHook(ForwardPreHook hook) {
        forwardPreHooks = with(forwardPreHooks, hook);
        return () -> forwardPreHooks = without(forwardPreHooks, hook);
    }

    /**
     * Registers a hook run by {@link #call} after {@link #forward}, as PyTorch's {@code register_forward_hook}: to read
     * activations (a per-layer statistic, a feature extractor) or replace the output.
     *
     * <pre>{@code
     * Map<String, Tensor> activations = new LinkedHashMap<>();
     * model.namedModules().forEach((name, m) -> m.registerForwardHook((mod, in, out) -> { activations.put(name, out.detach()); return null; }));
     * }</pre>
     *
     * @param hook the hook
     * @return a handle whose {@code remove()} unregisters it
     */
    public final HookHandle registerForwardHook(ForwardHook hook) {
        forwardHooks = with(forwardHooks, hook);
        return () -> forwardHooks = without(forwardHooks, hook);
    }

    /**
     * Registers a hook called during backward with the gradients at the module's boundary, as PyTorch's
     * {@code register_full_backward_hook}: the input gradient (null when the input does not require grad) and the
     * output gradient, for each pass of a {@link #call} made while the hook was registered. It may return a replacement
     * input gradient. (For the gradients of parameters, register a hook on the parameter: {@code p.registerHook}.)
     *
     * @param hook the hook
     * @return a handle whose {@code remove()} unregisters it
     */
    public final HookHandle registerBackwardHook(BackwardHook hook) {
        backwardHooks = with(backwardHooks, hook);
        return () -> backwardHooks = without(backwardHooks, hook);
    }

    private static <H> List<H> with(List<H> hooks, H hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        List<H> next = new ArrayList<>(hooks);
        next.add(hook);
        return List.copyOf(next);
    }

    private static <H> List<H> without(List<H> hooks, H hook) {
        List<H> next = new ArrayList<>(hooks);
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i) == hook) {
                next.remove(i);
                break;
            }
        }
        return List.copyOf(next);
    }

    // ------------------------------------------------------------ registration

    /**
     * Registers a trainable parameter under {@code name}; call it from the subclass's constructor.
     *
     * @param name the local name, non-empty and without {@code '.'} (e.g. {@code "weight"})
     * @param init the initial values, float32 or float64 (copied)
     * @return the new parameter, to keep in a field
     * @throws IllegalArgumentException when the name is empty, contains a dot or is already registered here,
     *         or {@code init} is not floating point
     */
    protected final Parameter addParameter(String name, Tensor init) {
        checkName(name);
        Parameter p = new Parameter(name, init);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a buffer: state saved with the model but not trained (running statistics, counters). The
     * tensor itself is kept, not a copy; update it in place under {@link dev.descent.core.autograd.GradMode#noGrad()}.
     *
     * @param name the local name, non-empty and without {@code '.'}
     * @param t the buffer
     * @return {@code t}
     * @throws IllegalArgumentException when the name is empty, contains a dot or is already registered here
     */
    protected final Tensor addBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, Workspace.keep(t));
        return t;
    }

    /**
     * Registers a child module: its parameters and buffers become this module's, under
     * {@code name + "." + theirName}, and it follows this module's mode.
     *
     * @param <M> the child's type
     * @param name the local name, non-empty and without {@code '.'}
     * @param child the child
     * @return {@code child}, to keep in a typed field
     * @throws IllegalArgumentException when the name is empty, contains a dot or is already registered here
     */
    protected final <M extends Module> M addModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    // ------------------------------------------------------------ fields

    /**
     * A subclass's instance fields that may hold a module or a parameter, superclass first: those reflection may
     * read, and a description of those it may not (their package is not open to this module), or null.
     */
    private record RegistrableFields(List<Field> readable, String unreadable) {}

    private static final ClassValue<RegistrableFields> REGISTRABLE_FIELDS = new ClassValue<>() {
        @Override
        protected RegistrableFields computeValue(Class<?> type) {
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> c = type; c != Module.class; c = c.getSuperclass()) chain.addFirst(c);
            List<Field> readable = new ArrayList<>();
            String unreadable = null;
            for (Class<?> c : chain) {
                for (Field f : c.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isSynthetic()) continue;
                    Class<?> t = f.getType();
                    if (t == Object.class || !(Module.class.isAssignableFrom(t) || t.isAssignableFrom(Parameter.class))) continue;
                    if (f.trySetAccessible()) {
                        readable.add(f);
                    } else if (unreadable == null) {
                        unreadable = "dev.descent.nn cannot read field '" + f.getName() + "' of " + c.getName() + " to register what it holds: add 'opens "
                                + c.getPackageName() + " to dev.descent.nn;' to the descriptor of module " + c.getModule().getName()
                                + ", or register the layers with addModule/addParameter";
                    }
                }
            }
            return new RegistrableFields(List.copyOf(readable), unreadable);
        }
    };

    /**
     * Registers, under the field's name, each module or parameter a field holds that is not registered here yet.
     * Fields reflection may not read are assumed to hold what the constructor registered, unless it registered
     * nothing: then the model would be silently empty, and this throws.
     */
    private void registerFields() {
        RegistrableFields fields = REGISTRABLE_FIELDS.get(getClass());
        if (fields.unreadable() != null && parameters.isEmpty() && buffers.isEmpty() && children.isEmpty()) {
            throw new IllegalStateException(fields.unreadable());
        }
        for (Field f : fields.readable()) {
            Object v;
            try {
                v = f.get(this);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("field '" + f.getName() + "' of " + getClass().getName() + " could not be read", e);
            }
            if (v == null || v == this || !(v instanceof Module || v instanceof Parameter) || isRegisteredHere(v)) continue;
            String name = f.getName();
            if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
                throw new IllegalStateException("field '" + name + "' of " + getClass().getSimpleName() + " holds " + v
                        + ", but '" + name + "' is registered to something else (a field reassigned after registration?);"
                        + " a registered module or parameter is not replaced");
            }
            if (v instanceof Module m) children.put(name, m);
            else parameters.put(name, (Parameter) v);
        }
    }

    private boolean isRegisteredHere(Object v) {
        for (Module c : children.values()) if (c == v) return true;
        for (Parameter p : parameters.values()) if (p == v) return true;
        return false;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("a name must be non-empty and without '.', was '" + name + "'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------ what it holds

    /**
     * The direct children, in registration order.
     *
     * @return an unmodifiable view, by local name
     */
    public final Map<String, Module> namedChildren() {
        registerFields();
        return Collections.unmodifiableMap(children);
    }

    /**
     * This module (under {@code ""}) and every descendant, depth first, by dotted path.
     *
     * @return a new map in registration order
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out, new IdentityHashMap<>());
        return out;
    }

    /** Depth first; {@code path} holds the modules from the root to this one, so that a cycle is reported. */
    private void collectModules(String prefix, Map<String, Module> out, IdentityHashMap<Module, String> path) {
        registerFields();
        out.put(prefix, this);
        path.put(this, prefix);
        for (Map.Entry<String, Module> c : children.entrySet()) {
            String at = join(prefix, c.getKey());
            String seen = path.get(c.getValue());
            if (seen != null) {
                throw new IllegalStateException("module cycle: '" + at + "' is the module at '" + seen + "'"
                        + " (mark a field that refers back to an enclosing module transient)");
            }
            c.getValue().collectModules(at, out, path);
        }
        path.remove(this);
    }

    /**
     * Every parameter by dotted path: this module's first, then each child's, depth first. Also sets each
     * parameter's {@link Parameter#name} to its path.
     *
     * @return a new map in registration order, e.g. {@code "0.weight"}, {@code "0.bias"}, {@code "3.weight"}
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Parameter> p : m.getValue().parameters.entrySet()) {
                String name = join(m.getKey(), p.getKey());
                p.getValue().name(name);
                out.put(name, p.getValue());
            }
        }
        return out;
    }

    /**
     * Every buffer by dotted path, in the order of {@link #namedModules()}.
     *
     * @return a new map, e.g. {@code "1.running_mean"}
     */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    /**
     * Every parameter, in {@link #namedParameters()} order: what an optimizer is given.
     *
     * @return a new list
     */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * The parameters owned directly by modules of the given type, anywhere in the tree (e.g. every
     * {@code Conv2d}'s weight and bias): for optimizer parameter groups.
     *
     * @param type the module class (subclasses match too)
     * @return a new list, in tree order
     */
    public final List<Parameter> parameters(Class<? extends Module> type) {
        List<Parameter> out = new ArrayList<>();
        namedParameters(); // name them
        for (Module m : namedModules().values()) if (type.isInstance(m)) out.addAll(m.parameters.values());
        return out;
    }

    /**
     * Every parameter not owned directly by a module of any of the given types: the complement of
     * {@link #parameters(Class)}.
     *
     * @param types the module classes to leave out
     * @return a new list, in tree order
     */
    @SafeVarargs
    public final List<Parameter> parametersExcept(Class<? extends Module>... types) {
        List<Parameter> out = new ArrayList<>();
        namedParameters();
        for (Module m : namedModules().values()) {
            boolean excluded = false;
            for (Class<? extends Module> t : types) excluded |= t.isInstance(m);
            if (!excluded) out.addAll(m.parameters.values());
        }
        return out;
    }

    /**
     * The parameters whose dotted name satisfies {@code filter}, e.g. {@code n -> !n.endsWith("bias")} for
     * weight decay on weights only.
     *
     * @param filter tested on each dotted name
     * @return a new list, in {@link #namedParameters()} order
     */
    public final List<Parameter> parameters(Predicate<String> filter) {
        List<Parameter> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) if (filter.test(e.getKey())) out.add(e.getValue());
        return out;
    }

    /**
     * The number of trainable scalars: Σ numel over {@link #parameters()}.
     *
     * @return the parameter count
     */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) n += p.numel();
        return n;
    }

    /** Clears every parameter's gradient (sets it to null). */
    public final void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears every parameter's gradient, as PyTorch's {@code zero_grad(set_to_none)}.
     *
     * @param setToNone true: set gradients to null; false: fill existing gradients with zeros in place, so that
     *        the next backward adds into the same arrays instead of allocating new ones
     */
    public final void zeroGrad(boolean setToNone) {
        for (Parameter p : namedParameters().values()) p.zeroGrad(setToNone);
    }

    // ------------------------------------------------------------ modes

    /**
     * Training mode for this module and its descendants: dropout drops, batch norm uses and updates batch
     * statistics.
     *
     * @return this module
     */
    public Module train() {
        return train(true);
    }

    /**
     * Inference mode for this module and its descendants: dropout is the identity, batch norm uses its
     * running statistics, and forward passes change nothing.
     *
     * @return this module
     */
    public Module eval() {
        return train(false);
    }

    /**
     * Sets the mode of this module and its descendants.
     *
     * @param on true for training mode, false for eval mode
     * @return this module
     */
    public Module train(boolean on) {
        registerFields();
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    /**
     * True in training mode (the mode a module is created in).
     *
     * @return whether this module is in training mode
     */
    public final boolean isTraining() {
        return training;
    }

    // ------------------------------------------------------------ state

    /**
     * Parameters and buffers by dotted name, module by module (each module's parameters, then its
     * buffers): what a model file holds. The tensors themselves, not copies.
     *
     * @return a new map in tree order
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Parameter> p : m.getValue().parameters.entrySet()) out.put(join(m.getKey(), p.getKey()), p.getValue());
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    /**
     * Copies {@code state} into this module's parameters and buffers. Every name must match, with the
     * same shape and dtype; otherwise nothing is changed and the exception lists every missing name,
     * every unexpected name and every mismatched shape.
     *
     * @param state tensors by dotted name, as {@link #stateDict()} returns them
     * @throws IllegalArgumentException listing every missing, unexpected and mismatched entry
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        String problem = mismatch(state);
        if (problem != null) throw new IllegalArgumentException("state does not match the model: " + problem);
        copyIn(state);
    }

    /**
     * Writes the state dict as safetensors (atomically), with {@code format=descent} and the module's class
     * name in the metadata. Readable by other frameworks' safetensors readers.
     *
     * @param file the file to create or replace
     * @throws IOException when writing fails (an existing file is then left as it was)
     */
    public final void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "descent");
        meta.put("model", getClass().getSimpleName());
        Safetensors.save(stateDict(), meta, file);
    }

    /**
     * Loads a safetensors file written by {@link #save} (or by any framework, given matching names).
     * The file is read and checked completely before anything is copied: on any error the module is
     * unchanged. Names and shapes must match exactly; dtypes convert within their kind, as PyTorch's
     * {@code load_state_dict} copies: a floating-point tensor (float16 and bfloat16 included) is converted to its
     * parameter's floating dtype, so half-precision weights load into a float32 model (rounded to nearest when
     * narrowing), and an integer tensor to its buffer's integer dtype ({@code to}'s rule); bool, and a float for an
     * integer or the reverse, must match.
     *
     * @param file the model file
     * @throws FileFormatException when the file is not valid safetensors
     * @throws ModelFileException when its tensors do not match this model
     * @throws IOException when the file cannot be read
     */
    public final void load(Path file) throws IOException {
        Map<String, Tensor> state = Safetensors.load(file).tensors();
        String problem = fit(stateDict(), state, null, true).problem(true);
        if (problem != null) throw new ModelFileException(file, problem);
        try (var _ = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : stateDict().entrySet()) {
                Tensor t = state.get(e.getKey());
                e.getValue().copyFrom(t.dtype() == e.getValue().dtype() ? t : t.to(e.getValue().dtype()));
            }
        }
    }

    /**
     * What a lenient {@link #loadStateDict(Map, UnaryOperator, boolean)} did, as PyTorch's {@code load_state_dict}
     * returns it.
     *
     * @param missingKeys    names of this module the state did not provide (left as they were)
     * @param unexpectedKeys names in the state (after renaming) this module does not have (ignored)
     */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        /** Copies the lists. */
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }
    }

    /**
     * Copies {@code state} into this module after renaming its keys, strictly or leniently, as PyTorch's
     * {@code load_state_dict(state, strict)} with a key mapping in front: {@code rename} maps each name of the state to
     * this module's name for it (e.g. {@code k -> k.replaceFirst("^module\\.", "")} for a DataParallel checkpoint, or a
     * table from another framework's names), or to null to drop the entry. Strict: every name must match, as
     * {@link #loadStateDict(Map)}. Lenient: missing and unexpected names are returned instead of refused. Either way
     * shapes must match (a mismatch is an error, as in PyTorch), floating-point values (float16 and bfloat16 included)
     * are converted to the module's floating dtype and integers to its integer dtype (as {@link #load(Path)}), and
     * everything is checked before anything is copied: on an error the module is unchanged.
     *
     * @param state  tensors by name
     * @param rename the key mapping (identity: {@code k -> k})
     * @param strict refuse missing and unexpected names
     * @return the missing and unexpected names (both empty after a strict load)
     * @throws IllegalArgumentException when two names map to the same one, a shape or a non-float dtype does not match,
     *         or (strict) a name is missing or unexpected — naming every such entry
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, UnaryOperator<String> rename, boolean strict) {
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String k = rename.apply(e.getKey());
            if (k == null) continue;
            String earlier = from.put(k, e.getKey());
            if (earlier != null) throw new IllegalArgumentException("state keys '" + earlier + "' and '" + e.getKey() + "' both map to '" + k + "'");
            renamed.put(k, e.getValue());
        }
        Map<String, Tensor> mine = stateDict();
        Fit fit = fit(mine, renamed, from, true);
        String problem = fit.problem(strict);
        if (problem != null) throw new IllegalArgumentException("state does not match the model: " + problem);
        try (var _ = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : mine.entrySet()) {
                Tensor t = renamed.get(e.getKey());
                if (t != null) e.getValue().copyFrom(t.dtype() == e.getValue().dtype() ? t : t.to(e.getValue().dtype()));
            }
        }
        return new LoadResult(fit.missing(), fit.unexpected());
    }

    /**
     * Loads a safetensors file from any framework through {@link #loadStateDict(Map, UnaryOperator, boolean)}: its names
     * mapped by {@code rename}, strictly or leniently; half-precision and small-integer tensors are converted to the
     * module's dtypes as {@link #load(Path)} converts them. The file is read and checked completely before anything is copied.
     *
     * @param file   the safetensors file
     * @param rename the key mapping (identity: {@code k -> k}; null drops a key)
     * @param strict refuse missing and unexpected names
     * @return the missing and unexpected names
     * @throws FileFormatException when the file is not valid safetensors
     * @throws ModelFileException when its tensors do not fit this model (shapes, or strict names), naming each
     * @throws IOException when the file cannot be read
     */
    public final LoadResult load(Path file, UnaryOperator<String> rename, boolean strict) throws IOException {
        Map<String, Tensor> state = Safetensors.load(file).tensors();
        try {
            return loadStateDict(state, rename, strict);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage().replaceFirst("^state does not match the model: ", ""));
        }
    }

    private String mismatch(Map<String, Tensor> state) {
        return fit(stateDict(), state, null, false).problem(true);
    }

    /** How a state fits this module's: names it lacks, names it has extra, and entries of the wrong shape or dtype. */
    private record Fit(List<String> missing, List<String> unexpected, List<String> wrong) {
        /** Every problem as one line ("missing […]; unexpected […]; mismatched […]"), names only when strict; null for none. */
        String problem(boolean strict) {
            List<String> parts = new ArrayList<>();
            if (strict && !missing.isEmpty()) parts.add("missing " + missing);
            if (strict && !unexpected.isEmpty()) parts.add("unexpected " + unexpected);
            if (!wrong.isEmpty()) parts.add("mismatched " + wrong);
            return parts.isEmpty() ? null : String.join("; ", parts);
        }
    }

    /**
     * Compares a state with this module's ({@code mine}): {@code from} (nullable) names each entry's key before renaming,
     * for messages; {@code floatsConvert} lets one float dtype stand for another (a lenient load converts).
     */
    private static Fit fit(Map<String, Tensor> mine, Map<String, Tensor> state, Map<String, String> from, boolean floatsConvert) {
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrong = new ArrayList<>();
        for (String k : mine.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (String k : state.keySet()) if (!mine.containsKey(k)) unexpected.add(k);
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor t = state.get(e.getKey()), m = e.getValue();
            if (t == null) continue;
            boolean dtypeOk = t.dtype() == m.dtype() || (floatsConvert && sameKind(t.dtype(), m.dtype()));
            if (!Arrays.equals(t.shape(), m.shape()) || !dtypeOk) {
                String source = from == null || from.get(e.getKey()).equals(e.getKey()) ? "" : " (from '" + from.get(e.getKey()) + "')";
                wrong.add(e.getKey() + source + " (" + (from == null ? "file " : "state ") + t.dtype() + " " + Shape.format(t.shape()) + ", model "
                        + m.dtype() + " " + Shape.format(m.shape()) + ")");
            }
        }
        return new Fit(missing, unexpected, wrong);
    }

    /** Both floating point, or both integers (bool is neither): the conversions a converting load makes. */
    private static boolean sameKind(DType a, DType b) {
        if (a.isFloatingPoint() || b.isFloatingPoint()) return a.isFloatingPoint() && b.isFloatingPoint();
        return a != DType.BOOL && b != DType.BOOL;
    }

    private void copyIn(Map<String, Tensor> state) {
        try (var _ = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : stateDict().entrySet()) e.getValue().copyFrom(state.get(e.getKey()));
        }
    }

    // ------------------------------------------------------------ description

    /**
     * A table of the layers with each one's output shape for an input of {@code inputShape} and its
     * parameter count, then the total. Nested {@link Sequential}s are expanded; other modules are one
     * row. Runs one forward pass on zeros in eval mode without recording a graph, then sets the whole tree
     * back to this module's mode.
     *
     * @param inputShape the shape of one input batch, e.g. {@code 1, 3, 32, 32}
     * @return the table, one line per layer
     * @throws IllegalArgumentException when the model rejects an input of that shape
     */
    public final String summary(int... inputShape) {
        return ModelSummary.of(this, inputShape);
    }

    /** The module's name and configuration, e.g. {@code Conv2d(3, 32, kernel=3, stride=1, padding=1)}. */
    @Override
    public String toString() {
        return getClass().getSimpleName();
    }

    static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
