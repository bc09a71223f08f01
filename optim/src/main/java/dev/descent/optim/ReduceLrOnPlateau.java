package dev.descent.optim;

import dev.descent.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lowers the learning rate of every group when a metric the caller passes stops improving (PyTorch's
 * ReduceLROnPlateau, with its defaults and rules):
 *
 * <pre>
 * step(metric):
 *     if better(metric, best): best ← metric, bad ← 0  else bad ← bad + 1
 *     if cooldown_counter &gt; 0: cooldown_counter ← cooldown_counter − 1, bad ← 0
 *     if bad &gt; patience:
 *         for each group: new ← max(lr·factor, min_lr); if lr − new &gt; eps: lr ← new
 *         cooldown_counter ← cooldown, bad ← 0
 * better(a, best):  MIN, REL: a &lt; best·(1 − threshold)   MIN, ABS: a &lt; best − threshold
 *                   MAX, REL: a &gt; best·(1 + threshold)   MAX, ABS: a &gt; best + threshold
 * </pre>
 *
 * {@code best} starts at +∞ (MIN) or −∞ (MAX); a NaN metric is never better. Defaults: MIN, factor 0.1,
 * patience 10, threshold 1e-4 REL, cooldown 0, min_lr 0, eps 1e-8.
 *
 * <pre>{@code
 * var plateau = new ReduceLrOnPlateau(opt, ReduceLrOnPlateau.Settings.defaults().withPatience(3));
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     trainOneEpoch(opt);
 *     plateau.step(validationLoss());
 * }
 * }</pre>
 *
 * Like {@link LrScheduler} it registers with the optimizer: its counters and best value are saved in
 * the optimizer's state ({@code scheduler.K.best}, {@code .num_bad_epochs}, {@code .cooldown_counter},
 * {@code .last_epoch}); the learning rates themselves are the groups' saved {@code lr}. A resumed run
 * continues bit for bit.
 */
public final class ReduceLrOnPlateau extends AttachedScheduler {

    /** Whether a lower or a higher metric is better. */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    /** How the threshold compares a metric with the best so far. */
    public enum ThresholdMode {
        /** Relative: an improvement beyond {@code best·threshold}. */
        REL,
        /** Absolute: an improvement beyond {@code threshold}. */
        ABS
    }

