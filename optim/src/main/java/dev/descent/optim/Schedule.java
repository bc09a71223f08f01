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
 *
 * <p><b>Your own schedule.</b> {@code Schedule} is a functional interface, so a lambda is one (PyTorch's
 * LambdaLR): {@code new LrScheduler(opt, t -> StrictMath.pow(0.95, t))}. A schedule must be a pure function
 * of t: a resumed run restores only the position, so the same t must give the same factor. A schedule
 * driven by a metric rather than the position is {@link ReduceLrOnPlateau}.
 */
@FunctionalInterface
public interface Schedule {

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

    /**
     * Cosine annealing with warm restarts (Loshchilov &amp; Hutter, "SGDR", ICLR 2017; PyTorch's
     * CosineAnnealingWarmRestarts stepped once per position): {@code min + (1 − min)·(1 + cos(π·T_cur/T_i))/2},
     * where the first period has length {@code T_i = t0}, each restart multiplies it by {@code tMult}, and
     * {@code T_cur} counts positions since the last restart. PyTorch's absolute {@code eta_min} is
     * {@code minFactor} times the base learning rate here (the same for a single group).
     *
     * @param t0 the length of the first period (≥ 1)
     * @param tMult the growth of the period at each restart (≥ 1)
     * @param minFactor the factor at the end of each period (in [0, 1])
     * @return the schedule
     */
    static Schedule cosineWarmRestarts(int t0, int tMult, double minFactor) {
        return new CosineWarmRestarts(t0, tMult, minFactor);
    }

    /**
     * The one-cycle policy (Smith &amp; Topin, "Super-Convergence", 2019; PyTorch's OneCycleLR with
     * {@code three_phase = false}), as a factor of the peak: the base value is PyTorch's {@code max_lr}.
     * From {@code 1/divFactor} the factor rises to 1 at position {@code pctStart·totalSteps − 1}, then falls
     * to {@code 1/(divFactor·finalDivFactor)} at position {@code totalSteps − 1}, along a cosine or a line;
     * after that it stays there (PyTorch raises instead). Momentum cycling is not part of it.
     *
     * @param totalSteps positions in the cycle (≥ 2)
     * @param pctStart the fraction of the cycle spent rising (in (0, 1), PyTorch's default 0.3)
     * @param cosine true: cosine annealing (PyTorch's default {@code anneal_strategy='cos'}); false: linear
     * @param divFactor initial factor = 1/divFactor (&gt; 0, PyTorch's default 25)
     * @param finalDivFactor final factor = 1/(divFactor·finalDivFactor) (&gt; 0, PyTorch's default 1e4)
     * @return the schedule
     */
    static Schedule oneCycle(int totalSteps, double pctStart, boolean cosine, double divFactor, double finalDivFactor) {
        return new OneCycle(totalSteps, pctStart, cosine, divFactor, finalDivFactor);
    }

