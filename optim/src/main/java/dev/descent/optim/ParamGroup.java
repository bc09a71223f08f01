package dev.descent.optim;

import dev.descent.core.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters that share hyperparameters: the unit an optimizer updates, and for the norm-based
 * algorithms (Stein-rule Adam, clipping, projection) the vector whose norm they take.
 *
 * <pre>{@code
 * var conv = ParamGroup.of(convParams).with("lr", 1e-3).with("shrink", true);
 * var rest = ParamGroup.of(otherParams).with("shrink", false);
 * var opt = new SteinRuleAdam(List.of(conv, rest));
 * opt.group(0).setLr(5e-4);               // schedules do this
 * }</pre>
 *
 * <p>A group built with {@link #of} is a description: {@link #with} records values without knowing
 * which optimizer will read them. An optimizer copies each group it is given, rejects unknown keys,
 * fills in its defaults and validates every value; its copies ({@link Optimizer#group(int)}) check
 * each later change and say which group and which optimizer a bad value was meant for.
 */
public final class ParamGroup {
    private final List<Parameter> params;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private Hyperparameters spec;
    private String owner;

    private ParamGroup(List<Parameter> params) {
        this.params = List.copyOf(params);
    }

    /**
     * A group of parameters with no hyperparameters set yet.
     *
     * @param params the parameters, taken in iteration order
     * @return a new group description
     */
    public static ParamGroup of(Iterable<? extends Parameter> params) {
        List<Parameter> list = new ArrayList<>();
        for (Parameter p : params) {
            if (p == null) throw new IllegalArgumentException("null parameter at index " + list.size() + " of a group");
            list.add(p);
        }
        return new ParamGroup(list);
    }

    /**
     * A group of the given parameters.
     *
     * @param params the parameters, in order
     * @return a new group description
     */
    public static ParamGroup of(Parameter... params) {
        return of(List.of(params));
    }

    /**
     * Sets a real or whole-number hyperparameter.
     *
     * @param key the hyperparameter, e.g. {@code "lr"}
     * @param value its value
     * @return this group
     */
    public ParamGroup with(String key, double value) {
        return put(key, value);
    }

    /**
     * Sets a switch.
     *
     * @param key the hyperparameter, e.g. {@code "nesterov"}
     * @param value its value
     * @return this group
     */
    public ParamGroup with(String key, boolean value) {
        return put(key, value);
    }

    /**
     * Sets a choice (an enum constant) or an object-valued hyperparameter.
     *
     * @param key the hyperparameter, e.g. {@code "variant"}
     * @param value its value (a number is stored as a double)
     * @return this group
     */
    public ParamGroup with(String key, Object value) {
        return put(key, value instanceof Number n ? n.doubleValue() : value);
    }

    /**
     * The parameters.
     *
     * @return the parameters, in the order given (unmodifiable)
     */
    public List<Parameter> parameters() {
        return params;
    }

    /**
     * The learning rate.
     *
     * @return the current value of {@code lr}
     */
    public double lr() {
        return get("lr");
    }

    /**
     * Changes the learning rate (validated when the group belongs to an optimizer).
     *
     * @param lr the new learning rate
     */
    public void setLr(double lr) {
        put("lr", lr);
    }

    /**
     * Changes a real or whole-number hyperparameter (validated when the group belongs to an optimizer).
     *
     * @param key the hyperparameter
     * @param value its new value
     */
    public void set(String key, double value) {
        put(key, value);
    }

    /**
     * Whether a key has a value.
     *
     * @param key the hyperparameter
     * @return true when it is set (always, for every key of its optimizer, once the group is bound)
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * The keys that have values.
     *
     * @return the keys, in the order they were set (unbound) or declared (bound)
     */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /**
     * A real or whole-number hyperparameter.
     *
     * @param key the hyperparameter
     * @return its value
     */
    public double get(String key) {
        if (!(value(key) instanceof Double d)) throw new IllegalArgumentException(key + " is not a number in " + where() + ", it is " + value(key));
        return d;
    }

    /**
     * A switch.
     *
     * @param key the hyperparameter
     * @return its value
     */
    public boolean flag(String key) {
        if (!(value(key) instanceof Boolean b)) throw new IllegalArgumentException(key + " is not a switch in " + where() + ", it is " + value(key));
        return b;
    }

    /**
     * A choice or object hyperparameter.
     *
     * @param <T> its type
     * @param key the hyperparameter
     * @param type the class it must be an instance of
     * @return its value
     */
    public <T> T option(String key, Class<T> type) {
        Object v = value(key);
        if (!type.isInstance(v)) throw new IllegalArgumentException(key + " is not a " + type.getSimpleName() + " in " + where() + ", it is " + v);
        return type.cast(v);
    }

    /**
     * The raw value of a key.
     *
     * @param key the hyperparameter
     * @return a Double, a Boolean, an enum constant or an object
     */
    public Object value(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(spec == null ? key + " is not set in this group (set it with with(\"" + key + "\", …))"
                    : "unknown hyperparameter '" + key + "'; known: " + String.join(", ", spec.entries().keySet()) + " (" + where() + ")");
        }
        return v;
    }

    /**
     * The hyperparameters.
     *
     * @return a read-only view of every key and value
     */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    private ParamGroup put(String key, Object value) {
        if (key == null) throw new IllegalArgumentException("a hyperparameter key must not be null");
        if (value == null) throw new IllegalArgumentException(key + " must not be null");
        if (spec == null) {
            values.put(key, value);
            return this;
        }
        Object checked;
        try {
            checked = spec.checkValue(key, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + where() + ")", e);
        }
        Object previous = values.put(key, checked);
        try {
            spec.checkGroup(this);
        } catch (IllegalArgumentException e) {
            values.put(key, previous);
            throw new IllegalArgumentException(e.getMessage() + " (" + where() + ")", e);
        }
        return this;
    }

    /**
     * A copy owned by an optimizer: unknown keys rejected, defaults filled in ({@code defaults}
     * override the specification's), every value and the cross-key rules validated.
     */
    ParamGroup bind(Hyperparameters spec, Map<String, Object> defaults, String owner) {
        ParamGroup bound = new ParamGroup(params);
        bound.owner = owner;
        for (String key : values.keySet()) {
            if (spec.entry(key) == null) {
                throw new IllegalArgumentException("unknown hyperparameter '" + key + "'; known: " + String.join(", ", spec.entries().keySet())
                        + " (" + owner + ")");
            }
        }
        for (Hyperparameters.Entry e : spec.entries().values()) {
            Object v = values.containsKey(e.name()) ? values.get(e.name())
                    : defaults.containsKey(e.name()) ? defaults.get(e.name()) : e.defaultValue();
            if (v == null) throw new IllegalArgumentException(e.name() + " is required (" + owner + ")");
            try {
                bound.values.put(e.name(), spec.checkValue(e.name(), v));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(ex.getMessage() + " (" + owner + ")", ex);
            }
        }
        bound.spec = spec;
        try {
            spec.checkGroup(bound);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(ex.getMessage() + " (" + owner + ")", ex);
        }
        return bound;
    }

    /** Replaces every value at once with values already validated as a complete group (state loading). */
    void restore(Map<String, Object> checked) {
        values.putAll(checked);
    }

    /** The specification this group is checked against, or null for an unbound description. */
    Hyperparameters spec() {
        return spec;
    }

    private String where() {
        return owner != null ? owner : "an unbound group";
    }

    /** The hyperparameters and the number of parameters. */
    @Override
    public String toString() {
        int n = 0;
        for (Parameter p : params) n += p.numel();
        return "ParamGroup" + values + " of " + params.size() + " tensors, " + n + " elements";
    }
}
