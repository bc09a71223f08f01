package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives hyperparameters of every group of an optimizer along a {@link Schedule}: at position t each
 * scheduled key is {@code base · factor(t)}, base being the group's value when the scheduler was
 * built. The learning rate is scheduled by default; give more keys to move them together, as the
 * clipping paper divides both η and γ by 10 at each milestone:
 *
 * <pre>{@code
 * var scheduler = new LrScheduler(opt, Schedule.multiStep(List.of(80, 120), 0.1), "lr", "gamma");
 * for (int epoch = 0; epoch < 150; epoch++) {
 *     trainOneEpoch(opt);
 *     scheduler.step();
 * }
 * }</pre>
 *
 * The scheduler registers itself with the optimizer: its position and base values are part of the
 * optimizer's {@link Optimizer#stateDict()} ({@code scheduler.K.position}, {@code scheduler.K.base.G.key}),
 * so a resumed run continues the schedule exactly. Build schedulers in the same order before loading.
 */
public final class LrScheduler extends AttachedScheduler {
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final List<String> keys;
    private final double[][] base;
    private long position;

    /**
     * Schedules the learning rate of every group of {@code optimizer}, and sets it for position 0.
     *
     * @param optimizer the optimizer whose groups are driven; the scheduler registers with it
     * @param schedule the factor as a function of the position
     */
    public LrScheduler(Optimizer optimizer, Schedule schedule) {
        this(optimizer, schedule, "lr");
    }

    /**
     * Schedules the given real-valued hyperparameters of every group, and sets them for position 0.
     *
     * @param optimizer the optimizer whose groups are driven; the scheduler registers with it
     * @param schedule the factor as a function of the position
     * @param keys the real hyperparameters to scale, e.g. {@code "lr", "gamma"}
     * @throws IllegalArgumentException when a key is not a real hyperparameter of the optimizer
     */
    public LrScheduler(Optimizer optimizer, Schedule schedule, String... keys) {
        if (optimizer == null || schedule == null) throw new IllegalArgumentException("optimizer and schedule must be non-null");
        if (keys.length == 0) throw new IllegalArgumentException("a scheduler needs at least one key");
        for (String key : keys) {
            Hyperparameters.Entry e = optimizer.hyperparameters().entry(key);
            if (e == null || e.kind() != Hyperparameters.Kind.REAL) {
                throw new IllegalArgumentException("cannot schedule '" + key + "': not a real hyperparameter of " + optimizer.getClass().getSimpleName());
            }
        }
        if (Arrays.stream(keys).distinct().count() != keys.length) throw new IllegalArgumentException("keys repeated: " + Arrays.toString(keys));
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.keys = List.of(keys);
        int groups = optimizer.groups().size();
        this.base = new double[groups][keys.length];
        for (int g = 0; g < groups; g++) for (int k = 0; k < keys.length; k++) base[g][k] = optimizer.group(g).get(keys[k]);
        apply(0);
        optimizer.attach(this);
    }

    /**
     * Advances the position by one and sets the scheduled values.
     *
     * @throws IllegalArgumentException when a scheduled value is invalid for its key (for example
     *     γ = 0); nothing changes then
     */
    public void step() {
        apply(position + 1);
        position++;
    }

    /**
     * The position t.
     *
     * @return the number of {@link #step()} calls so far (restored by loading a state)
     */
    public long position() {
        return position;
    }

    /**
     * The current factor.
     *
     * @return the schedule's factor at the current position
     */
    public double factor() {
        return schedule.factor(position);
    }

    /**
     * The schedule.
     *
     * @return the schedule this scheduler follows
     */
    public Schedule schedule() {
        return schedule;
    }

    /**
     * The scheduled keys.
     *
     * @return the hyperparameters this scheduler scales, in the order given
     */
    public List<String> keys() {
        return keys;
    }

    /** Sets every scheduled value for position {@code t}, after checking them all. */
    private void apply(long t) {
        double f = schedule.factor(t);
        for (int g = 0; g < base.length; g++) {
            for (int k = 0; k < keys.size(); k++) {
                try {
                    optimizer.hyperparameters().checkValue(keys.get(k), base[g][k] * f);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(e.getMessage() + " (group " + g + " of " + optimizer.getClass().getSimpleName()
                            + ", scheduled at position " + t + ")", e);
                }
            }
        }
        for (int g = 0; g < base.length; g++) for (int k = 0; k < keys.size(); k++) optimizer.group(g).set(keys.get(k), base[g][k] * f);
    }

    @Override
    Map<String, Tensor> stateDict(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(prefix + "position", Tensor.of(new long[] {position}).reshape());
        for (int g = 0; g < base.length; g++) for (int k = 0; k < keys.size(); k++) out.put(prefix + "base." + g + "." + keys.get(k), Tensor.of(base[g][k]));
        return out;
    }

    @Override
    void checkState(Map<String, Tensor> state, String prefix) {
        long p = state.get(prefix + "position").toLongArray()[0];
        if (p < 0) throw new IllegalArgumentException("scheduler state '" + prefix + "position' must be >= 0, was " + p);
        List<String> bad = new ArrayList<>();
        for (int g = 0; g < base.length; g++) {
            for (int k = 0; k < keys.size(); k++) {
                String key = prefix + "base." + g + "." + keys.get(k);
                double v = state.get(key).item();
                if (!optimizer.hyperparameters().entry(keys.get(k)).range().contains(v)) bad.add(key + " = " + v);
            }
        }
        if (!bad.isEmpty()) throw new IllegalArgumentException("scheduler state out of range: " + bad);
    }

    @Override
    void loadState(Map<String, Tensor> state, String prefix) {
        position = state.get(prefix + "position").toLongArray()[0];
        for (int g = 0; g < base.length; g++) for (int k = 0; k < keys.size(); k++) base[g][k] = state.get(prefix + "base." + g + "." + keys.get(k)).item();
    }
}
