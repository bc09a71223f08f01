// The settings of the unlearning reproduction (docs/papers.md §2), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.unlearning;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The unlearning experiment's settings. The paper's parametrisation is not public; every piece of the
 * one used here is a setting, and the report states it.
 *
 * @param dimension    d
 * @param width        N
 * @param batch        fresh examples per step
 * @param steps        SGD steps
 * @param activation   the student's σ
 * @param meanField    output scale 1/N (true) or 1/√N
 * @param lrW          first-layer rate
 * @param lrA          second-layer rate
 * @param lrTimesWidth whether the optimizer's η is rate·N (the probe's "0.5·N") or the rate itself
 * @param wInitScale   first-layer rows start as N(0, scale²/d · I), of norm about scale
 * @param randomSignA  a_i = ±a0 with random signs instead of a_i = a0
 * @param c1           the teacher's first Hermite coefficient
 * @param c2Sweep      the c2 values of claim (i); kept sorted
 * @param a0Sweep      the a0 values of claim (ii); kept sorted
 * @param c2Base       c2 during the a0 sweep
 * @param a0Base       a0 during the c2 sweep
 * @param labelNoise   std of Gaussian noise on y
 * @param points       log-spaced steps recorded in the CSV and plots (every step counts for the peak)
 * @param seeds        seeds: the teacher's direction, the initial weights and the data stream (shared by every run of a seed)
 * @param quick        toy sizes; the report claims nothing
 */
public record UnlearningConfig(int dimension, int width, int batch, int steps, Activation activation, boolean meanField, double lrW, double lrA,
                               boolean lrTimesWidth, double wInitScale, boolean randomSignA, double c1, List<Double> c2Sweep, List<Double> a0Sweep,
                               double c2Base, double a0Base, double labelNoise, int points, List<Long> seeds, boolean quick) implements Experiment.Config {

    /** The student's activation. */
    public enum Activation {
        /** tanh. */
        TANH,
        /** max(0, h). */
        RELU,
        /** the error function. */
        ERF;

        Tensor apply(Tensor h) {
            return switch (this) {
                case TANH -> h.tanh();
                case RELU -> h.relu();
                case ERF -> h.erf();
            };
        }
    }

    /** Validates every setting, naming the bad value. */
    public UnlearningConfig {
        if (dimension < 1) throw new IllegalArgumentException("--dimension must be >= 1, was " + dimension);
        if (width < 1) throw new IllegalArgumentException("--width must be >= 1, was " + width);
        if (batch < 1) throw new IllegalArgumentException("--batch-size must be >= 1, was " + batch);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, was " + steps);
        if (!(lrW >= 0) || !(lrA >= 0)) throw new IllegalArgumentException("--lr-w and --lr-a must be >= 0, were " + lrW + ", " + lrA);
        if (!(wInitScale > 0)) throw new IllegalArgumentException("--w-init-scale must be > 0, was " + wInitScale);
        if (!(labelNoise >= 0)) throw new IllegalArgumentException("--label-noise must be >= 0, was " + labelNoise);
        if (points < 2) throw new IllegalArgumentException("--points must be >= 2, was " + points);
        Experiment.Config.requireNonEmpty("--c2", c2Sweep);
        Experiment.Config.requireNonEmpty("--a0", a0Sweep);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        for (double a : a0Sweep) if (!(a > 0)) throw new IllegalArgumentException("--a0 values must be > 0, was " + a);
        if (!(a0Base > 0)) throw new IllegalArgumentException("--a0-base must be > 0, was " + a0Base);
        c2Sweep = List.copyOf(new TreeSet<>(c2Sweep));
        a0Sweep = List.copyOf(new TreeSet<>(a0Sweep));
        seeds = List.copyOf(seeds);
    }

    /**
     * The full settings, those of the first probe in docs/papers.md §2: tanh, d = 32, N = 256, batch 2048, η_w = 0.5·N, η_a = 0.005·N, 4,000
     * steps, mean-field output, rows of norm about 1, a_i = a0; c2 ∈ {0, 0.5, 1, 2} at a0 = 0.1, a0 ∈ {0.01, 0.1, 1} at c2 = 1;
     * seeds 1 to 5.
     *
     * @return the full configuration
     */
    public static UnlearningConfig full() {
        return new UnlearningConfig(32, 256, 2048, 4000, Activation.TANH, true, 0.5, 0.005, true, 1, false, 1, List.of(0.0, 0.5, 1.0, 2.0),
                List.of(0.01, 0.1, 1.0), 1, 0.1, 0, 120, List.of(1L, 2L, 3L, 4L, 5L), false);
    }

    /**
     * Toy sizes: d = 8, N = 32, batch 128, 150 steps, c2 ∈ {0, 1}, a0 ∈ {0.1, 1}, one seed.
     *
     * @return the quick configuration
     */
    public static UnlearningConfig toy() {
        return new UnlearningConfig(8, 32, 128, 150, Activation.TANH, true, 0.5, 0.005, true, 1, false, 1, List.of(0.0, 1.0), List.of(0.1, 1.0), 1, 0.1, 0, 40,
                List.of(1L), true);
    }

    double etaW() {
        return lrTimesWidth ? lrW * width : lrW;
    }

    double etaA() {
        return lrTimesWidth ? lrA * width : lrA;
    }

    /**
     * The (c2, a0) pairs each seed runs, in order: the c2 sweep at a0 base, then the a0 sweep at c2 base without the pair already run.
     *
     * @return pairs {c2, a0}
     */
    List<double[]> pairs() {
        List<double[]> pairs = new ArrayList<>();
        for (double c2 : c2Sweep) pairs.add(new double[] {c2, a0Base});
        for (double a0 : a0Sweep) {
            boolean dup = false;
            for (double[] p : pairs) dup |= p[0] == c2Base && p[1] == a0;
            if (!dup) pairs.add(new double[] {c2Base, a0});
        }
        return pairs;
    }

    /**
     * The parametrisation as the report and the log state it.
     *
     * @return e.g. {@code f(x) = (1/N)·Σ_i a_i·tanh(w_i·x); …}
     */
    public String parametrisation() {
        return String.format(Locale.ROOT, "f(x) = %s·Σ_i a_i·%s(w_i·x); loss ½·mean (f − y)²; SGD with η_w = %s, η_a = %s%s; w_i ~ N(0, %s²/d·I); a_i = %sa0",
                meanField ? "(1/N)" : "(1/√N)", activation.name().toLowerCase(Locale.ROOT), Statistics.sig(etaW()), Statistics.sig(etaA()),
                lrTimesWidth ? " (" + Statistics.sig(lrW) + "·N and " + Statistics.sig(lrA) + "·N)" : "", Statistics.sig(wInitScale),
                randomSignA ? "±" : "");
    }
}
