// What the ERM reproduction measured, the fitted slopes, and the verdicts computed from those rows alone.
package dev.descent.bench.reproduce.erm;

import dev.descent.bench.reproduce.Experiment;
import dev.descent.bench.reproduce.Statistics;
import dev.descent.bench.reproduce.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ERM experiment's outcome: every gap measurement and every unseen codeword's exact losses (the
 * rows of {@code erm-gap.csv} and {@code erm-exact.csv}), the slopes fitted to the mean gaps, and
 * the verdicts. {@link #of} derives everything from the rows, so the CSV files read back give the
 * same outcome.
 *
 * @param points        one gap measurement per seed, instance, η and T, in run order
 * @param exact         one row per seed and unseen codeword
 * @param unseenPerSeed unseen codewords per seed, in seed order
 * @param slopes        per instance, the log-log slope of the mean gap against ηT over every point with a positive mean gap
 * @param freeSlopes    the same over the points where the projection has not bound yet
 * @param verdicts      the exact check, then the slope claim
 */
public record ErmOutcome(List<Point> points, List<Exact> exact, List<Integer> unseenPerSeed, Map<Instance, Double> slopes, Map<Instance, Double> freeSlopes,
                         List<Verdict> verdicts) implements Experiment.Outcome {

    /** The largest deviation from 1/2 and 3/4 the exact check accepts. */
    static final double EXACT_TOLERANCE = 1e-12;

    /**
     * One instance: the stand-in noise ε and the strong-convexity λ.
     *
     * @param noise  ε
     * @param lambda λ
     */
    public record Instance(double noise, double lambda) {
        String label() {
            if (noise == 0 && lambda == 0) return "Feldman's instance";
            return "ε = " + Statistics.sig(noise) + ", λ = " + Statistics.sig(lambda);
        }
    }

    /**
     * One measurement: the gap at (η, T) for an instance and a seed.
     *
     * @param seed       the seed
     * @param instance   the instance
     * @param lr         η
     * @param steps      T
     * @param empirical  F̂(x_T)
     * @param population F(x_T)
     * @param norm       ‖x_T‖
     */
    public record Point(long seed, Instance instance, double lr, int steps, double empirical, double population, double norm) {
        /**
         * The generalisation gap.
         *
         * @return F(x_T) − F̂(x_T)
         */
        public double gap() {
            return population - empirical;
        }
    }

    /**
     * The exact check on one unseen codeword u.
     *
     * @param seed             the seed
     * @param codeword         u's index in the code
     * @param empirical        F̂(u)
     * @param population       F(u)
     * @param empiricalAtZero  F̂(0)
     * @param populationAtZero F(0)
     */
    public record Exact(long seed, int codeword, double empirical, double population, double empiricalAtZero, double populationAtZero) {}

    /**
     * The outcome of measured rows.
     *
     * @param cfg    the settings (instances, η, T, seeds, radius)
     * @param points the gap measurements
     * @param exact  the unseen codewords' losses
     * @return slopes and verdicts
     */
    public static ErmOutcome of(ErmConfig cfg, List<Point> points, List<Exact> exact) {
        List<Integer> unseen = new ArrayList<>();
        for (long seed : cfg.seeds()) unseen.add((int) exact.stream().filter(e -> e.seed() == seed).count());
        // Mean gap over seeds at each (instance, η, T); slopes over the points with a positive mean gap, all of them and those where
        // the projection has not yet bound (every seed's ‖x_T‖ below the radius).
        Map<Instance, Double> slopes = new LinkedHashMap<>(), freeSlopes = new LinkedHashMap<>();
        for (Instance inst : cfg.instances()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>(), fx = new ArrayList<>(), fy = new ArrayList<>();
            for (double lr : cfg.lrs()) {
                for (int t : cfg.horizons()) {
                    double g = meanGap(points, inst, lr, t);
                    xs.add(lr * t);
                    ys.add(g);
                    if (insideBall(points, inst, lr, t, cfg.radius())) {
                        fx.add(lr * t);
                        fy.add(g);
                    }
                }
            }
            slopes.put(inst, Statistics.logLogSlope(toArray(xs), toArray(ys)));
            freeSlopes.put(inst, Statistics.logLogSlope(toArray(fx), toArray(fy)));
        }
        List<Verdict> verdicts = List.of(exactVerdict(exact, unseen), slopeVerdict(slopes, freeSlopes));
        return new ErmOutcome(List.copyOf(points), List.copyOf(exact), List.copyOf(unseen), slopes, freeSlopes, verdicts);
    }

    static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whether every seed's iterate at (η, T) is strictly inside the ball, so the projection has not changed it yet. */
    static boolean insideBall(List<Point> points, Instance inst, double lr, int steps, double radius) {
        for (Point p : points) if (p.instance().equals(inst) && p.lr() == lr && p.steps() == steps && !(p.norm() < radius * (1 - 1e-12))) return false;
        return true;
    }

    /** The mean gap over seeds at (instance, η, T). */
    static double meanGap(List<Point> points, Instance inst, double lr, int steps) {
        return Statistics.mean(gaps(points, inst, lr, steps));
    }

    /** Every seed's gap for one instance, η and T. */
    static double[] gaps(List<Point> points, Instance inst, double lr, int steps) {
        List<Double> g = new ArrayList<>();
        for (Point p : points) if (p.instance().equals(inst) && p.lr() == lr && p.steps() == steps) g.add(p.gap());
        return toArray(g);
    }

    /** Whether projected GD ever left 0 on Feldman's base instance (ε = λ = 0). */
    boolean baseInstanceMoves() {
        for (Point p : points) if (p.instance().noise() == 0 && p.instance().lambda() == 0 && p.norm() != 0) return true;
        return false;
    }

    private static Verdict exactVerdict(List<Exact> exact, List<Integer> unseenPerSeed) {
        String claim = "A codeword that no sample contains has empirical loss 1/2 (as low as any point's) but population loss 3/4, while F(0) = 1/2.";
        String criterion = "for every unseen codeword u of every seed, |F̂(u) − 1/2|, |F(u) − 3/4|, |F̂(0) − 1/2| and |F(0) − 1/2| are all ≤ 1e-12"
                + " (computed with the data module's own `empiricalLoss` and exact `populationLoss`).";
        if (exact.isEmpty()) {
            return new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "no codeword was unseen in any seed's sample (unseen per seed: "
                    + unseenPerSeed + "); raise --code-size.");
        }
        double worst = 0;
        for (Exact e : exact) {
            worst = Math.max(worst, Math.max(Math.max(Math.abs(e.empirical() - 0.5), Math.abs(e.population() - 0.75)),
                    Math.max(Math.abs(e.empiricalAtZero() - 0.5), Math.abs(e.populationAtZero() - 0.5))));
        }
        Exact first = exact.get(0);
        return new Verdict(claim, criterion, Verdict.Outcome.of(worst <= EXACT_TOLERANCE), String.format(Locale.ROOT,
                "%d unseen codewords over %d seeds (per seed: %s); largest deviation %s; e.g. seed %d, codeword %d: F̂ = %s, F = %s.", exact.size(),
                unseenPerSeed.size(), unseenPerSeed, Statistics.sig(worst), first.seed(), first.codeword(), Double.toString(first.empirical()),
                Double.toString(first.population())));
    }

    private static Verdict slopeVerdict(Map<Instance, Double> slopes, Map<Instance, Double> freeSlopes) {
        String claim = "Projected GD with step η and horizon T has generalisation gap Ω(√(ηT/m^1.5)) on the paper's instance: on log-log axes the gap"
                + " grows with slope 1/2 in ηT (the known upper bound O(ηT/m) has slope 1).";
        String criterion = "applicable only on the paper's construction, whose extra noise and regularisation terms are not public; there, a fitted"
                + " slope within 0.15 of 1/2 would reproduce it.";
        List<String> parts = new ArrayList<>();
        for (Instance inst : slopes.keySet()) {
            double s = freeSlopes.get(inst);
            String nearer = Double.isNaN(s) ? "no positive gap: no slope to fit"
                    : "nearer the reference slope " + (Math.abs(s - 0.5) <= Math.abs(s - 1) ? "1/2" : "1");
            parts.add(inst.label() + ": slope " + Statistics.format(s, 3) + " before the ball binds (" + nearer + "), " + Statistics.format(slopes.get(inst), 3)
                    + " over all points");
        }
        return new Verdict(claim, criterion, Verdict.Outcome.NOT_APPLICABLE, "not the paper's instance. Measured on ours: " + String.join("; ", parts) + ".");
    }
}
