package dev.descent.optim;

import java.util.List;

/**
 * A learning-rate schedule: a multiplicative factor of the base value as a function of the position t
 * (t = 0, 1, 2, … counts {@link LrScheduler#step()} calls, usually epochs or iterations). Schedules are
 * pure values; {@link #times(Schedule)} composes them, e.g. linear warm-up followed by cosine decay:
 *
 * <pre>{@code
 * Schedule s = Schedule.linearWarmup(5, 0.1).times(Schedule.cosine(100, 0));
 * var scheduler = new LrScheduler(opt, s);
 * }</pre>
 *
 * Factors use {@link StrictMath}, so every platform computes the same bits.
 */
public sealed interface Schedule {

    /**
     * The factor at a position.
     *
     * @param t the position (≥ 0)
     * @return the multiplier of the base value
     */
    double factor(long t);

    /**
     * The product of two schedules (PyTorch's chained schedulers).
     *
     * @param other the second factor
     * @return a schedule whose factor is this one's times {@code other}'s
     */
    default Schedule times(Schedule other) {
        return new Product(this, other);
    }

    /**
     * Factor 1 always.
     *
     * @return the constant schedule
     */
    static Schedule constant() {
        return new Constant();
    }

    /**
     * {@code decay^⌊t/stepSize⌋}: multiply by {@code decay} every {@code stepSize} steps (PyTorch's StepLR).
     *
     * @param stepSize steps between decays (≥ 1)
     * @param decay the factor applied at each decay (≥ 0)
     * @return the schedule
     */
    static Schedule step(int stepSize, double decay) {
        return new Step(stepSize, decay);
    }

    /**
     * {@code decay^k}, k the number of milestones ≤ t (PyTorch's MultiStepLR). The clipping paper's
     * ÷10 at epochs 80 and 120 is {@code multiStep(List.of(80, 120), 0.1)}; to scale γ too, give the
     * {@link LrScheduler} the keys {@code "lr", "gamma"}.
     *
     * @param milestones strictly increasing positions (≥ 1)
     * @param decay the factor applied at each milestone (≥ 0)
     * @return the schedule
     */
    static Schedule multiStep(List<Integer> milestones, double decay) {
        return new MultiStep(milestones, decay);
    }

    /**
     * Cosine annealing from 1 to {@code minFactor} over {@code period} steps, then constant
     * (PyTorch's CosineAnnealingLR without restarts): {@code min + (1 − min)·(1 + cos(π·t/period))/2}.
     *
     * @param period steps from 1 down to {@code minFactor} (≥ 1)
     * @param minFactor the final factor (in [0, 1])
     * @return the schedule
     */
    static Schedule cosine(int period, double minFactor) {
        return new Cosine(period, minFactor);
    }

    /**
     * Linear warm-up from {@code startFactor} to 1 over {@code steps} steps, then 1 (PyTorch's LinearLR):
     * {@code start + (1 − start)·min(t, steps)/steps}. Compose it with {@link #times(Schedule)}.
     *
     * @param steps length of the warm-up (≥ 1)
     * @param startFactor the factor at t = 0 (in [0, 1])
     * @return the schedule
     */
    static Schedule linearWarmup(int steps, double startFactor) {
        return new LinearWarmup(steps, startFactor);
    }

    /** Factor 1. */
    record Constant() implements Schedule {
        @Override
        public double factor(long t) {
            return 1;
        }
    }

    /**
     * {@code decay^⌊t/stepSize⌋}.
     *
     * @param stepSize steps between decays (≥ 1)
     * @param decay the factor applied at each decay (in (0, 1] for a decay, any value ≥ 0 allowed)
     */
    record Step(int stepSize, double decay) implements Schedule {
        /** Validates the arguments. */
        public Step {
            if (stepSize < 1) throw new IllegalArgumentException("stepSize must be >= 1, was " + stepSize);
            if (!(decay >= 0) || Double.isInfinite(decay)) throw new IllegalArgumentException("decay must be >= 0 and finite, was " + decay);
        }

        @Override
        public double factor(long t) {
            return StrictMath.pow(decay, Math.floorDiv(t, stepSize));
        }
    }

    /**
     * {@code decay^k}, k = number of milestones ≤ t.
     *
     * @param milestones strictly increasing positions (≥ 1)
     * @param decay the factor applied at each milestone
     */
    record MultiStep(List<Integer> milestones, double decay) implements Schedule {
        /** Validates and copies the arguments. */
        public MultiStep {
            milestones = List.copyOf(milestones);
            for (int i = 0; i < milestones.size(); i++) {
                if (milestones.get(i) < 1 || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
                    throw new IllegalArgumentException("milestones must be strictly increasing and >= 1, were " + milestones);
                }
            }
            if (!(decay >= 0) || Double.isInfinite(decay)) throw new IllegalArgumentException("decay must be >= 0 and finite, was " + decay);
        }

        @Override
        public double factor(long t) {
            int k = 0;
            for (int m : milestones) if (m <= t) k++;
            return StrictMath.pow(decay, k);
        }
    }

    /**
     * Cosine annealing to {@code minFactor} over {@code period} steps.
     *
     * @param period steps from 1 to minFactor (≥ 1)
     * @param minFactor the final factor (in [0, 1])
     */
    record Cosine(int period, double minFactor) implements Schedule {
        /** Validates the arguments. */
        public Cosine {
            if (period < 1) throw new IllegalArgumentException("period must be >= 1, was " + period);
            if (!(minFactor >= 0 && minFactor <= 1)) throw new IllegalArgumentException("minFactor must be in [0, 1], was " + minFactor);
        }

        @Override
        public double factor(long t) {
            if (t >= period) return minFactor;
            return minFactor + (1 - minFactor) * (1 + StrictMath.cos(Math.PI * t / period)) / 2;
        }
    }

    /**
     * Linear warm-up to 1.
     *
     * @param steps length of the warm-up (≥ 1)
     * @param startFactor the factor at t = 0 (in [0, 1])
     */
    record LinearWarmup(int steps, double startFactor) implements Schedule {
        /** Validates the arguments. */
        public LinearWarmup {
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            if (!(startFactor >= 0 && startFactor <= 1)) throw new IllegalArgumentException("startFactor must be in [0, 1], was " + startFactor);
        }

        @Override
        public double factor(long t) {
            if (t >= steps) return 1;
            return startFactor + (1 - startFactor) * t / steps;
        }
    }

    /**
     * The product of two schedules.
     *
     * @param first one factor
     * @param second the other
     */
    record Product(Schedule first, Schedule second) implements Schedule {
        /** Validates the arguments. */
        public Product {
            if (first == null || second == null) throw new IllegalArgumentException("both schedules of a product must be non-null");
        }

        @Override
        public double factor(long t) {
            return first.factor(t) * second.factor(t);
        }
    }
}
