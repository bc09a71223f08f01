package dev.descent.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The hyperparameters one optimizer accepts, and the state they make it keep: for each key its kind,
 * its default (or that it is required) and its valid range; the per-parameter buffers (some only when
 * a group's hyperparameters ask for them) and the per-group statistics. Groups are checked against it
 * when an optimizer is built and on every later change, so a bad value is named where it is set:
 * {@code lr must be >= 0, was -0.1 (group 0 of SGD)}. An optimizer's class states this once; the
 * {@link Optimizer} base does the validation, the buffer bookkeeping and the state files from it.
 *
 * <pre>{@code
 * static final Hyperparameters SPEC = Hyperparameters.builder()
 *         .real("lr", 1e-3, Hyperparameters.Range.NON_NEGATIVE)
 *         .real("momentum", 0, Hyperparameters.Range.NON_NEGATIVE)
 *         .flag("nesterov", false)
 *         .buffer("momentum_buffer", g -> g.get("momentum") != 0)
 *         .build();
 * }</pre>
 */
public final class Hyperparameters {

    /** What kind of value a key holds. */
    public enum Kind {
        /** A real number (stored as a double). */
        REAL,
        /** A whole number (stored as a double with no fractional part). */
        INTEGER,
        /** A boolean switch. */
        FLAG,
        /** One constant of an enum. */
        CHOICE,
        /** Any object of a given type (for example a {@link ConvexSet}); not saved with the state. */
        OBJECT
    }

    /**
     * An interval of valid reals, with open or closed ends. Infinite ends are allowed values only
     * when the end is closed ({@code hi = +∞, hiOpen = false} admits +∞). NaN is never valid.
     *
     * @param lo lower end
     * @param loOpen whether {@code lo} itself is excluded
     * @param hi upper end
     * @param hiOpen whether {@code hi} itself is excluded
     */
    public record Range(double lo, boolean loOpen, double hi, boolean hiOpen) {
        /** (0, ∞): finite and strictly positive. */
        public static final Range POSITIVE = new Range(0, true, Double.POSITIVE_INFINITY, true);
        /** [0, ∞): finite and non-negative. */
        public static final Range NON_NEGATIVE = new Range(0, false, Double.POSITIVE_INFINITY, true);
        /** (0, ∞]: strictly positive, +∞ allowed. */
        public static final Range POSITIVE_OR_INFINITE = new Range(0, true, Double.POSITIVE_INFINITY, false);
        /** [0, 1]. */
        public static final Range UNIT = new Range(0, false, 1, false);
        /** [0, 1): a decay rate that forgets. */
        public static final Range UNIT_OPEN = new Range(0, false, 1, true);
        /** Any finite real. */
        public static final Range FINITE = new Range(Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true);

        /**
         * Whether a value is valid.
         *
         * @param v the value
         * @return true when {@code v} lies in the range (never for NaN)
         */
        public boolean contains(double v) {
            if (Double.isNaN(v)) return false;
            boolean aboveLo = loOpen ? v > lo : v >= lo;
            boolean belowHi = hiOpen ? v < hi : v <= hi;
            return aboveLo && belowHi;
        }

        /**
         * The range in words.
         *
         * @return a phrase that completes "x must be …": {@code > 0}, {@code in [0, 1)}
         */
        public String describe() {
            boolean noHi = hi == Double.POSITIVE_INFINITY, noLo = lo == Double.NEGATIVE_INFINITY;
            String infinity = noHi && !hiOpen ? " (∞ allowed)" : "";
            if (noHi && noLo) return "finite";
            if (noHi) return (loOpen ? "> " : ">= ") + format(lo) + infinity;
            if (noLo) return (hiOpen ? "< " : "<= ") + format(hi);
            return "in " + (loOpen ? "(" : "[") + format(lo) + ", " + format(hi) + (hiOpen ? ")" : "]");
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /**
     * One key: its kind, default ({@code null} when the key is required), range (reals and
     * integers) and type (choices and objects).
     *
     * @param name the key
     * @param kind what it holds
     * @param defaultValue the value a group gets when it does not set the key, or null if required
     * @param range valid values of a real or integer key, else null
     * @param type the enum or object class of a choice or object key, else null
     */
    public record Entry(String name, Kind kind, Object defaultValue, Range range, Class<?> type) {}

    /** A per-parameter buffer, kept by the groups that satisfy {@code when}, of shape {@code shape(parameter's shape)}. */
    private record Buffer(String name, Predicate<ParamGroup> when, UnaryOperator<int[]> shape) {}

    /**
     * A per-parameter float64 statistic and the value it starts from.
     *
     * @param name its key in the state: {@code group.G.param.I.NAME}
     * @param initial its value before the parameter's first step
     */
    public record ParamScalar(String name, double initial) {}

    private final Map<String, Entry> entries;
    private final List<Consumer<ParamGroup>> checks;
    private final List<Buffer> buffers;
    private final List<String> groupScalars;
    private final List<ParamScalar> paramScalars;

    private Hyperparameters(Map<String, Entry> entries, List<Consumer<ParamGroup>> checks, List<Buffer> buffers, List<String> groupScalars,
            List<ParamScalar> paramScalars) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.checks = List.copyOf(checks);
        this.buffers = List.copyOf(buffers);
        this.groupScalars = List.copyOf(groupScalars);
        this.paramScalars = List.copyOf(paramScalars);
    }

    /**
     * A builder for a new specification.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The keys.
     *
     * @return every key in declaration order, with its kind, default and range
     */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * One key's entry.
     *
     * @param key the hyperparameter
     * @return its entry, or null when the optimizer has no such hyperparameter
     */
    public Entry entry(String key) {
        return entries.get(key);
    }

    /**
     * The buffers a group keeps, given its current hyperparameters.
     *
     * @param group a group bound to this specification
     * @return buffer names in declaration order, for example {@code exp_avg}; each buffer has its
     *     parameter's shape and dtype and starts as zeros
     */
    public List<String> bufferNames(ParamGroup group) {
        List<String> names = new ArrayList<>();
        for (Buffer b : buffers) if (b.when().test(group)) names.add(b.name());
        return names;
    }

    /**
     * The shape of a buffer of a parameter.
     *
     * @param buffer the buffer's name
     * @param paramShape the parameter's shape
     * @return the buffer's shape (the parameter's, unless the buffer was declared with a shape rule)
     */
    int[] bufferShape(String buffer, int[] paramShape) {
        for (Buffer b : buffers) if (b.name().equals(buffer)) return b.shape().apply(paramShape.clone());
        throw new IllegalArgumentException("no buffer '" + buffer + "'");
    }

    /**
     * The per-group statistics an optimizer keeps in its state (float64, NaN until first set).
     *
     * @return their names in declaration order, for example {@code last_shrinkage}
     */
    public List<String> groupScalars() {
        return groupScalars;
    }

    /**
     * The per-parameter float64 statistics an optimizer keeps in its state.
     *
     * @return them in declaration order, for example NAdam's {@code mu_product} (starting at 1)
     */
    public List<ParamScalar> paramScalars() {
        return paramScalars;
    }

    /**
     * Checks one value against its entry and returns it normalised (numbers as {@code Double}).
     *
     * @throws IllegalArgumentException naming the key, the rule and the value
     */
    Object checkValue(String key, Object value) {
        Entry e = entries.get(key);
        if (e == null) throw new IllegalArgumentException("unknown hyperparameter '" + key + "'; known: " + String.join(", ", entries.keySet()));
        if (value == null) throw new IllegalArgumentException(key + " must not be null");
        return switch (e.kind()) {
            case REAL, INTEGER -> {
                if (!(value instanceof Number n)) throw new IllegalArgumentException(key + " must be a number, was " + describe(value));
                double v = n.doubleValue();
                if (!e.range().contains(v)) throw new IllegalArgumentException(key + " must be " + e.range().describe() + ", was " + v);
                if (e.kind() == Kind.INTEGER && v != Math.rint(v)) throw new IllegalArgumentException(key + " must be a whole number, was " + v);
                yield v;
            }
            case FLAG -> {
                if (!(value instanceof Boolean)) throw new IllegalArgumentException(key + " must be true or false, was " + describe(value));
                yield value;
            }
            case CHOICE, OBJECT -> {
                if (!e.type().isInstance(value)) {
                    throw new IllegalArgumentException(key + " must be a " + e.type().getSimpleName() + ", was " + describe(value));
                }
                yield value;
            }
        };
    }

    /** Runs the checks that relate several keys of one complete group. */
    void checkGroup(ParamGroup group) {
        for (Consumer<ParamGroup> c : checks) c.accept(group);
    }

    private static String describe(Object v) {
        return v.getClass().getSimpleName() + " " + v;
    }

    /** Collects entries; {@link #build()} freezes them. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final List<Consumer<ParamGroup>> checks = new ArrayList<>();
        private final List<Buffer> buffers = new ArrayList<>();
        private final List<String> groupScalars = new ArrayList<>();
        private final List<ParamScalar> paramScalars = new ArrayList<>();

        private Builder() {}

        private void checkStateName(String name) {
            boolean taken = groupScalars.contains(name) || buffers.stream().anyMatch(b -> b.name().equals(name))
                    || paramScalars.stream().anyMatch(p -> p.name().equals(name));
            if (taken) throw new IllegalArgumentException("state '" + name + "' declared twice");
            if (name.equals("step")) throw new IllegalArgumentException("'step' is the step count's key, not a state name");
        }

        private Builder add(Entry e) {
            if (entries.putIfAbsent(e.name(), e) != null) throw new IllegalArgumentException("hyperparameter '" + e.name() + "' declared twice");
            return this;
        }

        /**
         * A real-valued key with a default.
         *
         * @param name the key
         * @param defaultValue its default, inside {@code range}
         * @param range its valid values
         * @return this builder
         */
        public Builder real(String name, double defaultValue, Range range) {
            if (!range.contains(defaultValue)) throw new IllegalArgumentException("default of " + name + " outside " + range.describe());
            return add(new Entry(name, Kind.REAL, defaultValue, range, null));
        }

        /**
         * A real-valued key every group must set (no sensible default exists).
         *
         * @param name the key
         * @param range its valid values
         * @return this builder
         */
        public Builder requiredReal(String name, Range range) {
            return add(new Entry(name, Kind.REAL, null, range, null));
        }

        /**
         * A whole-number key with a default and a minimum.
         *
         * @param name the key
         * @param defaultValue its default
         * @param min its smallest valid value
         * @return this builder
         */
        public Builder integer(String name, long defaultValue, long min) {
            return add(new Entry(name, Kind.INTEGER, (double) defaultValue, new Range(min, false, Double.POSITIVE_INFINITY, true), null));
        }

        /**
         * A boolean switch with a default.
         *
         * @param name the key
         * @param defaultValue its default
         * @return this builder
         */
        public Builder flag(String name, boolean defaultValue) {
            return add(new Entry(name, Kind.FLAG, defaultValue, null, null));
        }

        /**
         * One of an enum's constants, with a default.
         *
         * @param <E> the enum
         * @param name the key
         * @param defaultValue its default, which also names the enum
         * @return this builder
         */
        public <E extends Enum<E>> Builder choice(String name, E defaultValue) {
            return add(new Entry(name, Kind.CHOICE, defaultValue, null, defaultValue.getDeclaringClass()));
        }

        /**
         * An object-valued key.
         *
         * @param <T> its type
         * @param name the key
         * @param type the class its values must be instances of
         * @param defaultValue its default, or null when every group must set it
         * @return this builder
         */
        public <T> Builder object(String name, Class<T> type, T defaultValue) {
            return add(new Entry(name, Kind.OBJECT, defaultValue, null, type));
        }

        /**
         * A rule over several keys of a complete group; it throws {@link IllegalArgumentException}
         * naming the values when they do not fit together.
         *
         * @param rule the check, run on every complete group and after every change
         * @return this builder
         */
        public Builder check(Consumer<ParamGroup> rule) {
            checks.add(rule);
            return this;
        }

        /**
         * A per-parameter buffer every group keeps (same shape and dtype as its parameter, zeros at first).
         *
         * @param name the buffer's name, its key in the state: {@code group.G.param.I.NAME}
         * @return this builder
         */
        public Builder buffer(String name) {
            return buffer(name, g -> true);
        }

        /**
         * A per-parameter buffer kept only by groups whose hyperparameters ask for it (a momentum buffer
         * when the momentum is not 0). The condition is asked again whenever the buffers are listed, so a
         * buffer appears, starting from zeros, when a later change turns it on.
         *
         * @param name the buffer's name, its key in the state: {@code group.G.param.I.NAME}
         * @param when whether a complete group keeps the buffer
         * @return this builder
         */
        public Builder buffer(String name, Predicate<ParamGroup> when) {
            return buffer(name, when, UnaryOperator.identity());
        }

        /**
         * A per-parameter buffer whose shape follows from its parameter's, for state smaller than the parameter
         * (Adafactor's row and column factors of a matrix); dtype the parameter's, zeros at first. A shape
         * with a 0 makes an empty buffer (a parameter that does not use it).
         *
         * @param name the buffer's name, its key in the state: {@code group.G.param.I.NAME}
         * @param when whether a complete group keeps the buffer
         * @param shape the buffer's shape, given the parameter's (which it must not change)
         * @return this builder
         */
        public Builder buffer(String name, Predicate<ParamGroup> when, UnaryOperator<int[]> shape) {
            checkStateName(name);
            buffers.add(new Buffer(name, when, shape));
            return this;
        }

        /**
         * A per-group float64 statistic the optimizer keeps in its state (NaN until it sets it), such as
         * Stein-rule Adam's last shrinkage factor.
         *
         * @param name the statistic's name, its key in the state: {@code group.G.NAME}
         * @return this builder
         */
        public Builder groupScalar(String name) {
            checkStateName(name);
            groupScalars.add(name);
            return this;
        }

        /**
         * A per-parameter float64 statistic the optimizer keeps in its state, such as NAdam's product of
         * momentum coefficients (a scalar per parameter, where a buffer would have the parameter's shape).
         *
         * @param name the statistic's name, its key in the state: {@code group.G.param.I.NAME}
         * @param initial its value before the parameter's first step
         * @return this builder
         */
        public Builder paramScalar(String name, double initial) {
            checkStateName(name);
            paramScalars.add(new ParamScalar(name, initial));
            return this;
        }

        /**
         * The finished specification.
         *
         * @return an immutable specification
         */
        public Hyperparameters build() {
            return new Hyperparameters(entries, checks, buffers, groupScalars, paramScalars);
        }
    }
}