    /**
     * One schedule after another (PyTorch's SequentialLR): schedule i runs from position
     * {@code milestones[i−1]} (0 for the first) and restarts its own count there.
     *
     * @param schedules the schedules, at least one
     * @param milestones strictly increasing positions (≥ 1), one fewer than the schedules
     * @return the schedule
     */
    static Schedule sequential(List<Schedule> schedules, List<Integer> milestones) {
        return new Sequential(schedules, milestones);
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

    /**
     * Cosine annealing with warm restarts.
     *
     * @param t0 the length of the first period (≥ 1)
     * @param tMult the growth of the period at each restart (≥ 1)
     * @param minFactor the factor at the end of each period (in [0, 1])
     */
    record CosineWarmRestarts(int t0, int tMult, double minFactor) implements Schedule {
        /** Validates the arguments. */
        public CosineWarmRestarts {
            if (t0 < 1) throw new IllegalArgumentException("t0 must be >= 1, was " + t0);
            if (tMult < 1) throw new IllegalArgumentException("tMult must be >= 1, was " + tMult);
            if (!(minFactor >= 0 && minFactor <= 1)) throw new IllegalArgumentException("minFactor must be in [0, 1], was " + minFactor);
        }

        @Override
        public double factor(long t) {
            long cur, period = t0;
            if (tMult == 1) {
                cur = Math.floorMod(t, (long) t0);
            } else {
                cur = t; // periods grow geometrically: at most ~63 iterations
                while (cur >= period) {
                    cur -= period;
                    period = Math.multiplyHigh(period, tMult) != 0 ? Long.MAX_VALUE : period * tMult;
                }
            }
            return minFactor + (1 - minFactor) * (1 + StrictMath.cos(Math.PI * cur / period)) / 2;
        }
    }

    /**
     * The one-cycle policy, as a factor of the peak value.
     *
     * @param totalSteps positions in the cycle (≥ 2)
     * @param pctStart the fraction of the cycle spent rising (in (0, 1))
     * @param cosine cosine annealing (true) or linear (false)
     * @param divFactor initial factor = 1/divFactor (&gt; 0)
     * @param finalDivFactor final factor = 1/(divFactor·finalDivFactor) (&gt; 0)
     */
    record OneCycle(int totalSteps, double pctStart, boolean cosine, double divFactor, double finalDivFactor) implements Schedule {
        /** Validates the arguments. */
        public OneCycle {
            if (totalSteps < 2) throw new IllegalArgumentException("totalSteps must be >= 2, was " + totalSteps);
            if (!(pctStart > 0 && pctStart < 1)) throw new IllegalArgumentException("pctStart must be in (0, 1), was " + pctStart);
            if (!(divFactor > 0) || Double.isInfinite(divFactor)) throw new IllegalArgumentException("divFactor must be > 0 and finite, was " + divFactor);
            if (!(finalDivFactor > 0) || Double.isInfinite(finalDivFactor)) {
                throw new IllegalArgumentException("finalDivFactor must be > 0 and finite, was " + finalDivFactor);
            }
            double peak = pctStart * totalSteps - 1;
            if (!(peak > 0 && peak < totalSteps - 1)) {
                throw new IllegalArgumentException("the peak pctStart·totalSteps − 1 = " + peak + " must lie strictly between 0 and totalSteps − 1 = "
                        + (totalSteps - 1) + " (pctStart " + pctStart + ", totalSteps " + totalSteps + ")");
            }
        }

        @Override
        public double factor(long t) {
            double initial = 1 / divFactor, end = initial / finalDivFactor;
            double peak = pctStart * totalSteps - 1, last = totalSteps - 1;
            double step = Math.min(t, totalSteps - 1);
            return step <= peak ? anneal(initial, 1, step / peak) : anneal(1, end, (step - peak) / (last - peak));
        }

        private double anneal(double from, double to, double pct) {
            return cosine ? to + (from - to) / 2 * (StrictMath.cos(Math.PI * pct) + 1) : (to - from) * pct + from;
        }
    }

    /**
     * Schedules one after another.
     *
     * @param schedules the schedules, at least one
     * @param milestones strictly increasing positions (≥ 1), one fewer than the schedules
     */
    record Sequential(List<Schedule> schedules, List<Integer> milestones) implements Schedule {
        /** Validates and copies the arguments. */
        public Sequential {
            schedules = List.copyOf(schedules);
            milestones = List.copyOf(milestones);
            if (schedules.isEmpty()) throw new IllegalArgumentException("a sequential schedule needs at least one schedule");
            if (milestones.size() != schedules.size() - 1) {
                throw new IllegalArgumentException("a sequential schedule of " + schedules.size() + " schedules needs " + (schedules.size() - 1)
                        + " milestones, got " + milestones);
            }
            for (int i = 0; i < milestones.size(); i++) {
                if (milestones.get(i) < 1 || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
                    throw new IllegalArgumentException("milestones must be strictly increasing and >= 1, were " + milestones);
                }
            }
        }

        @Override
        public double factor(long t) {
            int i = 0;
            while (i < milestones.size() && milestones.get(i) <= t) i++;
            return schedules.get(i).factor(i == 0 ? t : t - milestones.get(i - 1));
        }
    }
}