    /**
     * The settings, with PyTorch's names.
     *
     * @param mode whether lower or higher is better
     * @param factor the multiplier of the learning rate at each reduction (in [0, 1))
     * @param patience bad steps allowed before a reduction (≥ 0)
     * @param threshold the least improvement that counts (≥ 0)
     * @param thresholdMode relative or absolute threshold
     * @param cooldown steps after a reduction during which bad steps are not counted (≥ 0)
     * @param minLr the floor of every group's learning rate (≥ 0)
     * @param eps a reduction smaller than this is skipped (≥ 0)
     */
    public record Settings(Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode, int cooldown, double minLr,
            double eps) {
        /** Validates the settings; the message names the value. */
        public Settings {
            if (mode == null || thresholdMode == null) throw new IllegalArgumentException("mode and thresholdMode must be non-null");
            if (!(factor >= 0 && factor < 1)) throw new IllegalArgumentException("factor must be in [0, 1), was " + factor);
            if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, was " + patience);
            if (!(threshold >= 0) || Double.isInfinite(threshold)) throw new IllegalArgumentException("threshold must be >= 0 and finite, was " + threshold);
            if (cooldown < 0) throw new IllegalArgumentException("cooldown must be >= 0, was " + cooldown);
            if (!(minLr >= 0) || Double.isInfinite(minLr)) throw new IllegalArgumentException("minLr must be >= 0 and finite, was " + minLr);
            if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("eps must be >= 0 and finite, was " + eps);
        }

        /**
         * PyTorch's defaults.
         *
         * @return MIN, factor 0.1, patience 10, threshold 1e-4 REL, cooldown 0, min_lr 0, eps 1e-8
         */
        public static Settings defaults() {
            return new Settings(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
        }

        /**
         * With another mode.
         *
         * @param m whether lower or higher is better
         * @return the changed settings
         */
        public Settings withMode(Mode m) {
            return new Settings(m, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        /**
         * With another factor.
         *
         * @param f the multiplier at each reduction
         * @return the changed settings
         */
        public Settings withFactor(double f) {
            return new Settings(mode, f, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        /**
         * With another patience.
         *
         * @param p bad steps allowed before a reduction
         * @return the changed settings
         */
        public Settings withPatience(int p) {
            return new Settings(mode, factor, p, threshold, thresholdMode, cooldown, minLr, eps);
        }

        /**
         * With another threshold.
         *
         * @param t the least improvement that counts
         * @param tm relative or absolute
         * @return the changed settings
         */
        public Settings withThreshold(double t, ThresholdMode tm) {
            return new Settings(mode, factor, patience, t, tm, cooldown, minLr, eps);
        }

        /**
         * With another cooldown.
         *
         * @param c steps after a reduction during which bad steps are not counted
         * @return the changed settings
         */
        public Settings withCooldown(int c) {
            return new Settings(mode, factor, patience, threshold, thresholdMode, c, minLr, eps);
        }

        /**
         * With another floor.
         *
         * @param m the least learning rate
         * @return the changed settings
         */
        public Settings withMinLr(double m) {
            return new Settings(mode, factor, patience, threshold, thresholdMode, cooldown, m, eps);
        }
    }

    private final Optimizer optimizer;
    private final Settings settings;
    private double best;
    private long numBadEpochs, cooldownCounter, lastEpoch;

    /**
     * Watches a metric for {@code optimizer}'s learning rates, and registers with it.
     *
     * @param optimizer the optimizer whose groups' {@code lr} is lowered
     * @param settings the rule's settings
     */
    public ReduceLrOnPlateau(Optimizer optimizer, Settings settings) {
        if (optimizer == null || settings == null) throw new IllegalArgumentException("optimizer and settings must be non-null");
        this.optimizer = optimizer;
        this.settings = settings;
        this.best = settings.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        optimizer.attach(this);
    }

    /**
     * Records one value of the metric (usually once per epoch, the validation loss) and lowers the
     * learning rates when it has not improved for more than {@code patience} steps.
     *
     * @param metric the metric's latest value
     */
    public void step(double metric) {
        lastEpoch++;
        if (better(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > settings.patience()) {
            for (ParamGroup g : optimizer.groups()) {
                double old = g.lr(), lowered = Math.max(old * settings.factor(), settings.minLr());
                if (old - lowered > settings.eps()) g.set("lr", lowered);
            }
            cooldownCounter = settings.cooldown();
            numBadEpochs = 0;
        }
    }

    private boolean better(double a) {
        double t = settings.threshold();
        return switch (settings.mode()) {
            case MIN -> a < (settings.thresholdMode() == ThresholdMode.REL ? best * (1 - t) : best - t);
            case MAX -> a > (settings.thresholdMode() == ThresholdMode.REL ? best * (t + 1) : best + t);
        };
    }

    /** {@return the settings} */
    public Settings settings() {
        return settings;
    }

    /** {@return the best metric so far (±∞ before the first step)} */
    public double best() {
        return best;
    }

    /** {@return the number of consecutive steps without improvement that count towards the patience} */
    public long numBadEpochs() {
        return numBadEpochs;
    }

    /** {@return the number of {@link #step(double)} calls so far} */
    public long lastEpoch() {
        return lastEpoch;
    }

    @Override
    Map<String, Tensor> stateDict(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(prefix + "best", Tensor.of(best));
        out.put(prefix + "num_bad_epochs", Tensor.of(new long[] {numBadEpochs}).reshape());
        out.put(prefix + "cooldown_counter", Tensor.of(new long[] {cooldownCounter}).reshape());
        out.put(prefix + "last_epoch", Tensor.of(new long[] {lastEpoch}).reshape());
        return out;
    }

    @Override
    void checkState(Map<String, Tensor> state, String prefix) {
        for (String k : new String[] {"num_bad_epochs", "cooldown_counter", "last_epoch"}) {
            long v = state.get(prefix + k).toLongArray()[0];
            if (v < 0) throw new IllegalArgumentException("scheduler state '" + prefix + k + "' must be >= 0, was " + v);
        }
    }

    @Override
    void loadState(Map<String, Tensor> state, String prefix) {
        best = state.get(prefix + "best").item();
        numBadEpochs = state.get(prefix + "num_bad_epochs").toLongArray()[0];
        cooldownCounter = state.get(prefix + "cooldown_counter").toLongArray()[0];
        lastEpoch = state.get(prefix + "last_epoch").toLongArray()[0];
    }
}
