// Runs the ERM reproduction: projected GD on Feldman's instance per seed, instance and step, and the exact unseen-codeword check.
package dev.descent.bench.reproduce.erm;

import dev.descent.bench.reproduce.Resumption;
import dev.descent.bench.reproduce.erm.ErmOutcome.Exact;
import dev.descent.bench.reproduce.erm.ErmOutcome.Instance;
import dev.descent.bench.reproduce.erm.ErmOutcome.Point;
import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.data.FeldmanCode;
import dev.descent.optim.Ball;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ProjectedGradientDescent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The run of the ERM experiment. The loss on the unit ball, for a sample W ⊆ V of a code V of ±1/√d
 * vectors, is
 * <pre>
 *   f(x; W, ξ) = max(1/2, max_{w∈W} w·x) + ε·ξ·x + (λ/2)·||x||²
 * </pre>
 * where ε = λ = 0 is Feldman's instance; λ &gt; 0 adds a strongly convex term (the paper's λ is
 * Θ(m^−1.5)), and ε &gt; 0 adds a linear per-sample term with ξ uniform on {±1/√d}^d, zero in the
 * population — our stand-in for "noise", not the paper's term. Projected GD starts at 0; the gap at
 * (η, T) is F(x_T) − F̂(x_T), both computed exactly (F by the sorted-values formula of
 * {@link FeldmanCode#populationLoss}).
 *
 * <p>The CSV files are rewritten after every trajectory (one seed, instance and η), and {@code --resume} reads back the
 * trajectories an interrupted invocation completed; the interrupted one runs again from its start, which costs at most
 * one trajectory (seconds to half a minute at the full settings), so it keeps no checkpoint. The unseen-codeword rows are
 * recomputed (they are exact functions of the seed, and cheap).
 */
final class ErmRun {
    private ErmRun() {}

    static ErmOutcome run(ErmConfig cfg, Path out, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        Map<String, List<Point>> earlier = new HashMap<>();
        if (cfg.resume() && Resumption.matches(out, cfg.fingerprint(), ErmCsv.GAP) && Files.exists(out.resolve(ErmCsv.GAP))) {
            for (Point p : ErmCsv.readPoints(out)) earlier.computeIfAbsent(key(p.seed(), p.instance(), p.lr()), k -> new ArrayList<>()).add(p);
        }
        Resumption.writeFingerprint(out, cfg.fingerprint());
        List<Point> points = new ArrayList<>();
        List<Exact> exact = new ArrayList<>();
        int readBack = 0;
        for (long seed : cfg.seeds()) {
            SplittableRandom rng = new SplittableRandom(seed);
            FeldmanCode code = FeldmanCode.greedy(cfg.dimension(), cfg.codeSize(), rng.split());
            Tensor samples = code.sample(cfg.samples(), rng.split());
            double[] xiMean = meanSignVector(cfg.samples(), cfg.dimension(), rng.split());
            Objective objective = new Objective(code, samples, xiMean);
            int unseen = 0;
            boolean[] mask = samples.toBooleanArray();
            for (int w = 0; w < code.size(); w++) {
                boolean seen = false;
                for (int r = 0; r < cfg.samples() && !seen; r++) seen = mask[r * code.size() + w];
                if (seen) continue;
                unseen++;
                Tensor u = code.codewords(DType.FLOAT64).select(0, w).contiguous();
                Tensor zero = Tensor.zeros(DType.FLOAT64, cfg.dimension());
                exact.add(new Exact(seed, w, code.empiricalLoss(u, samples).item(), code.populationLoss(u), code.empiricalLoss(zero, samples).item(),
                        code.populationLoss(zero)));
            }
            int before = readBack;
            for (Instance inst : cfg.instances()) {
                for (double lr : cfg.lrs()) {
                    List<Point> done = earlier.get(key(seed, inst, lr));
                    if (done != null && done.size() == cfg.horizons().size()) {
                        points.addAll(done);
                        readBack++;
                    } else {
                        points.addAll(trajectory(cfg, objective, inst, lr, seed));
                        ErmCsv.write(points, exact, out); // after every trajectory, for --resume
                    }
                }
            }
            log.printf(Locale.ROOT, "  seed %d: |V| = %d in d = %d, m = %d, %d codewords unseen; %d trajectories done%s (%.1f s)%n", seed, code.size(),
                    cfg.dimension(), cfg.samples(), unseen, cfg.instances().size() * cfg.lrs().size(),
                    readBack > before ? ", " + (readBack - before) + " of them read back from the earlier invocation" : "", (System.nanoTime() - t0) / 1e9);
        }
        ErmCsv.write(points, exact, out);
        return ErmOutcome.of(cfg, points, exact);
    }

    /**
     * The empirical objective with a cached codeword matrix: the Feldman part and the mean linear term ξ̄·x. The scores V·x are
     * computed as a broadcast product summed over rows, not with matmul: core's dgemm is several times slower for a matrix–vector
     * product (one output column), and its backward would copy Vᵀ through strided reads every step.
     */
    static final class Objective {
        final FeldmanCode code;
        final Tensor samples, codewords, xiMean;
        final double[] xiMeanValues;

        Objective(FeldmanCode code, Tensor samples, double[] xiMean) {
            this.code = code;
            this.samples = samples;
            this.codewords = code.codewords(DType.FLOAT64);
            this.xiMeanValues = xiMean;
            this.xiMean = Tensor.of(xiMean);
        }

        /** Feldman's empirical risk at x: mean over samples of max(1/2, max_{w∈W} w·x), as {@link FeldmanCode#losses} builds it. */
        Tensor feldman(Tensor x) {
            Tensor scores = codewords.mul(x).sum(1);
            return Tensor.where(samples, scores, scores.scalarLike(0.5)).max(1).mean();
        }

        /** ξ̄·x as a double. */
        double linear(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) s += xiMeanValues[i] * x[i];
            return s;
        }
    }

    /** The mean of m random sign vectors with entries ±1/√d (each ξ_r has norm 1). */
    static double[] meanSignVector(int m, int d, SplittableRandom rng) {
        double[] mean = new double[d];
        double unit = 1 / Math.sqrt(d);
        for (int r = 0; r < m; r++) for (int j = 0; j < d; j++) mean[j] += rng.nextBoolean() ? unit : -unit;
        for (int j = 0; j < d; j++) mean[j] /= m;
        return mean;
    }

    /** A trajectory's key in log lines and for --resume: seed/ε/λ/η. */
    static String key(long seed, Instance inst, double lr) {
        return seed + "/" + inst.noise() + "/" + inst.lambda() + "/" + lr;
    }

    /** Projected GD from 0 for the largest horizon, recording the exact risks at every horizon of the grid. */
    static List<Point> trajectory(ErmConfig cfg, Objective obj, Instance inst, double lr, long seed) {
        String key = key(seed, inst, lr);
        Parameter x = new Parameter(Tensor.zeros(DType.FLOAT64, cfg.dimension()));
        ProjectedGradientDescent opt = new ProjectedGradientDescent(List.of(ParamGroup.of(x).with("lr", lr).with("weight_decay", inst.lambda())
                .with("set", Ball.origin(cfg.radius()))));
        List<Point> out = new ArrayList<>();
        int next = 0;
        for (int t = 1; t <= cfg.lastHorizon(); t++) {
            Tensor loss = obj.feldman(x);
            if (inst.noise() > 0) loss = loss.add(obj.xiMean.matmul(x).mul(inst.noise()));
            opt.zeroGrad();
            loss.backward();
            opt.step();
            Resumption.stepped(key, t);
            if (t == cfg.horizons().get(next)) {
                double[] xv = x.toDoubleArray();
                double sq = 0;
                for (double v : xv) sq += v * v;
                double reg = inst.lambda() / 2 * sq;
                Tensor xd = x.detach();
                double empirical = obj.feldman(xd).item() + inst.noise() * obj.linear(xv) + reg;
                double population = obj.code.populationLoss(xd) + reg; // E[ξ] = 0
                out.add(new Point(seed, inst, lr, t, empirical, population, Math.sqrt(sq)));
                next++;
            }
        }
        return out;
    }
}
