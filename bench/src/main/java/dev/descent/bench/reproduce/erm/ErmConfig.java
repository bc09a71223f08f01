// The settings of the ERM reproduction (docs/papers.md §3), validated, with the full and the quick defaults.
package dev.descent.bench.reproduce.erm;

import dev.descent.bench.reproduce.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The ERM experiment's settings.
 *
 * @param samples   m, the number of samples
 * @param dimension d (the paper: 6m)
 * @param codeSize  |V|
 * @param radius    the ball projected GD stays in
 * @param lrs       the steps η
 * @param horizons  the horizons T at which the gap is measured (one trajectory per η, recorded at each T); kept sorted
 * @param noises    the ε of the linear stand-in term (0: Feldman's instance)
 * @param lambdas   the λ of the strongly convex term
 * @param seeds     one code, sample and ξ per seed
 * @param quick     toy sizes; the report claims nothing
 * @param resume    read back the trajectories an earlier invocation with the same settings completed in the output folder (a
 *                  trajectory takes seconds to half a minute, so an interrupted one is run again from its start)
 */
public record ErmConfig(int samples, int dimension, int codeSize, double radius, List<Double> lrs, List<Integer> horizons, List<Double> noises,
                        List<Double> lambdas, List<Long> seeds, boolean quick, boolean resume) implements Experiment.Config {

    /**
     * The settings, run from the start.
     *
     * @param samples   m
     * @param dimension d
     * @param codeSize  |V|
     * @param radius    the ball's radius
     * @param lrs       the steps η
     * @param horizons  the horizons T
     * @param noises    the ε values
     * @param lambdas   the λ values
     * @param seeds     seeds
     * @param quick     toy sizes
     */
    public ErmConfig(int samples, int dimension, int codeSize, double radius, List<Double> lrs, List<Integer> horizons, List<Double> noises,
                     List<Double> lambdas, List<Long> seeds, boolean quick) {
        this(samples, dimension, codeSize, radius, lrs, horizons, noises, lambdas, seeds, quick, false);
    }

    /**
     * The same settings, resuming or not.
     *
     * @param resume read back the trajectories an earlier invocation completed
     * @return the settings
     */
    public ErmConfig withResume(boolean resume) {
        return new ErmConfig(samples, dimension, codeSize, radius, lrs, horizons, noises, lambdas, seeds, quick, resume);
    }

    /** The settings that must match for {@code --resume} (everything but the flag itself). */
    String fingerprint() {
        return "erm m " + samples + " d " + dimension + " code " + codeSize + " radius " + radius + " lrs " + lrs + " horizons " + horizons + " noises "
                + noises + " lambdas " + lambdas + " seeds " + seeds + " quick " + quick;
    }

    /** Validates every setting, naming the bad value. */
    public ErmConfig {
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        if (dimension < 1) throw new IllegalArgumentException("--dimension must be >= 1, was " + dimension);
        if (codeSize < 1) throw new IllegalArgumentException("--code-size must be >= 1, was " + codeSize);
        if (!(radius > 0) || Double.isInfinite(radius)) throw new IllegalArgumentException("--radius must be > 0 and finite, was " + radius);
        Experiment.Config.requireNonEmpty("--lrs", lrs);
        Experiment.Config.requireNonEmpty("--horizons", horizons);
        Experiment.Config.requireNonEmpty("--noise", noises);
        Experiment.Config.requireNonEmpty("--lambda", lambdas);
        Experiment.Config.requireNonEmpty("--seeds", seeds);
        for (double v : lrs) if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--lrs values must be > 0 and finite, was " + v);
        for (int t : horizons) if (t < 1) throw new IllegalArgumentException("--horizons values must be >= 1, was " + t);
        for (double v : noises) if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--noise values must be >= 0 and finite, was " + v);
        for (double v : lambdas) if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--lambda values must be >= 0 and finite, was " + v);
        horizons = List.copyOf(new TreeSet<>(horizons));
        lrs = List.copyOf(lrs);
        noises = List.copyOf(noises);
        lambdas = List.copyOf(lambdas);
        seeds = List.copyOf(seeds);
    }

    /**
     * The full settings: m = 10, d = 6m = 60, |V| = 4·2^m (so that some codeword is unseen with high probability), the unit ball,
     * η ∈ {0.01, 0.1}, T from 1 to 10⁴ (1-2-5 steps), ε ∈ {0, 0.1}, λ ∈ {0, m^−1.5}, seeds 1–5.
     *
     * @return the full configuration
     */
    public static ErmConfig full() {
        int m = 10;
        return new ErmConfig(m, 6 * m, 4 << m, 1, List.of(0.01, 0.1), oneTwoFive(10_000), List.of(0.0, 0.1), List.of(0.0, Math.pow(m, -1.5)),
                List.of(1L, 2L, 3L, 4L, 5L), false);
    }

    /**
     * Toy sizes: m = 5, d = 30, |V| = 128, η = 0.1, T up to 200, two seeds.
     *
     * @return the quick configuration
     */
    public static ErmConfig toy() {
        int m = 5;
        return new ErmConfig(m, 6 * m, 4 << m, 1, List.of(0.1), oneTwoFive(200), List.of(0.0, 0.1), List.of(0.0, Math.pow(m, -1.5)), List.of(1L, 2L), true);
    }

    /**
     * The horizon grid 1, 2, 5, 10, 20, 50, … up to {@code max}.
     *
     * @param max the largest horizon
     * @return the grid
     */
    public static List<Integer> oneTwoFive(int max) {
        List<Integer> t = new ArrayList<>();
        for (long p = 1; p <= max; p *= 10) for (int f : new int[] {1, 2, 5}) if (p * f <= max) t.add((int) (p * f));
        return t;
    }

    /** The instances (ε, λ), in the order they run: every ε with every λ. */
    List<ErmOutcome.Instance> instances() {
        List<ErmOutcome.Instance> instances = new ArrayList<>();
        for (double e : noises) for (double l : lambdas) instances.add(new ErmOutcome.Instance(e, l));
        return instances;
    }

    /** The largest horizon. */
    int lastHorizon() {
        return horizons.getLast();
    }
}
